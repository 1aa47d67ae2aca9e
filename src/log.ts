/** JSON logs (pino). Secrets are redacted by key wherever they appear in a logged object. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'rewards-bot' },
      redact: {
        paths: ['MicrosoftAppPassword', '*.MicrosoftAppPassword', 'appPassword', '*.appPassword', 'password', '*.password', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'DATABASE_URL', '*.databaseUrl', 'databaseUrl'],
        censor: '[redacted]',
      },
    },
    destination ?? process.stdout,
  );
}

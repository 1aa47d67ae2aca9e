/**
 * `npm start`: validates the configuration, starts the bot and, in development without Bot
 * Framework credentials, the Microsoft 365 Agents Playground pointed at it. Ctrl-C stops both.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { createLogger } from './log.js';
import { createApp } from './app.js';
import { StoreError } from './adapters/store/store.js';
import { DEMO_USERS, PLAYGROUND_BOT_NAME, PLAYGROUND_TENANT } from './services/demo-data.js';

loadDotEnv();
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
    process.exit(1);
  }
  throw err;
}
const log = createLogger(config.logLevel);
const app = createApp(config, { log });

let port: number;
try {
  port = await app.start();
} catch (err) {
  if (err instanceof StoreError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`Cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  throw err;
}

let playground: { url: string; stop(): Promise<void> } | undefined;
if (config.playground.enabled) {
  // Imported lazily: the Playground is a dev dependency, absent from production installs.
  const { startPlayground } = await import('./adapters/playground/process.js');
  const { writePlaygroundConfig } = await import('./adapters/playground/config.js');
  const cwd = resolve('.playground');
  const current = DEMO_USERS.find((u) => u.aadObjectId.endsWith(config.playground.user)) ?? DEMO_USERS[0];
  await writePlaygroundConfig(cwd, {
    tenantId: PLAYGROUND_TENANT,
    botName: PLAYGROUND_BOT_NAME,
    currentUser: { aadObjectId: current.aadObjectId, name: current.name, email: current.email },
    users: DEMO_USERS.filter((u) => u !== current).map((u) => ({ aadObjectId: u.aadObjectId, name: u.name, email: u.email })),
    // The Playground allows General plus one channel: General for the Rewards team, one for support.
    team: { name: 'Marketplace Rewards', channels: [{ name: 'Support' }] },
    // One personal chat per user, as in Teams (dialog state is kept per conversation).
    personalChatId: `a:personal-${current.aadObjectId}`,
  });
  playground = await startPlayground({
    botEndpoint: `http://127.0.0.1:${port}/api/messages`,
    port: config.playground.port,
    cwd,
    log: (line) => log.debug({ playground: line }, 'playground'),
  });
  process.stdout.write(
    `\n  Rewards bot:       http://localhost:${port}/api/messages\n  Agents Playground: ${playground.url}  (you are ${current.name}: ${current.role})\n  Press Ctrl-C to stop.\n\n`,
  );
} else {
  process.stdout.write(`\n  Rewards bot: http://localhost:${port}/api/messages (Agents Playground off)\n  Press Ctrl-C to stop.\n\n`);
}

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  await playground?.stop().catch((err: unknown) => log.warn({ err }, 'playground did not stop cleanly'));
  await app.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

/**
 * `npm run db:migrate`: applies pending schema migrations to the PostgreSQL store at DATABASE_URL
 * (also done by every instance at start-up; this is for deploy pipelines that migrate first).
 */
import pg from 'pg';
import { ConfigError, loadConfig, loadDotEnv } from '../../config.js';
import { migrate } from '../store/postgres/migrate.js';
import { redactUrl } from '../store/postgres/postgres-store.js';

async function main(): Promise<number> {
  loadDotEnv();
  const config = loadConfig();
  if (!config.databaseUrl) {
    process.stderr.write('error: DATABASE_URL is not set (the embedded store needs no migrations)\n');
    return 2;
  }
  const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'rewards-db-migrate' });
  try {
    await client.connect();
  } catch (err) {
    process.stderr.write(`error: cannot connect to PostgreSQL at ${redactUrl(config.databaseUrl)}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    const ran = await migrate(client);
    process.stdout.write(ran.length ? `Applied ${ran.length} migration(s):\n${ran.map((m) => `  ${m}\n`).join('')}` : 'The schema is up to date.\n');
    return 0;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(1);
  },
);

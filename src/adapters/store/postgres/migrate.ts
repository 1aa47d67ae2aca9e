/**
 * The PostgreSQL schema, changed only through the SQL files in `migrations/` (node-pg-migrate).
 * Applied by `npm run db:migrate` and by every instance at open(): node-pg-migrate holds a
 * PostgreSQL advisory lock while it runs, and waits for it, so instances starting together apply
 * each migration once and none starts on a half-migrated schema.
 */
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
export const MIGRATIONS_TABLE = 'pgmigrations';

/** Applies the migrations not yet applied; resolves with their names. */
export async function migrate(client: pg.ClientBase, log: (line: string) => void = () => undefined): Promise<string[]> {
  const ran = await runner({
    dbClient: client,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction: 'up',
    checkOrder: true,
    advisoryLockMode: 'wait',
    log,
    verbose: false,
  });
  return ran.map((m) => m.name);
}

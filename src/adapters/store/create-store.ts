/**
 * The store the configuration asks for: PostgreSQL when DATABASE_URL is set (several instances may
 * share it), else the embedded store in DATA_DIR. Not opened yet.
 */
import type { Config } from '../../config.js';
import { LowdbStore } from './lowdb/lowdb-store.js';
import { PostgresStore } from './postgres/postgres-store.js';
import type { Store } from './store.js';

export function createStore(config: Pick<Config, 'dataDir' | 'databaseUrl' | 'outbox'>): Store {
  return config.databaseUrl ? new PostgresStore(config.databaseUrl, { leaseMs: config.outbox.leaseMs }) : new LowdbStore(config.dataDir);
}

/**
 * PostgreSQL for the benchmarks: DATABASE_URL when set (a role allowed to create databases; the
 * database it names is never written), else a throwaway cluster from the system's initdb. Each
 * store gets a database of its own, dropped at the end. Without PostgreSQL the PostgreSQL rows are
 * skipped with a line saying why.
 */
import pg from 'pg';
import { findPgBin, startLocalCluster, type LocalCluster } from '../src/adapters/store/postgres/local-cluster.js';
import { PostgresStore } from '../src/adapters/store/postgres/postgres-store.js';
import { salesReducer } from '../src/services/ledger.js';
import { TX_PER_PUBLISHER, batchOf } from './lib.js';

export interface BenchPostgres {
  /** Where the server came from, for the report. */
  source: string;
  /** A new empty database on the server. */
  database(name: string): Promise<string>;
  /** Drops the databases made here and stops the throwaway cluster. */
  stop(): Promise<void>;
}

/** PostgreSQL for this run, or the reason there is none. */
export async function benchPostgres(): Promise<BenchPostgres | { skipped: string }> {
  let admin = process.env.DATABASE_URL;
  let cluster: LocalCluster | undefined;
  let source = 'DATABASE_URL';
  if (!admin) {
    if (!findPgBin()) return { skipped: 'no DATABASE_URL and no initdb (apt-get install postgresql)' };
    try {
      cluster = await startLocalCluster();
    } catch (err) {
      return { skipped: (err as Error).message };
    }
    process.once('exit', () => cluster?.stopSync());
    admin = cluster.url;
    source = 'a throwaway local cluster (fsync off)';
  }
  const adminUrl = admin;
  const made: string[] = [];
  const sql = async (text: string) => {
    const c = new pg.Client(adminUrl);
    await c.connect();
    try {
      return (await c.query<Record<string, string>>(text)).rows;
    } finally {
      await c.end();
    }
  };
  try {
    // fsync off (the throwaway cluster) makes commits cheaper than the embedded store's fsync'd writes: say so.
    const [s] = await sql("SELECT current_setting('server_version') AS v, current_setting('fsync') AS f, current_setting('synchronous_commit') AS c");
    source += `, PostgreSQL ${s!.v}, fsync ${s!.f}, synchronous_commit ${s!.c}`;
  } catch (err) {
    await cluster?.stop();
    return { skipped: `cannot connect to PostgreSQL: ${(err as Error).message}` };
  }
  return {
    source,
    async database(name) {
      const db = `rewards_bench_${process.pid}_${name}`;
      await sql(`CREATE DATABASE ${db}`);
      made.push(db);
      const u = new URL(adminUrl);
      u.pathname = `/${db}`;
      return u.toString();
    },
    async stop() {
      for (const db of made.splice(0)) await sql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
      await cluster?.stop();
      cluster = undefined;
    },
  };
}

/**
 * A PostgreSQL store with `publishers` synthetic publishers, imported with the same batches as
 * the embedded store's (bench/lib.ts buildStore), through PostgresStore.importBatch.
 */
export async function buildPgStore(url: string, publishers: number): Promise<{ url: string; seconds: number; publishers: number }> {
  const store = new PostgresStore(url);
  await store.open();
  const t0 = performance.now();
  const chunk = 2_000;
  try {
    for (let i = 0; i < publishers; i += chunk) {
      await store.importBatch(batchOf(i, Math.min(chunk, publishers - i)), { at: new Date().toISOString(), actor: 'bench', action: 'import', details: {} }, salesReducer);
      process.stderr.write(`\r  building ${publishers.toLocaleString('en-US')} publishers on PostgreSQL: ${Math.min(i + chunk, publishers).toLocaleString('en-US')}`);
    }
    process.stderr.write('\n');
    const seconds = (performance.now() - t0) / 1000;
    // Fresh statistics, as autovacuum would have them by the time a real instance serves turns.
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    await pool.query('VACUUM ANALYZE').finally(() => pool.end());
    return { url, seconds, publishers };
  } finally {
    await store.close();
  }
}

export const txOf = (publishers: number) => publishers * TX_PER_PUBLISHER;

/**
 * store-write: a write turn on the embedded store (one publisher's document changed + an audit
 * entry, each fsync'd) at 1,000 publishers (baseline) and at 50,000 publishers with 2,000,000
 * transactions. Goal: throughput ratio ≥ 0.5 and p99 < 100 ms at 50k.
 *
 * storeWritePostgres: the same write turn on PostgreSQL (each write one committed transaction), at
 * the same sizes, and at 50k against the embedded store's figure of this run.
 */
import { LowdbStore } from '../src/adapters/store/lowdb/lowdb-store.js';
import { PostgresStore } from '../src/adapters/store/postgres/postgres-store.js';
import type { Store } from '../src/adapters/store/store.js';
import { TX_PER_PUBLISHER, percentile, quick, type Result } from './lib.js';

interface WriteRun {
  perSecond: number;
  p99: number;
  openSeconds: number;
}

async function writeTurns(dir: string, publishers: number, turns: number): Promise<WriteRun> {
  return writeTurnsOn(new LowdbStore(dir), publishers, turns);
}

async function writeTurnsOn(store: Store, publishers: number, turns: number): Promise<WriteRun> {
  const t0 = performance.now();
  await store.open();
  const openSeconds = (performance.now() - t0) / 1000;
  const lat: number[] = [];
  const start = performance.now();
  for (let i = 0; i < turns; i++) {
    const id = `p${Math.floor(Math.random() * publishers)}`;
    const s = performance.now();
    await store.updatePublisher(id, (d) => {
      d.state.optedOut = d.state.optedOut.includes(`${id}-o1`) ? [] : [`${id}-o1`];
    });
    await store.appendAudit([{ at: new Date().toISOString(), actor: 'bench', action: 'optout', publisherId: id, details: {} }]);
    lat.push(performance.now() - s);
  }
  const seconds = (performance.now() - start) / 1000;
  await store.close();
  lat.sort((a, b) => a - b);
  return { perSecond: turns / seconds, p99: percentile(lat, 0.99), openSeconds };
}

export async function storeWrite(small: { dir: string; seconds: number; publishers: number }, large: { dir: string; seconds: number; publishers: number }): Promise<Result[]> {
  const turns = quick ? 200 : 1_000;
  // Alternate runs so machine noise hits both sizes alike.
  const ra = await writeTurns(small.dir, small.publishers, turns);
  const rb = await writeTurns(large.dir, large.publishers, turns);
  const ra2 = await writeTurns(small.dir, small.publishers, turns);
  const rb2 = await writeTurns(large.dir, large.publishers, turns);
  const baseRate = (ra.perSecond + ra2.perSecond) / 2;
  const largeRate = (rb.perSecond + rb2.perSecond) / 2;
  const basP99 = Math.max(ra.p99, ra2.p99);
  const largeP99 = Math.max(rb.p99, rb2.p99);
  const tag = `${(large.publishers / 1000).toLocaleString('en-US')}k`;
  return [
    { name: 'store-write turns/s @1k publishers', value: baseRate, unit: 'turns/s', baseline: null, ratio: null },
    { name: `store-write turns/s @${tag} publishers (${(large.publishers * TX_PER_PUBLISHER).toLocaleString('en-US')} tx)`, value: largeRate, unit: 'turns/s', baseline: baseRate, ratio: largeRate / baseRate },
    { name: 'store-write p99 @1k', value: basP99, unit: 'ms', baseline: null, ratio: null },
    { name: `store-write p99 @${tag}`, value: largeP99, unit: 'ms', baseline: basP99, ratio: largeP99 / basP99 },
    { name: `store open (load + validate) @${tag}`, value: rb.openSeconds, unit: 's', baseline: ra.openSeconds, ratio: rb.openSeconds / ra.openSeconds },
    { name: `store build (journaled import) @${tag}`, value: large.seconds, unit: 's', baseline: small.seconds, ratio: large.seconds / small.seconds },
  ];
}

/** Two runs per size, alternating, like storeWrite; `embeddedLarge` is storeWrite's 50k row. */
export async function storeWritePostgres(small: { url: string; publishers: number }, large: { url: string; publishers: number }, embeddedLarge?: Result): Promise<Result[]> {
  const turns = quick ? 200 : 1_000;
  const runs: WriteRun[][] = [[], []];
  for (let round = 0; round < 2; round++) {
    runs[0]!.push(await writeTurnsOn(new PostgresStore(small.url), small.publishers, turns));
    runs[1]!.push(await writeTurnsOn(new PostgresStore(large.url), large.publishers, turns));
  }
  const rate = (r: WriteRun[]) => r.reduce((s, x) => s + x.perSecond, 0) / r.length;
  const p99 = (r: WriteRun[]) => Math.max(...r.map((x) => x.p99));
  const [baseRate, largeRate] = [rate(runs[0]!), rate(runs[1]!)];
  const [baseP99, largeP99] = [p99(runs[0]!), p99(runs[1]!)];
  const tag = `${(large.publishers / 1000).toLocaleString('en-US')}k`;
  const rows: Result[] = [
    { name: 'store-write turns/s @1k publishers, PostgreSQL', value: baseRate, unit: 'turns/s', baseline: null, ratio: null },
    { name: `store-write turns/s @${tag} publishers, PostgreSQL`, value: largeRate, unit: 'turns/s', baseline: baseRate, ratio: largeRate / baseRate },
    { name: 'store-write p99 @1k, PostgreSQL', value: baseP99, unit: 'ms', baseline: null, ratio: null },
    { name: `store-write p99 @${tag}, PostgreSQL`, value: largeP99, unit: 'ms', baseline: baseP99, ratio: largeP99 / baseP99 },
  ];
  if (embeddedLarge) {
    rows.push({ name: `store-write turns/s @${tag}, PostgreSQL vs embedded`, value: largeRate, unit: 'turns/s', baseline: embeddedLarge.value, ratio: largeRate / embeddedLarge.value });
  }
  return rows;
}

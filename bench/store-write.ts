/**
 * store-write: a write turn on the embedded store (one publisher's document changed + an audit
 * entry, each fsync'd) at 1,000 publishers (baseline) and at 50,000 publishers with 2,000,000
 * transactions. Goal: throughput ratio ≥ 0.5 and p99 < 100 ms at 50k.
 */
import { LowdbStore } from '../src/adapters/store/lowdb/lowdb-store.js';
import { TX_PER_PUBLISHER, percentile, quick, type Result } from './lib.js';

async function writeTurns(dir: string, publishers: number, turns: number) {
  const store = new LowdbStore(dir);
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

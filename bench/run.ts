/**
 * `npm run bench`: performance as ratios against a baseline measured in the same run (never
 * thresholds in tests). Prints a table and writes bench/results.json.
 *
 * store-write: a write turn on the embedded store (one publisher's document changed + an audit
 * entry, each fsync'd) at 1,000 publishers (baseline) and at 50,000 publishers with 2,000,000
 * transactions. Goal: throughput ratio ≥ 0.5 and p99 < 100 ms at 50k.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore } from '../src/adapters/store/lowdb/lowdb-store.js';
import type { ImportBatch } from '../src/adapters/store/store.js';
import { salesReducer } from '../src/services/ledger.js';

interface Result {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
}

const quick = process.argv.includes('--quick');
const TX_PER_PUBLISHER = 40;

function batchOf(from: number, count: number): ImportBatch {
  const b: ImportBatch = { publishers: [], offers: [], transactions: [], mau: [], staff: [] };
  for (let i = from; i < from + count; i++) {
    const id = `p${i}`;
    const hex = i.toString(16).padStart(12, '0');
    b.publishers.push({ id, name: `Publisher ${i}`, mpnId: String(1_000_000 + i), tenantIds: [`10000000-0000-0000-0000-${hex}`], accountEmail: `pc${i}@example.com`, country: 'US', users: [{ aadObjectId: `20000000-0000-0000-0000-${hex}`, name: `Owner ${i}`, email: `owner${i}@example.com`, role: 'owner' }] });
    b.offers.push({ id: `${id}-o1`, publisherId: id, name: `Offer ${i}`, listingType: 'transact', marketplace: 'azure', offerType: 'saas', m365Integrated: false, dynamics365: false, byol: false, private: false, hasPublicListing: true, listingOptimizationCompleted: true, coSellReady: false, status: 'live', liveDate: '2020-01-01', owner: null });
    for (let t = 0; t < TX_PER_PUBLISHER; t++) {
      b.transactions.push({ id: `${id}-t${t}`, offerId: `${id}-o1`, date: `2021-${String((t % 12) + 1).padStart(2, '0')}-15`, billedUsd: 100 + t, seats: 0, status: 'billed' });
    }
  }
  return b;
}

async function buildStore(publishers: number): Promise<{ dir: string; seconds: number }> {
  const dir = await mkdtemp(join(tmpdir(), `rewards-bench-${publishers}-`));
  const store = new LowdbStore(dir);
  await store.open();
  const t0 = performance.now();
  const chunk = 2_000;
  for (let i = 0; i < publishers; i += chunk) {
    await store.importBatch(batchOf(i, Math.min(chunk, publishers - i)), { at: new Date().toISOString(), actor: 'bench', action: 'import', details: {} }, salesReducer);
    process.stderr.write(`\r  building ${publishers.toLocaleString('en-US')} publishers: ${Math.min(i + chunk, publishers).toLocaleString('en-US')}`);
  }
  process.stderr.write('\n');
  await store.close();
  return { dir, seconds: (performance.now() - t0) / 1000 };
}

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
  return { perSecond: turns / seconds, p50: lat[Math.floor(lat.length * 0.5)]!, p99: lat[Math.floor(lat.length * 0.99)]!, openSeconds };
}

const results: Result[] = [];
const small = 1_000;
const large = quick ? 5_000 : 50_000;
const turns = quick ? 200 : 1_000;

console.log(`store-write: building stores (${small.toLocaleString('en-US')} and ${large.toLocaleString('en-US')} publishers, ${TX_PER_PUBLISHER} transactions each)…`);
const a = await buildStore(small);
const b = await buildStore(large);
// Alternate runs so machine noise hits both sizes alike.
const ra = await writeTurns(a.dir, small, turns);
const rb = await writeTurns(b.dir, large, turns);
const ra2 = await writeTurns(a.dir, small, turns);
const rb2 = await writeTurns(b.dir, large, turns);
const baseRate = (ra.perSecond + ra2.perSecond) / 2;
const largeRate = (rb.perSecond + rb2.perSecond) / 2;
const tag = `${(large / 1000).toLocaleString('en-US')}k`;
results.push(
  { name: 'store-write turns/s @1k publishers', value: baseRate, unit: 'turns/s', baseline: null, ratio: null },
  { name: `store-write turns/s @${tag} publishers (${(large * TX_PER_PUBLISHER).toLocaleString('en-US')} tx)`, value: largeRate, unit: 'turns/s', baseline: baseRate, ratio: largeRate / baseRate },
  { name: 'store-write p99 @1k', value: Math.max(ra.p99, ra2.p99), unit: 'ms', baseline: null, ratio: null },
  { name: `store-write p99 @${tag}`, value: Math.max(rb.p99, rb2.p99), unit: 'ms', baseline: Math.max(ra.p99, ra2.p99), ratio: Math.max(rb.p99, rb2.p99) / Math.max(ra.p99, ra2.p99) },
  { name: `store open (load + validate) @${tag}`, value: rb.openSeconds, unit: 's', baseline: ra.openSeconds, ratio: rb.openSeconds / ra.openSeconds },
  { name: `store build (import) @${tag}`, value: b.seconds, unit: 's', baseline: a.seconds, ratio: b.seconds / a.seconds },
);
await rm(a.dir, { recursive: true, force: true });
await rm(b.dir, { recursive: true, force: true });

const fmt = (n: number | null, d = 2) => (n === null ? '' : n.toLocaleString('en-US', { maximumFractionDigits: d }));
console.log(`\n${'benchmark'.padEnd(58)} ${'value'.padStart(12)} ${'unit'.padEnd(8)} ${'baseline'.padStart(10)} ${'ratio'.padStart(7)}`);
for (const r of results) console.log(`${r.name.padEnd(58)} ${fmt(r.value).padStart(12)} ${r.unit.padEnd(8)} ${fmt(r.baseline).padStart(10)} ${fmt(r.ratio, 3).padStart(7)}`);
await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

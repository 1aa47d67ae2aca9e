/** Shared bench plumbing: results, synthetic data, temp stores. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LowdbStore } from '../src/adapters/store/lowdb/lowdb-store.js';
import type { ImportBatch } from '../src/services/ports/index.js';
import { salesReducer } from '../src/services/ledger.js';

export interface Result {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
}

export const quick = process.argv.includes('--quick');
export const TX_PER_PUBLISHER = 40;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Synthetic publishers p<from>…: one live transact offer each, 40 billed transactions. */
export function batchOf(from: number, count: number): ImportBatch {
  const b: ImportBatch = { publishers: [], offers: [], transactions: [], mau: [], staff: [] };
  for (let i = from; i < from + count; i++) {
    const id = `p${i}`;
    const hex = i.toString(16).padStart(12, '0');
    b.publishers.push({ id, name: `Publisher ${i}`, mpnId: String(1_000_000 + i), tenantIds: [`10000000-0000-0000-0000-${hex}`], accountEmail: `pc${i}@example.com`, country: 'US', users: [{ aadObjectId: `20000000-0000-0000-0000-${hex}`, name: `Owner ${i}`, email: `owner${i}@example.com`, role: 'owner' }] });
    b.offers.push({ id: `${id}-o1`, publisherId: id, name: `Offer ${i}`, listingType: 'transact', marketplace: 'azure', offerType: 'saas', m365Integrated: false, dynamics365: false, byol: false, private: false, hasPublicListing: true, listingOptimizationCompleted: true, coSellReady: false, status: 'live', liveDate: '2020-01-01', owner: null });
    for (let t = 0; t < TX_PER_PUBLISHER; t++) {
      b.transactions.push({ id: `${id}-t${t}`, offerId: `${id}-o1`, date: `2021-${String((t % 12) + 1).padStart(2, '0')}-15`, billedUsd: 100 + t * (i % 50), seats: 0, status: 'billed' });
    }
  }
  return b;
}

/** A store on disk with `publishers` synthetic publishers, built through the journaled import. */
export async function buildStore(publishers: number): Promise<{ dir: string; seconds: number }> {
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

/** A small seeded PRNG (mulberry32), so runs pick the same recipients and faults. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

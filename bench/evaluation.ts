/**
 * evaluation: (a) a publisher with 1,000,000 transactions, status evaluated from the running
 * totals vs. a full recompute from its ledger (goal: ≥ 1000× faster); (b) evaluating every
 * publisher of the large store, per publisher, against one evaluation of the small store's.
 */
import { LowdbStore } from '../src/adapters/store/lowdb/lowdb-store.js';
import type { Offer, Transaction } from '../src/domain/model.js';
import { evaluate, recomputeAggregates } from '../src/domain/program/index.js';
import { aggregatesFor } from '../src/services/ledger.js';
import { loadEdition } from '../src/services/program.js';
import { batchOf, quick, type Result } from './lib.js';

export async function evaluationBench(large: { dir: string; publishers: number }): Promise<Result[]> {
  const edition = loadEdition('2020');
  const seed = batchOf(0, 1);
  const publisher = seed.publishers[0]!;
  const offers: Offer[] = [seed.offers[0]!, { ...seed.offers[0]!, id: 'p0-o2', name: 'Second offer' }];
  const n = quick ? 200_000 : 1_000_000;
  const statuses: Transaction['status'][] = ['billed', 'billed', 'billed', 'billed', 'billed', 'billed', 'billed', 'fraud', 'cancelled_accidental', 'cancelled_before_use'];
  const ledger: Transaction[] = Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    offerId: i % 3 === 0 ? 'p0-o2' : 'p0-o1',
    date: new Date(Date.UTC(2019, 0, 1) + (i % 1500) * 86_400_000).toISOString().slice(0, 10),
    billedUsd: (i % 97) + 0.5,
    seats: 0,
    status: statuses[i % statuses.length]!,
  }));
  const state = { enrolment: null, contact: null, activations: [], optedOut: [], techRequests: [], revocation: null };
  const asOf = '2024-06-30';

  const fullRuns = quick ? 3 : 5;
  let t = performance.now();
  let agg = recomputeAggregates(ledger, offers);
  for (let i = 0; i < fullRuns; i++) {
    agg = recomputeAggregates(ledger, offers);
    evaluate({ edition, publisher, offers, aggregates: agg, mau: [], state, asOf });
  }
  const fullMs = (performance.now() - t) / fullRuns;
  const incRuns = 2_000;
  t = performance.now();
  let tier: number | null = null;
  for (let i = 0; i < incRuns; i++) tier = evaluate({ edition, publisher, offers, aggregates: agg, mau: [], state, asOf }).tier;
  const incMs = (performance.now() - t) / incRuns;
  if (tier === null) throw new Error('bench publisher should have a tier');

  // (b) every publisher of the large store, through the store (running totals, no ledger reads)
  const store = new LowdbStore(large.dir);
  await store.open();
  const ids = await store.listPublisherIds();
  t = performance.now();
  const tiers = new Map<number | null, number>();
  for (const id of ids) {
    const doc = (await store.getPublisher(id))!;
    const e = evaluate({ edition, publisher: doc.publisher, offers: doc.offers, aggregates: await aggregatesFor(store, id, doc), mau: doc.mau, state: doc.state, asOf });
    tiers.set(e.tier, (tiers.get(e.tier) ?? 0) + 1);
  }
  const allSeconds = (performance.now() - t) / 1000;
  await store.close();
  process.stderr.write(`  tiers across ${ids.length} publishers: ${JSON.stringify(Object.fromEntries(tiers))}\n`);

  return [
    { name: `status evaluation, ${n.toLocaleString('en-US')} tx: full recompute`, value: fullMs, unit: 'ms', baseline: null, ratio: null },
    { name: `status evaluation, ${n.toLocaleString('en-US')} tx: running totals (speed-up)`, value: incMs, unit: 'ms', baseline: fullMs, ratio: fullMs / incMs },
    { name: `evaluate all ${ids.length.toLocaleString('en-US')} publishers`, value: allSeconds, unit: 's', baseline: null, ratio: null },
    { name: `evaluate all: per publisher vs. one ${n.toLocaleString('en-US')}-tx evaluation`, value: (allSeconds * 1000) / ids.length, unit: 'ms', baseline: incMs, ratio: (allSeconds * 1000) / ids.length / incMs },
  ];
}

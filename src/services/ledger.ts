/**
 * Keeps each publisher's running sales totals in step with its ledger (the store calls the reducer
 * inside every journaled import) and rebuilds them from the ledger when they are missing or stale.
 */
import type { AggregateReducer, LedgerPort, PublisherDoc, PublisherPort } from './ports/index.js';
import {
  SalesAggregates,
  applyTransactionChanges,
  emptyAggregates,
  recomputeAggregates,
  type TransactionChange,
} from '../domain/program/aggregates.js';

/**
 * The totals stored in a document, or null when they must be recomputed. Only the reducer and
 * recompute write them, so a shape check suffices on this hot path; recompute validates.
 */
export function storedAggregates(doc: PublisherDoc): SalesAggregates | null {
  const a = doc.aggregates;
  if (a.stale === true) return null;
  if (doc.transactionCount === 0 && a.version === undefined) return emptyAggregates();
  // Totals stored before `excluded` existed are rebuilt once, so the status can list what did not count.
  const shaped = a.version === 1 && typeof a.offers === 'object' && a.offers !== null && typeof a.months === 'object' && a.months !== null && typeof a.excluded === 'object' && a.excluded !== null;
  return shaped ? (a as unknown as SalesAggregates) : null;
}

export const salesReducer: AggregateReducer = (doc, changes) => {
  const offers = new Map(doc.offers.map((o) => [o.id, o]));
  const list: TransactionChange[] = [];
  for (const { before, after } of changes) {
    const offer = offers.get(after.offerId);
    if (!offer) continue; // the store's plan() already refused unknown offers
    if (before && before.offerId !== after.offerId) {
      const old = offers.get(before.offerId);
      if (old) list.push({ before, after: undefined, offer: old });
      list.push({ before: undefined, after, offer });
    } else list.push({ before, after, offer });
  }
  const base = storedAggregates(doc);
  // Stale totals stay stale: the next read recomputes them from the whole ledger.
  if (base) doc.aggregates = applyTransactionChanges(base, list) as unknown as Record<string, unknown>;
};

/** Totals for a publisher, recomputed from the ledger (and stored) when they were stale. */
export async function aggregatesFor(store: PublisherPort & LedgerPort, publisherId: string, doc?: PublisherDoc): Promise<SalesAggregates> {
  doc ??= await store.getPublisher(publisherId);
  if (!doc) throw new Error(`no publisher ${publisherId}`);
  const stored = storedAggregates(doc);
  if (stored) return stored;
  return recompute(store, publisherId);
}

/** Full recompute from the ledger; also the repair path (`rewards recompute`). */
export async function recompute(store: PublisherPort & LedgerPort, publisherId: string): Promise<SalesAggregates> {
  const doc = await store.getPublisher(publisherId);
  if (!doc) throw new Error(`no publisher ${publisherId}`);
  const txs = await store.readTransactions(publisherId);
  const agg = SalesAggregates.parse(recomputeAggregates(txs, doc.offers));
  await store.updatePublisher(publisherId, (d) => {
    d.aggregates = agg as unknown as Record<string, unknown>;
    d.transactionCount = txs.length;
  });
  return agg;
}

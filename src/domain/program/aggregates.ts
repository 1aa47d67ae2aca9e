/**
 * Running sales aggregates: per offer, the billed cents and seats that count, by day and by month.
 * The store keeps one per publisher and updates it on every import or correction, so evaluating a
 * publisher with a million transactions sums a few dozen month totals instead of the ledger. Days
 * are kept because an edition may count the trailing twelve months ending on any date; months make
 * the sum short (whole months inside the window, days only for the two edge months).
 */
import { z } from 'zod';
import { Id, IsoDate, IsoMonth, type Offer, type Transaction } from '../model.js';
import { toCents } from './format.js';

export const Totals = z.object({
  /** Counted billed sales in whole US cents (integers, so incremental and full sums agree exactly). */
  cents: z.number().int().min(0),
  /** Seats sold on counted transactions, for every offer; evaluation keeps Microsoft 365 apps only. */
  seats: z.number().int().min(0),
});
export type Totals = z.infer<typeof Totals>;

/** A transaction that does not count (fraud, or either cancellation kind), kept so the status can say why. */
export const ExcludedTransaction = z.object({
  offerId: Id,
  date: IsoDate,
  cents: z.number().int().min(0),
  seats: z.number().int().min(0),
  status: z.enum(['fraud', 'cancelled_accidental', 'cancelled_before_use']),
});
export type ExcludedTransaction = z.infer<typeof ExcludedTransaction>;

export const SalesAggregates = z.object({
  version: z.literal(1),
  /** offerId → date → totals. Days and offers with nothing counted are absent. */
  offers: z.record(Id, z.record(IsoDate, Totals)),
  /** offerId → month → totals: the same sums by month, so a lookup adds a few dozen numbers. */
  months: z.record(Id, z.record(IsoMonth, Totals)),
  /** transactionId → the transactions that do not count (few: fraud and cancellations). */
  excluded: z.record(z.string(), ExcludedTransaction),
});
export type SalesAggregates = z.infer<typeof SalesAggregates>;

/** One offer's slice of the aggregates. */
export interface OfferTotals {
  days: Record<string, Totals>;
  months: Record<string, Totals>;
}

export function emptyAggregates(): SalesAggregates {
  return { version: 1, offers: {}, months: {}, excluded: {} };
}

/** Only billed transactions count: fraud and both cancellation kinds earn nothing (PROGRAM-RULES.md). */
export function counts(t: Transaction): boolean {
  return t.status === 'billed';
}

/** One change to the ledger: an insert (no before), an update or status change, or a delete (no after). */
export interface TransactionChange {
  before: Transaction | undefined;
  after: Transaction | undefined;
  offer: Offer;
}

/**
 * Applies one ledger change and returns the new aggregates (the input is not modified).
 * `offer` is the offer both versions belong to; a transaction moved to another offer is two changes.
 */
export function applyTransactionChange(
  agg: SalesAggregates,
  before: Transaction | undefined,
  after: Transaction | undefined,
  offer: Offer,
): SalesAggregates {
  return applyTransactionChanges(agg, [{ before, after, offer }]);
}

/** Applies many changes, copying each touched offer's maps once (imports of many rows). */
export function applyTransactionChanges(agg: SalesAggregates, changes: readonly TransactionChange[]): SalesAggregates {
  const offers = { ...agg.offers };
  const months = { ...agg.months };
  const excluded = { ...agg.excluded };
  const copied = new Set<string>();
  const totalsOf = (offerId: string): OfferTotals => {
    if (!copied.has(offerId)) {
      offers[offerId] = { ...offers[offerId] };
      months[offerId] = { ...months[offerId] };
      copied.add(offerId);
    }
    return { days: offers[offerId] as Record<string, Totals>, months: months[offerId] as Record<string, Totals> };
  };
  for (const { before, after, offer } of changes) {
    for (const t of [before, after]) {
      if (t !== undefined && t.offerId !== offer.id) {
        throw new Error(`transaction ${t.id} belongs to offer ${t.offerId}, not ${offer.id}`);
      }
    }
    if (before !== undefined && counts(before)) add(totalsOf(offer.id), before, -1);
    if (before !== undefined && !counts(before)) delete excluded[before.id];
    if (after !== undefined && counts(after)) add(totalsOf(offer.id), after, 1);
    if (after !== undefined && !counts(after)) excluded[after.id] = exclusionOf(after);
  }
  const result = { version: 1 as const, offers, months, excluded };
  for (const id of copied) dropIfEmpty(result, id);
  return result;
}

/** Rebuilds the aggregates from the ledger; transactions of offers not listed are ignored. */
export function recomputeAggregates(transactions: Iterable<Transaction>, offers: readonly Offer[]): SalesAggregates {
  const known = new Set(offers.map((o) => o.id));
  const result = emptyAggregates();
  for (const t of transactions) {
    if (!known.has(t.offerId)) continue;
    if (!counts(t)) {
      result.excluded[t.id] = exclusionOf(t);
      continue;
    }
    add({ days: (result.offers[t.offerId] ??= {}), months: (result.months[t.offerId] ??= {}) }, t, 1);
  }
  for (const id of Object.keys(result.offers)) dropIfEmpty(result, id);
  return result;
}

function exclusionOf(t: Transaction): ExcludedTransaction {
  return { offerId: t.offerId, date: t.date, cents: toCents(t.billedUsd), seats: t.seats, status: t.status as ExcludedTransaction['status'] };
}

function add(entry: OfferTotals, t: Transaction, sign: 1 | -1): void {
  const cents = sign * toCents(t.billedUsd);
  const seats = sign * t.seats;
  bump(entry.days, t.date, cents, seats, t);
  bump(entry.months, t.date.slice(0, 7), cents, seats, t);
}

function bump(map: Record<string, Totals>, key: string, cents: number, seats: number, t: Transaction): void {
  const cur = map[key] ?? { cents: 0, seats: 0 };
  const next = { cents: cur.cents + cents, seats: cur.seats + seats };
  if (next.cents < 0 || next.seats < 0) {
    // Removing what was never added means the caller's "before" is not what the store had.
    throw new Error(`aggregates out of step with the ledger at offer ${t.offerId}, ${t.date}`);
  }
  if (next.cents === 0 && next.seats === 0) delete map[key];
  else map[key] = next;
}

function dropIfEmpty(agg: SalesAggregates, id: string): void {
  // Months empty ⇔ days empty; a $0, no-seat transaction leaves nothing behind.
  if (Object.keys(agg.months[id] ?? {}).length === 0) {
    delete agg.offers[id];
    delete agg.months[id];
  }
}

/**
 * Sums the totals of one offer for dates in [from, to] (from null = since the beginning):
 * whole months from the month index, the edge months day by day.
 */
export function sumOffer(entry: OfferTotals, from: string | null, to: string): Totals {
  const fromMonth = from?.slice(0, 7) ?? '';
  const toMonth = to.slice(0, 7);
  let cents = 0;
  let seats = 0;
  for (const month in entry.months) {
    if (month > toMonth || month < fromMonth) continue;
    if (month !== toMonth && month !== fromMonth) {
      const m = entry.months[month] as Totals;
      cents += m.cents;
      seats += m.seats;
      continue;
    }
    for (let d = 1; d <= 31; d++) {
      const date = `${month}-${d < 10 ? '0' : ''}${d}`;
      if (date > to || (from !== null && date < from)) continue;
      const day = entry.days[date];
      if (day) {
        cents += day.cents;
        seats += day.seats;
      }
    }
  }
  return { cents, seats };
}

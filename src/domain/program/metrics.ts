/** Company-level metrics that decide the tier: counted billed sales, seats and Teams app MAU. */
import type { MauMetric, Offer } from '../model.js';
import { sumOffer, type SalesAggregates } from './aggregates.js';
import { addDays, addMonths } from './dates.js';
import type { Edition } from './edition.js';

export interface CountedMetrics {
  /** Billed sales in the edition's window, fraud and cancellations excluded, in whole cents. */
  billedSalesCents: number;
  /**
   * Seats on Microsoft 365–integrated offers; null when seats do not apply: the edition has none,
   * its deadline passed, or the publisher has no Microsoft 365 app (so no "or N seats" advice).
   */
  seats: number | null;
  /** Company Teams app MAU; null when the edition does not use MAU. */
  mau: number | null;
  /** First day of the sales window (null = since the beginning). */
  salesFrom: string | null;
}

/** True while the edition lets seats count toward the tier (on or before its deadline). */
export function seatsCount(edition: Edition, asOf: string): boolean {
  return edition.seats !== null && asOf <= edition.seats.benefitsCompleteBy;
}

/** The first day of the edition's sales window ending on `asOf` (inclusive), or null for lifetime. */
export function salesWindowStart(edition: Edition, asOf: string): string | null {
  return edition.salesWindow === 'trailing_12_months' ? addDays(addMonths(asOf, -12), 1) : null;
}

/**
 * Sums the aggregates of the publisher's offers. Sales dated after `asOf` never count, so an
 * evaluation as of a past date gives what the publisher saw then.
 */
export function countMetrics(
  edition: Edition,
  offers: readonly Offer[],
  aggregates: SalesAggregates,
  mau: readonly MauMetric[],
  asOf: string,
): CountedMetrics {
  const from = salesWindowStart(edition, asOf);
  const withSeats = seatsCount(edition, asOf) && offers.some((o) => o.m365Integrated);
  let cents = 0;
  let seats = 0;
  for (const offer of offers) {
    const days = aggregates.offers[offer.id];
    const months = aggregates.months[offer.id];
    if (days === undefined || months === undefined) continue;
    const totals = sumOffer({ days, months }, from, asOf);
    cents += totals.cents;
    if (withSeats && offer.m365Integrated) seats += totals.seats;
  }
  return {
    billedSalesCents: cents,
    seats: withSeats ? seats : null,
    mau: edition.mau ? companyMau(offers, mau, asOf) : null,
    salesFrom: from,
  };
}

/**
 * MAU of the latest month (not after `asOf`) with any figure, summed over the publisher's offers:
 * MAU is a monthly snapshot, so older months say nothing about today's users.
 */
function companyMau(offers: readonly Offer[], metrics: readonly MauMetric[], asOf: string): number {
  const ids = new Set(offers.map((o) => o.id));
  const month = asOf.slice(0, 7);
  let latest = '';
  for (const m of metrics) if (ids.has(m.offerId) && m.month <= month && m.month > latest) latest = m.month;
  let total = 0;
  for (const m of metrics) if (ids.has(m.offerId) && m.month === latest) total += m.mau;
  return total;
}

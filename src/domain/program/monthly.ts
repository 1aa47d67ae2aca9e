/**
 * Counted billed sales month by month, for the dashboard's chart: the same aggregates and window
 * the tier is computed from, so the months add up to the evaluation's counted total.
 */
import type { Activation, Offer } from '../model.js';
import { sumOffer, type SalesAggregates } from './aggregates.js';

export interface MonthOfSales {
  /** `YYYY-MM`. */
  month: string;
  countedUsd: number;
  /** Seats on Microsoft 365 apps in the month (shown only where seats count). */
  seats: number;
}

/**
 * Every month from the window start (or the first month with sales) to `asOf`'s month, empty
 * months included; the edge months hold only the days inside [from, asOf].
 */
export function monthlySales(aggregates: SalesAggregates, offers: readonly Offer[], from: string | null, asOf: string): MonthOfSales[] {
  const ids = offers.map((o) => o.id).filter((id) => aggregates.months[id] && aggregates.offers[id]);
  const m365 = new Set(offers.filter((o) => o.m365Integrated).map((o) => o.id));
  const first = from?.slice(0, 7) ?? ids.flatMap((id) => Object.keys(aggregates.months[id]!)).sort()[0];
  const last = asOf.slice(0, 7);
  if (!first || first > last) return [];
  const out: MonthOfSales[] = [];
  for (let month = first; month <= last; month = nextMonth(month)) {
    const start = from && from > `${month}-01` ? from : `${month}-01`;
    const end = asOf < `${month}-31` ? asOf : `${month}-31`;
    let cents = 0;
    let seats = 0;
    for (const id of ids) {
      const t = sumOffer({ days: aggregates.offers[id]!, months: aggregates.months[id]! }, start, end);
      cents += t.cents;
      if (m365.has(id)) seats += t.seats;
    }
    out.push({ month, countedUsd: cents / 100, seats });
  }
  return out;
}

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The one-week promise broken: activated, nobody from the Rewards team in touch, and past due. */
export function activationOverdue(a: Pick<Activation, 'state' | 'dueAt'>, now: string): boolean {
  return a.state === 'activated' && a.dueAt < now;
}

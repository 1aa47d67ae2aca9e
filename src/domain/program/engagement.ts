/** Engagement-manager windows: a fixed window per list / trial / consulting offer, evergreen for transact. */
import type { Offer } from '../model.js';
import { addDays, addMonths, daysBetween } from './dates.js';
import type { Edition } from './edition.js';

export type Engagement =
  /** `end` is the last day inside the window; `daysLeft` counts `asOf` itself (1 on the last day). */
  | { kind: 'window'; start: string; end: string; daysLeft: number; over: boolean }
  | { kind: 'evergreen' };

/** Live now: status live and (when known) a live date not after `asOf`. */
export function isLive(offer: Offer, asOf: string): boolean {
  return offer.status === 'live' && (offer.liveDate === null || offer.liveDate <= asOf);
}

/**
 * The offer's engagement, or null when it has no live date yet (a window starts at going live).
 * Each offer gets its own window, so publishing a new offer starts a new one.
 */
export function engagementFor(edition: Edition, offer: Offer, asOf: string): Engagement | null {
  if (offer.listingType === 'transact') return { kind: 'evergreen' };
  if (offer.liveDate === null) return null;
  const start = offer.liveDate;
  const end = addDays(addMonths(start, edition.engagementMonths), -1);
  const over = asOf > end;
  const daysLeft = over ? 0 : Math.min(daysBetween(asOf, end) + 1, daysBetween(start, end) + 1);
  return { kind: 'window', start, end, daysLeft, over };
}

/**
 * The first day the offer has been live *more than* the edition's nudge delay (four weeks, three in
 * FY24): from then, a publisher with no Rewards message should check who owns the offer.
 */
export function noContactCheckFrom(edition: Edition, offer: Offer): string | null {
  return offer.liveDate === null ? null : addDays(offer.liveDate, edition.noContactNudgeDays + 1);
}

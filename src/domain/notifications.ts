/**
 * Which automatic messages are due, as pure rules. One rule per message, used by every place that
 * talks about it: the help card and the notification scan must never disagree.
 */
import type { Offer, ProgramState } from './model.js';
import { addDays } from './program/dates.js';

/**
 * PROGRAM-RULES.md, operating rules: an offer live *more than* the edition's delay (four weeks; three
 * in 2023) with no Rewards message yet means "check who owns the offer, then raise a ticket". A
 * message arrived when the Rewards team marked one of the offer's activations contacted; an offer
 * opted out of engagement expects no message. True from the first day after the delay.
 */
export function noContactDue(offer: Pick<Offer, 'id' | 'status' | 'liveDate'>, state: Pick<ProgramState, 'activations' | 'optedOut'>, today: string, nudgeDays: number): boolean {
  if (offer.status !== 'live' || offer.liveDate === null) return false;
  if (addDays(offer.liveDate, nudgeDays) >= today) return false;
  if (state.optedOut.includes(offer.id)) return false;
  return !state.activations.some((a) => a.offerId === offer.id && a.contactedAt !== null);
}

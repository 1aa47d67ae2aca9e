/**
 * Evaluation: given a publisher's offers, sales aggregates, MAU and program state, what tier it is
 * in and the state of every benefit on every offer. Pure and deterministic: `asOf` is an input.
 */
import type { ListingType, MauMetric, Offer, OfferStatus, ProgramState, Publisher, RevocationReason } from '../model.js';
import type { ExcludedTransaction, SalesAggregates } from './aggregates.js';
import { appliesTo, benefitStatus, REVOCATION_REASON_TEXT, type BenefitStatus } from './benefits.js';
import { formatDate } from './dates.js';
import type { Edition } from './edition.js';
import { engagementFor, isLive, noContactCheckFrom, type Engagement } from './engagement.js';
import { countMetrics, seatsCount } from './metrics.js';
import { nextTier, tierByMetric, tierName, tierOf, type NextTier, type TierByMetric } from './tiers.js';

export interface EvaluationInput {
  edition: Edition;
  publisher: Publisher;
  /** The publisher's offers (others are ignored). */
  offers: readonly Offer[];
  aggregates: SalesAggregates;
  mau: readonly MauMetric[];
  state: ProgramState;
  /** The day the evaluation is for, `YYYY-MM-DD`. */
  asOf: string;
  /** false skips the per-benefit states (a status summary needs only tier, metrics and windows). */
  benefits?: boolean;
  /**
   * true lists the excluded transactions (`excluded`, `excludedCount`): a pass over all of them, so
   * only for the views that show them (status card, dashboard); otherwise they are left empty.
   */
  excluded?: boolean;
}

export interface OfferEvaluation {
  offerId: string;
  name: string;
  listingType: ListingType;
  status: OfferStatus;
  optedOut: boolean;
  /** null while the offer has no live date. */
  engagement: Engagement | null;
  /** From this day, no Rewards message yet means: check who owns the offer, then raise a ticket. */
  noContactCheckFrom: string | null;
  benefits: BenefitStatus[];
}

export interface Evaluation {
  edition: string;
  asOf: string;
  publisherId: string;
  /** null when the publisher has no live offer (tier 0 needs one). */
  tier: number | null;
  tierName: string;
  /** Billed sales in the edition's window after fraud and cancellations. */
  countedBilledSalesUsd: number;
  /** First day of the sales window; null = lifetime. */
  salesFrom: string | null;
  /** null when seats do not count (edition without seats, or after its seat deadline). */
  countedSeats: number | null;
  /** null when the edition does not use Teams app MAU. */
  countedMau: number | null;
  tierByMetric: TierByMetric;
  nextTier: NextTier | null;
  enrolled: boolean;
  hasContact: boolean;
  revocation: { reason: RevocationReason; text: string; note: string } | null;
  /** Dynamics 365 offers on AppSource: point the publisher to this program as well. */
  isvConnect: { program: string; offerIds: string[] };
  /** Edition-level facts the publisher should read with the figures. */
  notes: string[];
  /**
   * The latest {@link EXCLUDED_SHOWN} transactions in the sales window that do not count (fraud,
   * cancellations), oldest first; `excludedCount` says how many there are in all.
   */
  excluded: ExcludedLine[];
  excludedCount: number;
  offers: OfferEvaluation[];
}

/** One excluded transaction as an evaluation shows it. */
export interface ExcludedLine {
  transactionId: string;
  offerId: string;
  date: string;
  billedUsd: number;
  seats: number;
  status: ExcludedTransaction['status'];
}

/** How many excluded transactions an evaluation lists (a card has room for a few, not for thousands). */
export const EXCLUDED_SHOWN = 20;

/** By date, then id: the same transactions give the same list whatever order they arrived in. */
const byDateThenId = (a: ExcludedLine, b: ExcludedLine) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.transactionId < b.transactionId ? -1 : a.transactionId > b.transactionId ? 1 : 0);

/**
 * The latest EXCLUDED_SHOWN excluded transactions in the window, and how many there are: one pass
 * keeping a short sorted list, so a publisher with 300,000 refunds costs a scan, not a sort.
 */
function latestExcluded(all: Readonly<Record<string, ExcludedTransaction>>, from: string | null, asOf: string, offerIds: ReadonlySet<string>): { excluded: ExcludedLine[]; excludedCount: number } {
  const kept: ExcludedLine[] = [];
  let count = 0;
  for (const transactionId in all) {
    const x = all[transactionId]!;
    if ((from !== null && x.date < from) || x.date > asOf || !offerIds.has(x.offerId)) continue;
    count++;
    if (kept.length === EXCLUDED_SHOWN) {
      // Not later than the earliest kept: skip before allocating anything (most entries end here).
      const first = kept[0]!;
      if (x.date < first.date || (x.date === first.date && transactionId <= first.transactionId)) continue;
    }
    const line: ExcludedLine = { transactionId, offerId: x.offerId, date: x.date, billedUsd: x.cents / 100, seats: x.seats, status: x.status };
    let i = kept.length;
    while (i > 0 && byDateThenId(kept[i - 1]!, line) > 0) i--;
    kept.splice(i, 0, line);
    if (kept.length > EXCLUDED_SHOWN) kept.shift();
  }
  return { excluded: kept, excludedCount: count };
}

export function evaluate(input: EvaluationInput): Evaluation {
  const { edition, publisher, aggregates, mau, state, asOf } = input;
  const offers = input.offers.filter((o) => o.publisherId === publisher.id);
  const metrics = countMetrics(edition, offers, aggregates, mau, asOf);
  const byMetric = tierByMetric(edition, metrics);
  const hasLiveOffer = offers.some((o) => isLive(o, asOf));
  const tier = tierOf(byMetric, hasLiveOffer);
  const tierWithoutSeats = tierOf({ ...byMetric, seats: null }, hasLiveOffer);

  const notes: string[] = [];
  // Only publishers with a Microsoft 365 app ever had seats to count.
  if (edition.seats !== null && offers.some((o) => o.m365Integrated)) {
    const deadline = formatDate(edition.seats.benefitsCompleteBy);
    if (!seatsCount(edition, asOf)) {
      notes.push(`Seats stopped counting after ${deadline}; benefits earned through seats had to be completed by then.`);
    } else if (metrics.seats !== null) {
      notes.push(`Seats count for Microsoft 365 apps only; benefits earned through seats must be completed by ${deadline}.`);
    }
  }
  if (metrics.salesFrom !== null) notes.push(`Billed sales count from ${formatDate(metrics.salesFrom)} (the last 12 months).`);

  return {
    edition: edition.id,
    asOf,
    publisherId: publisher.id,
    tier,
    tierName: tierName(edition, tier),
    countedBilledSalesUsd: metrics.billedSalesCents / 100,
    salesFrom: metrics.salesFrom,
    countedSeats: metrics.seats,
    countedMau: metrics.mau,
    tierByMetric: byMetric,
    nextTier: nextTier(edition, tier, metrics),
    enrolled: state.enrolment !== null,
    hasContact: state.contact !== null,
    revocation: state.revocation
      ? { reason: state.revocation.reason, text: REVOCATION_REASON_TEXT[state.revocation.reason], note: state.revocation.note }
      : null,
    isvConnect: {
      program: edition.isvConnectProgram,
      offerIds: offers.filter((o) => o.dynamics365 && o.marketplace === 'appsource' && isLive(o, asOf)).map((o) => o.id),
    },
    notes,
    ...(input.excluded ? latestExcluded(aggregates.excluded ?? {}, metrics.salesFrom, asOf, new Set(offers.map((o) => o.id))) : { excluded: [], excludedCount: 0 }),
    offers: offers.map((offer) => {
      const engagement = engagementFor(edition, offer, asOf);
      return {
        offerId: offer.id,
        name: offer.name,
        listingType: offer.listingType,
        status: offer.status,
        optedOut: state.optedOut.includes(offer.id),
        engagement,
        noContactCheckFrom: noContactCheckFrom(edition, offer),
        benefits: (input.benefits === false ? [] : edition.benefits)
          .filter((b) => appliesTo(b, offer))
          .map((b) => benefitStatus(b, { edition, offer, asOf, tier, tierWithoutSeats, metrics, engagement, state })),
      };
    }),
  };
}

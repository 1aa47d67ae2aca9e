/** The state of one benefit on one offer, and why, in words a publisher understands. */
import type { Activation, Offer, ProgramState, RevocationReason } from '../model.js';
import { dateOf, formatDate } from './dates.js';
import type { BenefitCategory, BenefitDefinition, Edition } from './edition.js';
import type { Engagement } from './engagement.js';
import type { CountedMetrics } from './metrics.js';
import { tierGapReason } from './tiers.js';

export type BenefitState = 'locked' | 'available' | 'activated' | 'in_progress' | 'completed' | 'expired' | 'revoked';

export interface BenefitStatus {
  id: string;
  name: string;
  category: BenefitCategory;
  /** `activate` (the Activate button) or `tech_request` (the Submit request form). */
  use: 'activate' | 'tech_request';
  state: BenefitState;
  /** Why it is not available (or why it ended); empty when available or running. */
  reasons: string[];
  /** Good to know, never blocking (country availability of sponsorship, seat deadline…). */
  notes: string[];
  /** Azure sponsorship at the publisher's tier (or at the unlocking tier while locked). */
  sponsorshipUsd?: number;
  activationId?: string;
}

/** What Microsoft's revocation reasons mean, completing "Benefits revoked: …". */
export const REVOCATION_REASON_TEXT: Record<RevocationReason, string> = {
  illegal_activity: 'illegal activity using the listing',
  fraudulent_purchase: 'a purchase known or believed to be fraudulent',
  delisted: 'the offer was de-listed from the commercial marketplace',
  copyright_or_trademark: 'content that violates copyright or trademark law',
  sponsorship_policy: 'a violation of the Azure sponsorship policies',
};

/** Reason stored on activations revoked because a correction lowered the tier. */
export const TIER_CORRECTED = 'tier corrected';

/** Whether the catalog offers this benefit to this kind of offer at all. */
export function appliesTo(b: BenefitDefinition, offer: Offer): boolean {
  return offer.listingType === 'transact'
    ? b.fromTier !== null
    : (b.listingTypes as readonly string[]).includes(offer.listingType);
}

/** Whether the tier unlocks it on this offer (non-transact benefits do not depend on the tier). */
export function unlockedByTier(b: BenefitDefinition, offer: Offer, tier: number | null): boolean {
  if (offer.listingType !== 'transact') return true;
  return b.fromTier !== null && tier !== null && tier >= b.fromTier;
}

/** Reasons from the catalog's restriction marks that apply to this offer. */
export function markReasons(b: BenefitDefinition, offer: Offer): string[] {
  const reasons: string[] = [];
  const has = (m: string): boolean => (b.marks as readonly string[]).includes(m);
  if (has('+') && offer.byol) reasons.push('Not available for BYOL offers');
  if (has('P') && offer.private) reasons.push('Not available for private offers');
  if (has('V') && offer.private && !offer.hasPublicListing) {
    reasons.push('A private offer needs a public listing of the same solution');
  }
  if (has('#') && !offer.listingOptimizationCompleted) reasons.push('Complete the listing optimization first');
  if (has('C') && !offer.coSellReady) reasons.push('Needs a co-sell ready listing');
  return reasons;
}

export interface BenefitContext {
  edition: Edition;
  offer: Offer;
  asOf: string;
  tier: number | null;
  /** The tier without seats: tells seat-earned benefits apart. */
  tierWithoutSeats: number | null;
  metrics: CountedMetrics;
  engagement: Engagement | null;
  state: ProgramState;
}

export function benefitStatus(b: BenefitDefinition, ctx: BenefitContext): BenefitStatus {
  const { edition, offer, asOf, tier, state } = ctx;
  const status: BenefitStatus = {
    id: b.id,
    name: b.name,
    category: b.category,
    use: b.use,
    state: 'available',
    reasons: [],
    notes: [],
  };
  const amount = sponsorshipAt(b, offer, tier);
  if (amount !== undefined) status.sponsorshipUsd = amount;
  if (b.marks.includes('^')) status.notes.push('Sponsorship depends on Azure availability in your country');
  const deadline = edition.seats?.benefitsCompleteBy;
  const seatEarned =
    deadline !== undefined && asOf <= deadline && unlockedByTier(b, offer, tier) && !unlockedByTier(b, offer, ctx.tierWithoutSeats);
  if (seatEarned) status.notes.push(`Earned through seats: it must be completed by ${formatDate(deadline)}`);

  const mine = state.activations.filter((a) => a.offerId === offer.id && a.benefitId === b.id);
  const open = findLast(mine, (a) => a.state !== 'revoked');
  const revoked = findLast(mine, (a) => a.state === 'revoked');
  const publisherRevoked = state.revocation
    ? `Benefits revoked: ${REVOCATION_REASON_TEXT[state.revocation.reason]}`
    : null;
  const set = (s: BenefitState, reasons: string[] = [], activation?: Activation): BenefitStatus => {
    status.state = s;
    status.reasons = reasons;
    if (activation) status.activationId = activation.id;
    return status;
  };

  if (open) {
    if (open.state === 'completed') return set('completed', [], open);
    if (publisherRevoked) return set('revoked', [publisherRevoked], open);
    const seatDeadlinePassed =
      deadline !== undefined && asOf > deadline && dateOf(open.activatedAt) <= deadline && !unlockedByTier(b, offer, tier);
    if (seatDeadlinePassed) {
      return set('expired', [`Benefits earned through seats had to be completed by ${formatDate(deadline)}`], open);
    }
    return set(open.state, [], open);
  }
  if (publisherRevoked) return set('revoked', [publisherRevoked]);
  const engagement = ctx.engagement;
  if (offer.listingType !== 'transact' && engagement?.kind === 'window' && engagement.over) {
    return set('expired', [
      `The ${edition.engagementMonths}-month engagement window for this offer ended on ${formatDate(engagement.end)}`,
    ]);
  }
  const locks = lockReasons(b, ctx);
  const revokedText = revoked
    ? `Revoked on ${formatDate(dateOf(revoked.revokedAt ?? revoked.activatedAt))}: ${revoked.revokedReason ?? 'no reason given'}`
    : null;
  if (locks.length > 0) return set(revoked ? 'revoked' : 'locked', revokedText ? [revokedText, ...locks] : locks, revoked);
  // A benefit revoked by a correction is usable again once the tier is back.
  if (revokedText) status.notes.push(`${revokedText}. You can activate it again.`);
  return set('available');
}

function lockReasons(b: BenefitDefinition, ctx: BenefitContext): string[] {
  const { offer, asOf, state } = ctx;
  const reasons: string[] = [];
  if (offer.status === 'delisted') reasons.push('The offer was de-listed from the commercial marketplace');
  else if (offer.status === 'draft') reasons.push('The offer is not live yet');
  else if (offer.liveDate !== null && offer.liveDate > asOf) reasons.push(`The offer goes live on ${formatDate(offer.liveDate)}`);
  if (state.optedOut.includes(offer.id)) reasons.push('You opted this offer out of engagement (opt in to use it)');
  // Tier 0 only needs a live offer, which the offer-status reason above already covers.
  if (!unlockedByTier(b, offer, ctx.tier) && b.fromTier !== null && b.fromTier > 0) {
    reasons.push(tierGapReason(ctx.edition, b.fromTier, ctx.metrics));
  }
  reasons.push(...markReasons(b, offer));
  if (state.enrolment === null) reasons.push('Enroll in Marketplace Rewards Program first');
  if (state.contact === null) reasons.push('Needs a marketing contact');
  return reasons;
}

/** Sponsorship for transact offers: the amount of the highest listed tier not above the publisher's. */
function sponsorshipAt(b: BenefitDefinition, offer: Offer, tier: number | null): number | undefined {
  if (offer.listingType !== 'transact' || b.fromTier === null) return undefined;
  const effective = Math.max(tier ?? 0, b.fromTier);
  let best: number | undefined;
  let bestTier = -1;
  for (const [key, usd] of Object.entries(b.sponsorshipUsd)) {
    const t = Number(key);
    if (t <= effective && t > bestTier) {
      best = usd;
      bestTier = t;
    }
  }
  return best;
}

function findLast<T>(items: readonly T[], pred: (t: T) => boolean): T | undefined {
  for (let i = items.length - 1; i >= 0; i--) if (pred(items[i] as T)) return items[i];
  return undefined;
}

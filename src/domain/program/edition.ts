/**
 * A program edition: the tier table, the benefit catalog and the operating figures of one year of
 * Marketplace Rewards, as data (`programs/*.json`). A new year is a new file, not a code change.
 */
import { z } from 'zod';
import { Id, IsoDate, ListingType } from '../model.js';

export const BenefitCategory = z.enum(['marketing', 'sales', 'technical']);
export type BenefitCategory = z.infer<typeof BenefitCategory>;

/**
 * Restriction marks of the public catalog: `+` not for BYOL offers · `#` needs a completed listing
 * optimization · `^` sponsorship depends on country availability · `P` not for private offers ·
 * `V` a private offer needs a public listing of the same solution · `C` needs a co-sell ready listing.
 */
export const RestrictionMark = z.enum(['+', '#', '^', 'P', 'V', 'C']);
export type RestrictionMark = z.infer<typeof RestrictionMark>;

/** `cumulative`: lifetime sales up to the evaluation date; `trailing_12_months`: the 12 months ending on it. */
export const SalesWindow = z.enum(['cumulative', 'trailing_12_months']);
export type SalesWindow = z.infer<typeof SalesWindow>;

const NonTransactListingType = ListingType.exclude(['transact']);

export const TierDefinition = z.object({
  tier: z.number().int().min(0),
  name: z.string().min(1),
  /** Thresholds; a tier is reached when any one is met. Absent = the metric cannot reach this tier. */
  billedSalesUsd: z.number().positive().optional(),
  seats: z.number().int().positive().optional(),
  mau: z.number().int().positive().optional(),
});
export type TierDefinition = z.infer<typeof TierDefinition>;

export const BenefitDefinition = z.object({
  id: Id,
  name: z.string().min(1),
  category: BenefitCategory,
  /** Lowest tier that unlocks it on transact offers (higher tiers keep it); null = not for transact offers. */
  fromTier: z.number().int().min(0).nullable(),
  /** Non-transact listing types that get it during their engagement window. */
  listingTypes: z.array(NonTransactListingType).default([]),
  marks: z.array(RestrictionMark).default([]),
  /** Azure sponsorship amount by tier number (as a string key); a tier uses the highest key not above it. */
  sponsorshipUsd: z.record(z.string().regex(/^\d+$/), z.number().positive()).default({}),
  /** How a publisher uses it: the `Activate` button, or the technical-assistance `Submit request` form. */
  use: z.enum(['activate', 'tech_request']).default('activate'),
  note: z.string().optional(),
});
export type BenefitDefinition = z.infer<typeof BenefitDefinition>;

const EditionShape = z.object({
  id: Id,
  name: z.string().min(1),
  /** Where the figures come from and what was assumed: read by people, never by code. */
  note: z.string().default(''),
  listingTypes: z.array(ListingType).min(1),
  salesWindow: SalesWindow,
  /** Seats sold count (Microsoft 365–integrated offers only) until this date; null = seats never count. */
  seats: z.object({ benefitsCompleteBy: IsoDate }).nullable(),
  /** Whether Teams app monthly active users count toward the tier. */
  mau: z.boolean(),
  categories: z.array(BenefitCategory).min(1),
  /** Engagement-manager window for list / trial / consulting offers, from the live date. */
  engagementMonths: z.number().int().positive(),
  /** Offer live this many days with no Rewards message: tell the publisher to check the offer owner. */
  noContactNudgeDays: z.number().int().positive(),
  /** The Rewards team contacts the marketing contact within this many days of an activation. */
  activationContactDays: z.number().int().positive(),
  /** Name of the Dynamics 365 ISV program publishers are pointed to. */
  isvConnectProgram: z.string().min(1),
  tiers: z.array(TierDefinition).min(1),
  benefits: z.array(BenefitDefinition).min(1),
});

type Metric = 'billedSalesUsd' | 'seats' | 'mau';
const METRICS: readonly Metric[] = ['billedSalesUsd', 'seats', 'mau'];

/** A validated edition. Cross-field rules (tier order, known categories…) are checked too. */
export const Edition = EditionShape.superRefine((e, ctx) => {
  const issue = (path: (string | number)[], message: string): void => {
    ctx.addIssue({ code: 'custom', path, message });
  };
  const last: Partial<Record<Metric, number>> = {};
  e.tiers.forEach((t, i) => {
    if (t.tier !== i) issue(['tiers', i, 'tier'], `expected tier ${i} (tiers are numbered 0, 1, 2… in order)`);
    const used = METRICS.filter((m) => t[m] !== undefined);
    if (i === 0 && used.length > 0) issue(['tiers', 0], 'tier 0 needs only a live offer, no threshold');
    if (i > 0 && used.length === 0) issue(['tiers', i], 'a tier above 0 needs at least one threshold');
    for (const m of used) {
      const value = t[m] as number;
      if (last[m] !== undefined && value <= (last[m] as number)) {
        issue(['tiers', i, m], `must be higher than the previous tier's ${m}`);
      }
      last[m] = value;
    }
    if (t.seats !== undefined && e.seats === null) issue(['tiers', i, 'seats'], 'seats do not count in this edition');
    if (t.mau !== undefined && !e.mau) issue(['tiers', i, 'mau'], 'MAU does not count in this edition');
  });
  const seen = new Set<string>();
  e.benefits.forEach((b, i) => {
    if (seen.has(b.id)) issue(['benefits', i, 'id'], `duplicate benefit id "${b.id}"`);
    seen.add(b.id);
    if (!e.categories.includes(b.category)) issue(['benefits', i, 'category'], `category "${b.category}" is not in this edition`);
    if (b.fromTier !== null && b.fromTier >= e.tiers.length) issue(['benefits', i, 'fromTier'], `no tier ${b.fromTier}`);
    if (b.fromTier !== null && !e.listingTypes.includes('transact')) issue(['benefits', i, 'fromTier'], 'this edition has no transact offers');
    if (b.fromTier === null && b.listingTypes.length === 0) issue(['benefits', i], 'applies to no offer: set fromTier or listingTypes');
    for (const lt of b.listingTypes) {
      if (!e.listingTypes.includes(lt)) issue(['benefits', i, 'listingTypes'], `listing type "${lt}" is not in this edition`);
    }
    for (const key of Object.keys(b.sponsorshipUsd)) {
      const tier = Number(key);
      if (b.fromTier === null || tier < b.fromTier || tier >= e.tiers.length) {
        issue(['benefits', i, 'sponsorshipUsd', key], 'sponsorship tiers must be unlocked tiers of this benefit');
      }
    }
    if (b.use === 'tech_request' && b.category !== 'technical') issue(['benefits', i, 'use'], 'only technical benefits use the request form');
  });
});
export type Edition = z.infer<typeof Edition>;

/** The edition used when `PROGRAM_EDITION` is not set. */
export const DEFAULT_EDITION_ID = '2020';

/**
 * Validates a parsed edition file. Throws an Error naming every bad field, so a broken file stops
 * the process at startup instead of mis-computing tiers later.
 */
export function parseEdition(json: unknown): Edition {
  const result = Edition.safeParse(json);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`invalid program edition:\n${lines.join('\n')}`);
  }
  return result.data;
}

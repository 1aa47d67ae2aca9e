/** Tier from metrics: the highest tier any metric reaches; next tier and the gap per metric. */
import { formatCount, formatUsdCents, toCents } from './format.js';
import type { CountedMetrics } from './metrics.js';
import type { Edition, TierDefinition } from './edition.js';

export interface TierByMetric {
  billedSales: number | null;
  seats: number | null;
  mau: number | null;
}

export interface TierGaps {
  billedSalesUsd?: number;
  seats?: number;
  mau?: number;
}

export interface NextTier {
  tier: number;
  name: string;
  /** How much more of each metric reaches it (only metrics that can reach it now). */
  gaps: TierGaps;
}

/** The highest tier each metric reaches on its own (null: reaches none above 0 or does not count). */
export function tierByMetric(edition: Edition, m: CountedMetrics): TierByMetric {
  let billedSales: number | null = null;
  let seats: number | null = null;
  let mau: number | null = null;
  for (const t of edition.tiers) {
    if (t.billedSalesUsd !== undefined && m.billedSalesCents >= toCents(t.billedSalesUsd)) billedSales = t.tier;
    if (t.seats !== undefined && m.seats !== null && m.seats >= t.seats) seats = t.tier;
    if (t.mau !== undefined && m.mau !== null && m.mau >= t.mau) mau = t.tier;
  }
  return { billedSales, seats, mau };
}

/** Tier = highest tier any metric reaches; 0 with a live offer and no threshold met; null without a live offer. */
export function tierOf(byMetric: TierByMetric, hasLiveOffer: boolean): number | null {
  if (!hasLiveOffer) return null;
  return Math.max(0, byMetric.billedSales ?? 0, byMetric.seats ?? 0, byMetric.mau ?? 0);
}

export function tierName(edition: Edition, tier: number | null): string {
  return tier === null ? 'Not in the program yet (no live offer)' : (edition.tiers[tier] as TierDefinition).name;
}

/** What is still missing, per metric, to reach `tier`. */
export function gapsTo(t: TierDefinition, m: CountedMetrics): TierGaps {
  const gaps: TierGaps = {};
  if (t.billedSalesUsd !== undefined) {
    gaps.billedSalesUsd = Math.max(0, toCents(t.billedSalesUsd) - m.billedSalesCents) / 100;
  }
  if (t.seats !== undefined && m.seats !== null) gaps.seats = Math.max(0, t.seats - m.seats);
  if (t.mau !== undefined && m.mau !== null) gaps.mau = Math.max(0, t.mau - m.mau);
  return gaps;
}

export function nextTier(edition: Edition, tier: number | null, m: CountedMetrics): NextTier | null {
  if (tier === null) return null;
  const t = edition.tiers[tier + 1];
  if (t === undefined) return null;
  return { tier: t.tier, name: t.name, gaps: gapsTo(t, m) };
}

/**
 * "Reach $25,000 in billed sales ($1,200 to go) or 250 Teams app monthly active users (30 to go)":
 * what a publisher must do to reach `tier`, in words.
 */
export function tierGapReason(edition: Edition, tier: number, m: CountedMetrics): string {
  const t = edition.tiers[tier] as TierDefinition;
  const parts: string[] = [];
  if (t.billedSalesUsd !== undefined) {
    const window = edition.salesWindow === 'trailing_12_months' ? ' over the last 12 months' : '';
    const gap = Math.max(0, toCents(t.billedSalesUsd) - m.billedSalesCents);
    parts.push(`${formatUsdCents(toCents(t.billedSalesUsd))} in billed sales${window} (${formatUsdCents(gap)} to go)`);
  }
  if (t.seats !== undefined && m.seats !== null) {
    parts.push(`${formatCount(t.seats)} seats sold in Microsoft 365 apps (${formatCount(Math.max(0, t.seats - m.seats))} to go)`);
  }
  if (t.mau !== undefined && m.mau !== null) {
    parts.push(`${formatCount(t.mau)} Teams app monthly active users (${formatCount(Math.max(0, t.mau - m.mau))} to go)`);
  }
  return `Reach ${parts.join(' or ')}`;
}

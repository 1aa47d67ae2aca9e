/** Publisher-facing number formatting (English, fixed locale so output never depends on the host). */

/** "$25,000" or "$0.01": cents are shown only when there are any. */
export function formatUsdCents(cents: number): string {
  const whole = cents % 100 === 0;
  return `$${(cents / 100).toLocaleString('en-US', {
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  })}`;
}

/** "1,000". */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Whole cents from a USD amount; money is summed in integer cents so totals never drift. */
export function toCents(usd: number): number {
  return Math.round(usd * 100);
}

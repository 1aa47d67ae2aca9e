/** Publisher-facing number formatting (English, fixed locale so output never depends on the host). */

// Number#toLocaleString builds a formatter on every call (~20 µs); evaluation formats dozens of
// amounts per publisher, so the formatters are built once.
const USD_WHOLE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 0 });
const USD_CENTS = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const COUNT = new Intl.NumberFormat('en-US');

/** "$25,000" or "$0.01": cents are shown only when there are any. */
export function formatUsdCents(cents: number): string {
  return `$${(cents % 100 === 0 ? USD_WHOLE : USD_CENTS).format(cents / 100)}`;
}

/** "1,000". */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** Whole cents from a USD amount; money is summed in integer cents so totals never drift. */
export function toCents(usd: number): number {
  return Math.round(usd * 100);
}

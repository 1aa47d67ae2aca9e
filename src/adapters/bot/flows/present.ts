/** Small, fixed-locale formatting for cards. */
const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 0 });
const DAY = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * "$1,234.5": what `USD` gives, spelled out (Intl currency formatting costs several µs a call in a
 * turn). Like ICU, it rounds the shortest decimal form of the number (String(n): 0.015 is "0.015",
 * so $0.02) half away from zero; trailing zeros of the cents go, groups of three get commas.
 * Exponent forms, non-finite and huge amounts go through `USD`.
 */
export const formatUsd = (n: number): string => {
  const text = String(Math.abs(n));
  if (!(Math.abs(n) < 1e13) || text.includes('e')) return USD.format(n);
  const dot = text.indexOf('.');
  const frac = dot < 0 ? '' : text.slice(dot + 1);
  let cents = Number(`${dot < 0 ? text : text.slice(0, dot)}${frac.slice(0, 2).padEnd(2, '0')}`);
  if (frac.length > 2 && frac.charCodeAt(2) >= 53 /* '5' */) cents += 1;
  let int = String(Math.floor(cents / 100));
  for (let at = int.length - 3; at > 0; at -= 3) int = `${int.slice(0, at)},${int.slice(at)}`;
  const c = cents % 100;
  return `${n < 0 || Object.is(n, -0) ? '-' : ''}$${int}${c === 0 ? '' : c % 10 === 0 ? `.${c / 10}` : `.${String(c).padStart(2, '0')}`}`;
};

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "Mar 5, 2026" from a date or an instant: what `DAY` gives, spelled out for four-digit years
 * (Intl formatting costs ~3 µs a call, and a status card shows several dates); other years and
 * invalid dates go through `DAY` (which throws for the latter).
 */
export const formatDay = (isoDateOrInstant: string): string => {
  const d = new Date(isoDateOrInstant.length === 10 ? `${isoDateOrInstant}T00:00:00Z` : isoDateOrInstant);
  const y = d.getUTCFullYear();
  return y >= 1000 && y <= 9999 ? `${SHORT_MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${y}` : DAY.format(d);
};

/** "today", "1 day ago", "12 days ago". */
export function ageInDays(instant: string, now: Date): string {
  const days = Math.floor((now.getTime() - new Date(instant).getTime()) / 86_400_000);
  return days <= 0 ? 'today' : days === 1 ? '1 day ago' : `${days} days ago`;
}

/** A 20-cell text bar with the percentage: "██████░░░░░░░░░░░░░░ 30%". */
export function progressBar(fraction: number, cells = 20): string {
  const f = Math.max(0, Math.min(1, Number.isFinite(fraction) ? fraction : 0));
  const full = Math.floor(f * cells); // full only at 100%
  return `${'█'.repeat(full)}${'░'.repeat(cells - full)} ${Math.floor(f * 100)}%`;
}

/** A day as `formatDay` writes it, with the UTC time: "Nov 26, 2026 14:05 UTC". */
export const formatDateTime = (instant: string): string => `${formatDay(instant)} ${instant.slice(11, 16)} UTC`;

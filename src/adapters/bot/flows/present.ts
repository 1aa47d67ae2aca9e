/** Small, fixed-locale formatting for cards. */
import { formatDate, formatDateTime } from '../../../domain/program/dates.js';

const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 0 });

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

/** "26 Nov 2026" from a date or an instant: the domain's one date format (cards and rule texts agree). */
export const formatDay = formatDate;

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

/** "26 Nov 2026 14:05 UTC". */
export { formatDateTime };

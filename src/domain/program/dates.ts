/**
 * Calendar arithmetic on `YYYY-MM-DD` strings in UTC. Uses `Date.UTC` only to convert; never
 * reads the clock, so every result depends on the inputs alone.
 */

const DAY_MS = 86_400_000;

/** Days since 1970-01-01 for a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

/** The `YYYY-MM-DD` date of a day number. */
export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(dayNumber(date) + days);
}

/** `b - a` in days. */
export function daysBetween(a: string, b: string): number {
  return dayNumber(b) - dayNumber(a);
}

/**
 * Adds calendar months, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29), the way
 * people read "three months from".
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return fromDayNumber(Date.UTC(year, month, Math.min(d, lastDay)) / DAY_MS);
}

/** The calendar date of an ISO instant. */
export function dateOf(instant: string): string {
  return instant.slice(0, 10);
}

/** An ISO instant plus whole days. */
export function addDaysToInstant(instant: string, days: number): string {
  return new Date(Date.parse(instant) + days * DAY_MS).toISOString();
}

const SHORT_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * "26 Nov 2026": the one way cards and messages write a day (the program runs in English; day
 * first with a short month name reads the same to US and European readers). Takes a `YYYY-MM-DD`
 * date or an ISO instant (its UTC day); an invalid one throws a RangeError.
 */
export function formatDate(dateOrInstant: string): string {
  const d = new Date(dateOrInstant.length === 10 ? `${dateOrInstant}T00:00:00Z` : dateOrInstant);
  const t = d.getTime();
  if (Number.isNaN(t)) throw new RangeError(`Invalid date: ${dateOrInstant.slice(0, 40)}`);
  return `${d.getUTCDate()} ${SHORT_MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

/** "26 Nov 2026 14:05 UTC": a day as `formatDate` writes it, with the UTC time. */
export function formatDateTime(instant: string): string {
  const d = new Date(instant);
  return `${formatDate(instant)} ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} UTC`;
}

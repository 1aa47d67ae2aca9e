import { expect } from 'chai';
import fc from 'fast-check';
import { formatDay, formatUsd } from '../../src/adapters/bot/flows/present.js';

/** What formatDay is defined as: Intl's en-US short date in UTC. */
const DAY = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const intl = (s: string) => DAY.format(new Date(s.length === 10 ? `${s}T00:00:00Z` : s));

describe('formatDay', () => {
  it('when any day from 1999 to 2040 is formatted, then it reads as Intl formats it', () => {
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2041, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      expect(formatDay(day), day).to.equal(intl(day));
    }
  });

  it('when any instant or date of any year is formatted, then it reads as Intl formats it, and invalid ones throw alike', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(-3000, 0, 1)), max: new Date(Date.UTC(12000, 0, 1)), noInvalidDate: true }), (d) => {
        const instant = d.toISOString();
        expect(formatDay(instant)).to.equal(intl(instant));
        if (/^\d{4}-/.test(instant)) expect(formatDay(instant.slice(0, 10))).to.equal(intl(instant.slice(0, 10)));
      }),
      { numRuns: 2000 },
    );
    for (const s of ['2026-03-05T23:30:00-02:00', '0999-12-31', '2026-13-01', 'not a date']) {
      let expected: string;
      try {
        expected = intl(s);
      } catch {
        expect(() => formatDay(s), s).to.throw(RangeError);
        continue;
      }
      expect(formatDay(s), s).to.equal(expected);
    }
  });
});

describe('formatUsd', () => {
  const USD = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 0 });

  it('when any amount is formatted, then it reads as Intl formats it', () => {
    const amounts = fc.oneof(
      fc.double({ noNaN: false }),
      fc.integer({ min: -1e9, max: 1e9 }).map((c) => c / 100),
      fc.integer({ min: -1e7, max: 1e7 }).map((c) => c / 1000),
      fc.constantFrom(0, -0, 0.005, 0.015, 0.125, -0.125, 1.005, 999.995, 999999.999, 1e15, -1e15, 123456789012.345, Infinity, -Infinity, NaN, 0.001, -0.001),
    );
    fc.assert(
      fc.property(amounts, (n) => {
        expect(formatUsd(n), String(n)).to.equal(USD.format(n));
      }),
      { numRuns: 5000 },
    );
  });
});

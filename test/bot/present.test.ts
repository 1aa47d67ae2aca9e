import { expect } from 'chai';
import fc from 'fast-check';
import { formatDateTime, formatDay, formatUsd } from '../../src/adapters/bot/flows/present.js';
import { formatDate } from '../../src/domain/program/index.js';

/** What formatDay is defined as: day, short English month, year, of the UTC day. */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const spelled = (d: Date) => `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;

describe('formatDay (the one date format on cards)', () => {
  it('when any day from 1999 to 2040 is formatted, then it reads "26 Nov 2026", the same as the domain\'s formatDate', () => {
    for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2041, 0, 1); t += 86_400_000) {
      const day = new Date(t).toISOString().slice(0, 10);
      expect(formatDay(day), day).to.equal(spelled(new Date(t)));
      expect(formatDate(day), day).to.equal(formatDay(day));
    }
    expect(formatDay('2026-11-26')).to.equal('26 Nov 2026');
    expect(formatDateTime('2026-11-26T14:05:59.000Z')).to.equal('26 Nov 2026 14:05 UTC');
  });

  it('when any instant is formatted, then it is its UTC day; invalid dates throw', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(Date.UTC(1000, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true }), (d) => {
        expect(formatDay(d.toISOString())).to.equal(spelled(d));
      }),
      { numRuns: 2000 },
    );
    expect(formatDay('2026-03-05T23:30:00-02:00')).to.equal('6 Mar 2026');
    for (const s of ['2026-13-01', 'not a date']) expect(() => formatDay(s), s).to.throw(RangeError);
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

/**
 * Excluded transactions in an evaluation: the latest few, in a stable order, and how many in all,
 * so a publisher with thousands of refunds gets a readable card and a cheap evaluation.
 */
import { expect } from 'chai';
import type { Transaction } from '../../src/domain/model.js';
import { EXCLUDED_SHOWN } from '../../src/domain/program/evaluate.js';
import { E2020, offer, run } from './fixtures.js';

describe('excluded transactions in an evaluation', () => {
  const day = (n: number) => new Date(Date.UTC(2020, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

  it('when there are more than fit on a card, then the latest are listed oldest first and the count covers them all', () => {
    const ts: Transaction[] = [];
    for (let i = 0; i < 50; i++) ts.push({ id: `x${String(i).padStart(2, '0')}`, offerId: 'saas', date: day(i), billedUsd: 10, seats: 0, status: i % 2 ? 'fraud' : 'cancelled_accidental' });
    ts.push({ id: 'late', offerId: 'saas', date: day(400), billedUsd: 10, seats: 0, status: 'fraud' }); // after asOf: not listed
    ts.push({ id: 'b1', offerId: 'saas', date: day(1), billedUsd: 99, seats: 0, status: 'billed' });
    const e = run({ edition: E2020, offers: [offer()], transactions: [...ts].reverse(), asOf: day(200), excluded: true });
    expect(e.excludedCount).to.equal(50);
    expect(e.excluded).to.have.length(EXCLUDED_SHOWN);
    expect(e.excluded.map((x) => x.transactionId)).to.deep.equal(Array.from({ length: EXCLUDED_SHOWN }, (_, i) => `x${30 + i}`));
    expect(run({ edition: E2020, offers: [offer()], transactions: ts, asOf: day(200), excluded: true }).excluded).to.deep.equal(e.excluded);
  });

  it('when there are few, then all are listed and counted', () => {
    const ts: Transaction[] = [
      { id: 'b', offerId: 'saas', date: day(3), billedUsd: 5, seats: 0, status: 'fraud' },
      { id: 'a', offerId: 'saas', date: day(3), billedUsd: 5, seats: 0, status: 'cancelled_before_use' },
    ];
    const e = run({ edition: E2020, offers: [offer()], transactions: ts, asOf: day(200), excluded: true });
    expect(e.excludedCount).to.equal(2);
    expect(e.excluded.map((x) => x.transactionId)).to.deep.equal(['a', 'b']);
  });

  it('when the view does not show them, then they are not listed (no pass over them)', () => {
    const ts: Transaction[] = [{ id: 'a', offerId: 'saas', date: day(3), billedUsd: 5, seats: 0, status: 'fraud' }];
    const e = run({ edition: E2020, offers: [offer()], transactions: ts, asOf: day(200), excluded: false });
    expect([e.excluded, e.excludedCount]).to.deep.equal([[], 0]);
  });
});

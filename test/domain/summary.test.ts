import { expect } from 'chai';
import { evaluate, recomputeAggregates } from '../../src/domain/program/index.js';
import { E2020, offer, publisher, readyState, tx } from './fixtures.js';

describe('evaluation summary (benefits: false)', () => {
  it('when benefits are skipped, then tier, metrics, windows and notes equal the full evaluation and no benefit is listed', () => {
    const offers = [offer(), offer({ id: 'trial', listingType: 'trial', liveDate: '2020-05-01' })];
    const input = { edition: E2020, publisher: publisher(), offers, aggregates: recomputeAggregates([tx({ billedUsd: 30_000 })], offers), mau: [], state: readyState(), asOf: '2020-06-30' };
    const full = evaluate(input);
    const summary = evaluate({ ...input, benefits: false });
    expect(full.offers.some((o) => o.benefits.length > 0)).to.equal(true);
    expect(summary.offers.every((o) => o.benefits.length === 0)).to.equal(true);
    const strip = (e: typeof full) => ({ ...e, offers: e.offers.map((o) => ({ ...o, benefits: [] })) });
    expect(strip(summary)).to.deep.equal(strip(full));
  });
});

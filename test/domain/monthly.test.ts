import { expect } from 'chai';
import fc from 'fast-check';
import { countMetrics, monthlySales, recomputeAggregates, salesWindowStart } from '../../src/domain/program/index.js';
import { loadEdition } from '../../src/services/program.js';
import { offer, tx } from './fixtures.js';

const saas = offer();
const teams = offer({ id: 'teams', name: 'Contoso for Teams', offerType: 'teams_app', m365Integrated: true });
const OFFERS = [saas, teams];

describe('monthly counted sales (the dashboard chart)', () => {
  it('when sales fall in some months, then every month from the first sale to asOf is listed, empty ones as 0', () => {
    const agg = recomputeAggregates([tx({ id: 'a', date: '2020-01-15', billedUsd: 100 }), tx({ id: 'b', offerId: 'teams', date: '2020-03-02', billedUsd: 50, seats: 4 }), tx({ id: 'c', date: '2020-03-09', billedUsd: 10, status: 'fraud' })], OFFERS);
    expect(monthlySales(agg, OFFERS, null, '2020-04-10')).to.deep.equal([
      { month: '2020-01', countedUsd: 100, seats: 0 },
      { month: '2020-02', countedUsd: 0, seats: 0 },
      { month: '2020-03', countedUsd: 50, seats: 4 },
      { month: '2020-04', countedUsd: 0, seats: 0 },
    ]);
  });

  it('when the window starts mid-month, then the edge months hold only the days inside it', () => {
    const agg = recomputeAggregates([tx({ id: 'a', date: '2020-01-10', billedUsd: 1 }), tx({ id: 'b', date: '2020-01-20', billedUsd: 2 }), tx({ id: 'c', date: '2020-02-25', billedUsd: 4 })], OFFERS);
    expect(monthlySales(agg, OFFERS, '2020-01-15', '2020-02-20')).to.deep.equal([
      { month: '2020-01', countedUsd: 2, seats: 0 },
      { month: '2020-02', countedUsd: 0, seats: 0 },
    ]);
  });

  it('when there are no sales, then the series is empty', () => {
    expect(monthlySales(recomputeAggregates([], OFFERS), OFFERS, null, '2020-04-10')).to.deep.equal([]);
  });

  for (const id of ['2020', 'fy24']) {
    it(`when any ledger is summed by month in edition ${id}, then the months add up to the counted billed sales`, () => {
      const edition = loadEdition(id);
      const day = fc.integer({ min: 0, max: 900 }).map((n) => new Date(Date.UTC(2019, 0, 1) + n * 86_400_000).toISOString().slice(0, 10));
      fc.assert(
        fc.property(fc.array(fc.record({ date: day, cents: fc.integer({ min: 0, max: 10_000_00 }), teams: fc.boolean(), fraud: fc.boolean() }), { maxLength: 30 }), day, (rows, asOf) => {
          const agg = recomputeAggregates(rows.map((r, i) => tx({ id: `t${i}`, offerId: r.teams ? 'teams' : saas.id, date: r.date, billedUsd: r.cents / 100, status: r.fraud ? 'fraud' : 'billed' })), OFFERS);
          const months = monthlySales(agg, OFFERS, salesWindowStart(edition, asOf), asOf);
          const cents = months.reduce((s, m) => s + Math.round(m.countedUsd * 100), 0);
          expect(cents).to.equal(countMetrics(edition, OFFERS, agg, [], asOf).billedSalesCents);
        }),
        { numRuns: 200 },
      );
    });
  }
});

import { expect } from 'chai';
import type { TransactionStatus } from '../../src/domain/model.js';
import { E2020, FY24, offer, run, tx } from './fixtures.js';

const SALES_EDGES: [number, number][] = [
  [499.99, 0], [500, 1],
  [24_999.99, 1], [25_000, 2],
  [49_999.99, 2], [50_000, 3],
  [99_999.99, 3], [100_000, 4],
  [499_999.99, 4], [500_000, 5],
  [999_999.99, 5], [1_000_000, 6],
  [1_999_999.99, 6], [2_000_000, 7],
  [4_999_999.99, 7], [5_000_000, 8],
];

const COUNT_EDGES: [number, number][] = [
  [249, 0], [250, 2], [499, 2], [500, 3], [999, 3], [1_000, 4], [4_999, 4], [5_000, 5],
  [49_999, 5], [50_000, 6], [199_999, 6], [200_000, 7], [499_999, 7], [500_000, 8],
];

describe('tiers', () => {
  describe('billed sales thresholds', () => {
    for (const edition of [E2020, FY24]) {
      for (const [usd, tier] of SALES_EDGES) {
        it(`when ${edition.id} counts $${usd} of billed sales, then the tier is ${tier}`, () => {
          const ev = run({ edition, transactions: [tx({ billedUsd: usd, date: '2020-03-01' })], asOf: '2020-06-01' });
          expect(ev.tier).to.equal(tier);
          expect(ev.countedBilledSalesUsd).to.equal(usd);
        });
      }
    }

    it('when many small sales add up to exactly $500, then cents do not drift and tier 1 is reached', () => {
      const transactions = Array.from({ length: 5000 }, () => tx({ billedUsd: 0.1 }));
      const ev = run({ transactions });
      expect(ev.countedBilledSalesUsd).to.equal(500);
      expect(ev.tier).to.equal(1);
    });
  });

  describe('sales that do not count', () => {
    const statuses: [TransactionStatus, number][] = [
      ['billed', 1], ['fraud', 0], ['cancelled_accidental', 0], ['cancelled_before_use', 0],
    ];
    for (const [status, tier] of statuses) {
      it(`when a $500 transaction is ${status}, then the tier is ${tier}`, () => {
        const ev = run({ transactions: [tx({ billedUsd: 500, status })] });
        expect(ev.tier).to.equal(tier);
        expect(ev.countedBilledSalesUsd).to.equal(status === 'billed' ? 500 : 0);
      });
    }

    it('when a sale is dated after the evaluation date, then it does not count yet', () => {
      const ev = run({ transactions: [tx({ billedUsd: 500, date: '2020-06-02' })], asOf: '2020-06-01' });
      expect(ev.countedBilledSalesUsd).to.equal(0);
    });

    it('when sales are on several offers, then they count together at company level', () => {
      const offers = [offer(), offer({ id: 'vm', name: 'Contoso VM', offerType: 'azure_vm' })];
      const ev = run({ offers, transactions: [tx({ billedUsd: 300 }), tx({ billedUsd: 200, offerId: 'vm' })] });
      expect(ev.tier).to.equal(1);
    });

    it('when a transaction belongs to another publisher’s offer, then it is ignored', () => {
      const ev = run({ transactions: [tx({ billedUsd: 500, offerId: 'someone-else' })] });
      expect(ev.countedBilledSalesUsd).to.equal(0);
    });
  });

  describe('tier 0', () => {
    const cases: [string, Parameters<typeof offer>[0], number | null][] = [
      ['a live offer', {}, 0],
      ['only a draft offer', { status: 'draft', liveDate: null }, null],
      ['only a de-listed offer', { status: 'delisted' }, null],
      ['an offer going live after the evaluation date', { liveDate: '2020-07-01' }, null],
    ];
    for (const [what, over, tier] of cases) {
      it(`when the publisher has ${what} and no sales, then the tier is ${tier}`, () => {
        expect(run({ offers: [offer(over)] }).tier).to.equal(tier);
      });
    }

    it('when there is no live offer but $500 of sales, then there is no tier (tier 0 needs a live offer)', () => {
      const ev = run({ offers: [offer({ status: 'delisted' })], transactions: [tx({ billedUsd: 500 })] });
      expect(ev.tier).to.equal(null);
      expect(ev.nextTier).to.equal(null);
      expect(ev.tierName).to.match(/no live offer/);
    });
  });

  describe('seats (2020 edition)', () => {
    for (const [seats, tier] of COUNT_EDGES) {
      it(`when a Microsoft 365 app sold ${seats} seats, then the tier is ${tier}`, () => {
        const ev = run({ offers: [offer({ m365Integrated: true })], transactions: [tx({ seats })] });
        expect(ev.tier).to.equal(tier);
        expect(ev.countedSeats).to.equal(seats);
      });
    }

    it('when the offer is not integrated with Microsoft 365, then its seats do not count', () => {
      const ev = run({ offers: [offer({ m365Integrated: false })], transactions: [tx({ seats: 600 })] });
      expect(ev.countedSeats).to.equal(null);
      expect(ev.tier).to.equal(0);
    });

    it('when only one of two offers is a Microsoft 365 app, then only its seats count', () => {
      const offers = [offer({ m365Integrated: true }), offer({ id: 'vm', name: 'Contoso VM', offerType: 'azure_vm' })];
      const ev = run({ offers, transactions: [tx({ seats: 100 }), tx({ seats: 400, offerId: 'vm' })] });
      expect(ev.countedSeats).to.equal(100);
      expect(ev.tier).to.equal(0);
    });

    it('when seats are on a fraudulent transaction, then they do not count', () => {
      const ev = run({ offers: [offer({ m365Integrated: true })], transactions: [tx({ seats: 600, status: 'fraud' })] });
      expect(ev.countedSeats).to.equal(0);
    });

    const deadline: [string, number, number | null][] = [
      ['2021-06-30', 3, 500],
      ['2021-07-01', 0, null],
    ];
    for (const [asOf, tier, counted] of deadline) {
      it(`when evaluating on ${asOf} with 500 seats sold before the deadline, then the tier is ${tier}`, () => {
        const ev = run({ offers: [offer({ m365Integrated: true })], transactions: [tx({ seats: 500 })], asOf });
        expect(ev.tier).to.equal(tier);
        expect(ev.countedSeats).to.equal(counted);
      });
    }

    it('when seats and sales reach different tiers, then the higher one wins', () => {
      const ev = run({
        offers: [offer({ m365Integrated: true })],
        transactions: [tx({ seats: 1000, billedUsd: 600 })],
      });
      expect(ev.tierByMetric).to.deep.equal({ billedSales: 1, seats: 4, mau: null });
      expect(ev.tier).to.equal(4);
    });

    it('when the FY24 edition is used, then seats never count', () => {
      const ev = run({ edition: FY24, offers: [offer({ m365Integrated: true })], transactions: [tx({ seats: 5000 })] });
      expect(ev.countedSeats).to.equal(null);
      expect(ev.tier).to.equal(0);
    });
  });

  describe('Teams app MAU (FY24 edition)', () => {
    for (const [mau, tier] of COUNT_EDGES) {
      it(`when the company has ${mau} monthly active users, then the tier is ${tier}`, () => {
        const ev = run({ edition: FY24, mau: [{ offerId: 'saas', month: '2020-05', mau }] });
        expect(ev.tier).to.equal(tier);
        expect(ev.countedMau).to.equal(mau);
      });
    }

    it('when several months are reported, then the latest month not after the evaluation date counts, summed over offers', () => {
      const offers = [offer(), offer({ id: 'teams', name: 'Contoso for Teams', offerType: 'teams_app' })];
      const ev = run({
        edition: FY24,
        offers,
        mau: [
          { offerId: 'saas', month: '2020-04', mau: 9000 },
          { offerId: 'saas', month: '2020-05', mau: 200 },
          { offerId: 'teams', month: '2020-05', mau: 300 },
          { offerId: 'teams', month: '2020-07', mau: 90000 },
        ],
        asOf: '2020-06-15',
      });
      expect(ev.countedMau).to.equal(500);
      expect(ev.tier).to.equal(3);
    });

    it('when the 2020 edition is used, then MAU never counts', () => {
      const ev = run({ mau: [{ offerId: 'saas', month: '2020-05', mau: 5000 }] });
      expect(ev.countedMau).to.equal(null);
      expect(ev.tier).to.equal(0);
    });
  });

  describe('sales window', () => {
    const ttm: [string, string, number][] = [
      ['the first day of the trailing 12 months', '2023-07-01', 500],
      ['the day before the trailing 12 months', '2023-06-30', 0],
      ['the evaluation date itself', '2024-06-30', 500],
    ];
    for (const [what, date, counted] of ttm) {
      it(`when FY24 evaluates on 2024-06-30 a sale dated ${what} (${date}), then $${counted} counts`, () => {
        const ev = run({ edition: FY24, transactions: [tx({ billedUsd: 500, date })], asOf: '2024-06-30' });
        expect(ev.countedBilledSalesUsd).to.equal(counted);
        expect(ev.salesFrom).to.equal('2023-07-01');
      });
    }

    it('when the 2020 edition evaluates years later, then lifetime sales still count (cumulative)', () => {
      const ev = run({ transactions: [tx({ billedUsd: 500, date: '2015-01-01' })], asOf: '2024-06-30' });
      expect(ev.countedBilledSalesUsd).to.equal(500);
      expect(ev.salesFrom).to.equal(null);
    });
  });

  describe('next tier', () => {
    it('when the company has $1,200 in billed sales, then tier 2 is $23,800 and 250 seats away', () => {
      const ev = run({ offers: [offer({ m365Integrated: true })], transactions: [tx({ billedUsd: 1200 })] });
      expect(ev.nextTier).to.deep.equal({ tier: 2, name: 'Tier 2 ($25K)', gaps: { billedSalesUsd: 23_800, seats: 250 } });
    });

    it('when seats no longer count, then the gap lists billed sales only', () => {
      const ev = run({ offers: [offer({ m365Integrated: true })], transactions: [tx({ billedUsd: 1200 })], asOf: '2021-07-01' });
      expect(ev.nextTier?.gaps).to.deep.equal({ billedSalesUsd: 23_800 });
    });

    it('when FY24 is used, then the gap lists billed sales and MAU', () => {
      const ev = run({ edition: FY24, transactions: [tx({ billedUsd: 1200, date: '2020-05-01' })] });
      expect(ev.nextTier?.gaps).to.deep.equal({ billedSalesUsd: 23_800, mau: 250 });
    });

    it('when the company is at the top tier, then there is no next tier', () => {
      expect(run({ transactions: [tx({ billedUsd: 5_000_000 })] }).nextTier).to.equal(null);
    });

    it('when a tier has no seat threshold (tier 1), then only billed sales are a way there', () => {
      const ev = run({ offers: [offer({ m365Integrated: true })] });
      expect(ev.nextTier).to.deep.equal({ tier: 1, name: 'Tier 1 ($500)', gaps: { billedSalesUsd: 500 } });
    });
  });
});

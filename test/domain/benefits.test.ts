import { expect } from 'chai';
import { RevocationReason, type Activation } from '../../src/domain/model.js';
import { REVOCATION_REASON_TEXT } from '../../src/domain/program/index.js';
import { benefitOf, E2020, emptyProgramState, FY24, OWNER, offer, readyState, run, STAFF, tx } from './fixtures.js';

function activation(over: Partial<Activation> = {}): Activation {
  return {
    id: 'act-1',
    offerId: 'saas',
    benefitId: 'rewards-testimonial',
    state: 'activated',
    activatedAt: '2020-05-01T09:00:00.000Z',
    activatedBy: OWNER,
    dueAt: '2020-05-08T09:00:00.000Z',
    contactedAt: null,
    completedAt: null,
    revokedAt: null,
    revokedReason: null,
    ...over,
  };
}

/** $100,000 of sales: tier 4, enough for every mark case below. */
const RICH = [tx({ billedUsd: 100_000 })];

describe('benefits', () => {
  describe('restriction marks', () => {
    const cases: [string, string, Parameters<typeof offer>[0], string | null][] = [
      ['+', 'customer-review', { byol: true }, 'Not available for BYOL offers'],
      ['+ (offer not BYOL)', 'customer-review', { byol: false }, null],
      ['P', 'whats-new-blog', { private: true }, 'Not available for private offers'],
      ['P (public offer)', 'whats-new-blog', { private: false }, null],
      ['V', 'marketplace-blog-feature', { private: true, hasPublicListing: false }, 'A private offer needs a public listing of the same solution'],
      ['V (private with a public listing)', 'marketplace-blog-feature', { private: true, hasPublicListing: true }, null],
      ['#', 'customer-review', { listingOptimizationCompleted: false }, 'Complete the listing optimization first'],
      ['C', 'solution-spotlight', { coSellReady: false }, 'Needs a co-sell ready listing'],
      ['C (co-sell ready)', 'solution-spotlight', { coSellReady: true }, null],
      ['none (BYOL offer, unmarked benefit)', 'rewards-testimonial', { byol: true, private: true, listingOptimizationCompleted: false }, null],
    ];
    for (const [mark, benefitId, over, reason] of cases) {
      it(`when the mark is ${mark} on ${benefitId}, then it is ${reason ? `locked: "${reason}"` : 'available'}`, () => {
        const b = benefitOf(run({ offers: [offer(over)], transactions: RICH }), benefitId);
        if (reason) {
          expect(b.state).to.equal('locked');
          expect(b.reasons).to.deep.equal([reason]);
        } else {
          expect(b.state).to.equal('available');
          expect(b.reasons).to.deep.equal([]);
        }
      });
    }

    it('when the mark is ^, then the benefit stays available with a note about country availability', () => {
      const b = benefitOf(run({ transactions: RICH }), 'azure-sponsorship-test-drive');
      expect(b.state).to.equal('available');
      expect(b.notes).to.include('Sponsorship depends on Azure availability in your country');
    });

    it('when several marks apply, then every reason is listed', () => {
      const b = benefitOf(run({ offers: [offer({ byol: true, coSellReady: false, listingOptimizationCompleted: false })], transactions: RICH }), 'solution-spotlight');
      expect(b.reasons).to.deep.equal([
        'Not available for BYOL offers',
        'Complete the listing optimization first',
        'Needs a co-sell ready listing',
      ]);
    });
  });

  describe('tier locks', () => {
    it('when the company has $23,800 and the benefit needs tier 2, then the reason says how much is missing', () => {
      const b = benefitOf(run({ transactions: [tx({ billedUsd: 23_800 })] }), 'marketplace-blog-feature');
      expect(b.state).to.equal('locked');
      expect(b.reasons).to.deep.equal(['Reach $25,000 in billed sales ($1,200 to go)']);
    });

    it('when the company sells a Microsoft 365 app, then the reason also offers the seat route', () => {
      const b = benefitOf(run({ offers: [offer({ m365Integrated: true })], transactions: [tx({ billedUsd: 24_999.99, seats: 200 })] }), 'marketplace-blog-feature');
      expect(b.reasons).to.deep.equal(['Reach $25,000 in billed sales ($0.01 to go) or 250 seats sold in Microsoft 365 apps (50 to go)']);
    });

    it('when FY24 counts the last 12 months, then the reason says so and offers the MAU route', () => {
      const b = benefitOf(run({ edition: FY24, transactions: [tx({ billedUsd: 100, date: '2020-05-01' })] }), 'marketplace-blog-feature');
      expect(b.reasons).to.deep.equal([
        'Reach $25,000 in billed sales over the last 12 months ($24,900 to go) or 250 Teams app monthly active users (250 to go)',
      ]);
    });

    it('when the tier is exactly the benefit’s lowest tier, then it is available; a higher tier keeps it', () => {
      expect(benefitOf(run({ transactions: [tx({ billedUsd: 25_000 })] }), 'marketplace-blog-feature').state).to.equal('available');
      expect(benefitOf(run({ transactions: [tx({ billedUsd: 5_000_000 })] }), 'marketplace-blog-feature').state).to.equal('available');
    });
  });

  describe('sponsorship amounts', () => {
    const deployment: [number, number][] = [
      [0, 2000], [500, 2000], [25_000, 2000], [50_000, 15_000], [100_000, 30_000],
      [500_000, 60_000], [1_000_000, 100_000], [2_000_000, 125_000], [5_000_000, 300_000],
    ];
    for (const [usd, amount] of deployment) {
      it(`when the company has $${usd} in sales, then the deployment sponsorship shows $${amount}`, () => {
        const transactions = usd > 0 ? [tx({ billedUsd: usd })] : [];
        expect(benefitOf(run({ transactions }), 'azure-sponsorship-deployment').sponsorshipUsd).to.equal(amount);
      });
    }

    it('when the test-drive sponsorship is evaluated at tier 5, then it shows $40,000', () => {
      expect(benefitOf(run({ transactions: [tx({ billedUsd: 500_000 })] }), 'azure-sponsorship-test-drive').sponsorshipUsd).to.equal(40_000);
    });

    it('when a benefit has no sponsorship, then no amount is shown', () => {
      expect(benefitOf(run(), 'listing-optimization')).to.not.have.property('sponsorshipUsd');
    });
  });

  describe('enrolment, contact, offer status and opt-out', () => {
    const cases: [string, Parameters<typeof run>[0], string[]][] = [
      ['the company is not enrolled', { state: emptyProgramState() }, ['Enroll in Marketplace Rewards Program first', 'Needs a marketing contact']],
      ['there is no marketing contact', { state: readyState({ contact: null }) }, ['Needs a marketing contact']],
      ['the offer is a draft', { offers: [offer({ status: 'draft', liveDate: null })] }, ['The offer is not live yet']],
      ['the offer was de-listed', { offers: [offer({ status: 'delisted' })] }, ['The offer was de-listed from the commercial marketplace']],
      ['the offer goes live later', { offers: [offer({ liveDate: '2020-07-01' })] }, ['The offer goes live on 1 Jul 2020']],
      ['the offer was opted out', { state: readyState({ optedOut: ['saas'] }) }, ['You opted this offer out of engagement (opt in to use it)']],
    ];
    for (const [what, scenario, reasons] of cases) {
      it(`when ${what}, then tier-0 benefits are locked with that reason`, () => {
        const b = benefitOf(run(scenario), 'listing-optimization');
        expect(b.state).to.equal('locked');
        expect(b.reasons).to.deep.equal(reasons);
      });
    }
  });

  describe('activation states', () => {
    const states: [Activation['state'], string][] = [
      ['activated', 'activated'],
      ['in_progress', 'in_progress'],
      ['completed', 'completed'],
    ];
    for (const [stored, shown] of states) {
      it(`when the activation is ${stored}, then the benefit shows ${shown} with the activation id`, () => {
        const b = benefitOf(run({ transactions: RICH, state: readyState({ activations: [activation({ state: stored })] }) }), 'rewards-testimonial');
        expect(b.state).to.equal(shown);
        expect(b.activationId).to.equal('act-1');
      });
    }

    it('when an activation was revoked after a tier correction and the tier is still too low, then it shows revoked with the reason', () => {
      const revoked = activation({ state: 'revoked', revokedAt: '2020-05-20T00:00:00.000Z', revokedReason: 'tier corrected' });
      const b = benefitOf(run({ state: readyState({ activations: [revoked] }) }), 'rewards-testimonial');
      expect(b.state).to.equal('revoked');
      expect(b.reasons).to.deep.equal(['Revoked on 20 May 2020: tier corrected', 'Reach $500 in billed sales ($500 to go)']);
    });

    it('when an activation was revoked after a tier correction and the tier is back, then it is available again', () => {
      const revoked = activation({ state: 'revoked', revokedAt: '2020-05-20T00:00:00.000Z', revokedReason: 'tier corrected' });
      const b = benefitOf(run({ transactions: RICH, state: readyState({ activations: [revoked] }) }), 'rewards-testimonial');
      expect(b.state).to.equal('available');
      expect(b.notes[0]).to.match(/can activate it again/);
    });

    for (const reason of RevocationReason.options) {
      it(`when the publisher's benefits were revoked for ${reason}, then every benefit shows revoked with the reason in words`, () => {
        const state = readyState({
          revocation: { reason, note: '', revokedAt: '2020-05-20T00:00:00.000Z', revokedBy: STAFF },
          activations: [activation({ state: 'revoked', revokedReason: 'revoked' })],
        });
        const ev = run({ transactions: RICH, state });
        const text = `Benefits revoked: ${REVOCATION_REASON_TEXT[reason]}`;
        expect(ev.revocation?.text).to.equal(REVOCATION_REASON_TEXT[reason]);
        for (const b of ev.offers[0]?.benefits ?? []) {
          expect(b.state).to.equal('revoked');
          expect(b.reasons).to.deep.equal([text]);
        }
      });
    }

    it('when benefits were revoked, then a completed activation stays completed', () => {
      const state = readyState({
        revocation: { reason: 'illegal_activity', note: '', revokedAt: '2020-05-20T00:00:00.000Z', revokedBy: STAFF },
        activations: [activation({ state: 'completed' })],
      });
      expect(benefitOf(run({ transactions: RICH, state }), 'rewards-testimonial').state).to.equal('completed');
    });
  });

  describe('engagement windows', () => {
    const windows: [string, typeof E2020, string, string, boolean, number][] = [
      ['2020', E2020, '2020-04-14', 'available', false, 1],
      ['2020', E2020, '2020-04-15', 'expired', true, 0],
      ['2020', E2020, '2020-01-15', 'available', false, 91],
      ['fy24', FY24, '2020-07-14', 'available', false, 1],
      ['fy24', FY24, '2020-07-15', 'expired', true, 0],
    ];
    for (const [name, edition, asOf, state, over, daysLeft] of windows) {
      it(`when a list offer live since 2020-01-15 is evaluated with ${name} on ${asOf}, then its benefits are ${state} (${daysLeft} days left)`, () => {
        const ev = run({ edition, offers: [offer({ listingType: 'list' })], asOf });
        const months = edition.engagementMonths;
        expect(ev.offers[0]?.engagement).to.deep.equal({
          kind: 'window', start: '2020-01-15', end: months === 3 ? '2020-04-14' : '2020-07-14', daysLeft, over,
        });
        const b = benefitOf(ev, 'engagement-manager');
        expect(b.state).to.equal(state);
        if (over) expect(b.reasons).to.deep.equal([`The ${months}-month engagement window for this offer ended on ${months === 3 ? '14 Apr 2020' : '14 Jul 2020'}`]);
      });
    }

    it('when an offer went live on November 30, then its 3-month window ends on the day before February 28', () => {
      const ev = run({ offers: [offer({ listingType: 'trial', liveDate: '2020-11-30' })], asOf: '2020-12-01' });
      expect(ev.offers[0]?.engagement).to.include({ end: '2021-02-27' });
    });

    it('when a second offer is published later, then it gets its own window', () => {
      const offers = [offer({ id: 'a', listingType: 'list', liveDate: '2020-01-15' }), offer({ id: 'b', listingType: 'consulting', offerType: 'consulting_service', liveDate: '2020-05-01' })];
      const ev = run({ offers, asOf: '2020-06-01' });
      expect(benefitOf(ev, 'engagement-manager', 'a').state).to.equal('expired');
      expect(benefitOf(ev, 'engagement-manager', 'b').state).to.equal('available');
    });

    it('when a transact offer is evaluated years later, then its engagement is evergreen and still available', () => {
      const ev = run({ asOf: '2030-01-01' });
      expect(ev.offers[0]?.engagement).to.deep.equal({ kind: 'evergreen' });
      expect(benefitOf(ev, 'engagement-manager').state).to.equal('available');
    });

    it('when an offer has no live date, then it has no engagement yet', () => {
      expect(run({ offers: [offer({ status: 'draft', liveDate: null, listingType: 'list' })] }).offers[0]?.engagement).to.equal(null);
    });

    it('when a benefit was activated inside the window, then it stays activated after the window ends', () => {
      const state = readyState({ activations: [activation({ benefitId: 'engagement-manager', activatedAt: '2020-02-01T00:00:00.000Z' })] });
      const ev = run({ offers: [offer({ listingType: 'list' })], state, asOf: '2020-09-01' });
      expect(benefitOf(ev, 'engagement-manager').state).to.equal('activated');
    });

    const nudge: [string, typeof E2020, string][] = [['2020', E2020, '2020-02-13'], ['fy24', FY24, '2020-02-06']];
    for (const [name, edition, from] of nudge) {
      it(`when an offer went live on 2020-01-15 under ${name}, then the no-contact check applies from ${from}`, () => {
        expect(run({ edition }).offers[0]?.noContactCheckFrom).to.equal(from);
      });
    }
  });

  describe('which benefits each listing type gets', () => {
    const cases: [string, string, boolean][] = [
      ['list', 'featured-category-placement', false],
      ['list', 'listing-optimization', true],
      ['list', 'press-release', false],
      ['trial', 'press-release', true],
      ['consulting', 'personalized-listing-optimization', true],
      ['transact', 'personalized-listing-optimization', false],
      ['transact', 'featured-category-placement', true],
    ];
    for (const [listingType, benefitId, has] of cases) {
      it(`when the offer is ${listingType}, then ${benefitId} is ${has ? '' : 'not '}in its list`, () => {
        const ev = run({ offers: [offer({ listingType: listingType as 'list' })] });
        expect(ev.offers[0]?.benefits.some((b) => b.id === benefitId)).to.equal(has);
      });
    }

    it('when the edition is 2020, then technical assistance is listed (as a request); FY24 has no technical benefit', () => {
      const tech = benefitOf(run(), 'technical-assistance');
      expect(tech).to.include({ category: 'technical', use: 'tech_request', state: 'available' });
      expect(run({ edition: FY24 }).offers[0]?.benefits.some((b) => b.category === 'technical')).to.equal(false);
    });
  });

  describe('seat-earned benefits (2020)', () => {
    const m365 = offer({ m365Integrated: true });
    it('when a benefit is unlocked only through seats before the deadline, then it is available with the deadline note', () => {
      const b = benefitOf(run({ offers: [m365], transactions: [tx({ seats: 250 })], asOf: '2021-06-30' }), 'marketplace-blog-feature');
      expect(b.state).to.equal('available');
      expect(b.notes).to.include('Earned through seats: it must be completed by 30 Jun 2021');
    });

    it('when a seat-earned activation is not completed by the deadline, then it shows expired', () => {
      const state = readyState({ activations: [activation({ benefitId: 'marketplace-blog-feature', activatedAt: '2021-05-01T00:00:00.000Z' })] });
      const b = benefitOf(run({ offers: [m365], transactions: [tx({ seats: 250 })], state, asOf: '2021-07-01' }), 'marketplace-blog-feature');
      expect(b.state).to.equal('expired');
      expect(b.reasons).to.deep.equal(['Benefits earned through seats had to be completed by 30 Jun 2021']);
    });

    it('when a seat-earned activation was completed by the deadline, then it stays completed', () => {
      const state = readyState({ activations: [activation({ benefitId: 'marketplace-blog-feature', state: 'completed' })] });
      const b = benefitOf(run({ offers: [m365], transactions: [tx({ seats: 250 })], state, asOf: '2021-07-01' }), 'marketplace-blog-feature');
      expect(b.state).to.equal('completed');
    });

    it('when sales alone unlock the benefit after the deadline, then its activation keeps running', () => {
      const state = readyState({ activations: [activation({ benefitId: 'marketplace-blog-feature', activatedAt: '2021-05-01T00:00:00.000Z' })] });
      const b = benefitOf(run({ offers: [m365], transactions: [tx({ seats: 250, billedUsd: 25_000 })], state, asOf: '2021-07-01' }), 'marketplace-blog-feature');
      expect(b.state).to.equal('activated');
      expect(b.notes).to.not.include('Earned through seats: it must be completed by 30 Jun 2021');
    });
  });

  describe('ISV Connect', () => {
    const cases: [string, Parameters<typeof offer>[0], boolean][] = [
      ['a live Dynamics 365 offer on AppSource', { dynamics365: true, marketplace: 'appsource', offerType: 'dynamics365' }, true],
      ['a Dynamics 365 offer on Azure Marketplace', { dynamics365: true, marketplace: 'azure' }, false],
      ['a draft Dynamics 365 offer on AppSource', { dynamics365: true, marketplace: 'appsource', status: 'draft', liveDate: null }, false],
      ['a non-Dynamics offer on AppSource', { marketplace: 'appsource' }, false],
    ];
    for (const [what, over, eligible] of cases) {
      it(`when the publisher has ${what}, then ISV Connect ${eligible ? 'lists' : 'does not list'} it`, () => {
        const ev = run({ offers: [offer(over)] });
        expect(ev.isvConnect).to.deep.equal({ program: 'ISV Connect', offerIds: eligible ? ['saas'] : [] });
      });
    }
  });
});

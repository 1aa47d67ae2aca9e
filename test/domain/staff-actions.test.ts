import { expect } from 'chai';
import { RevocationReason, type Activation, type ProgramState, type Transaction } from '../../src/domain/model.js';
import {
  delistOffer,
  evaluate,
  markActivationCompleted,
  markActivationContacted,
  markTransaction,
  recomputeAggregates,
  REVOCATION_REASON_TEXT,
  reconcileAfterCorrection,
  revokeBenefits,
  type Result,
  type SalesAggregates,
  type StaffActor,
} from '../../src/domain/program/index.js';
import { benefitOf, E2020, OWNER, offer, publisher, readyState, STAFF, tx } from './fixtures.js';

const AT = '2020-06-10T08:00:00.000Z';
const rewards: StaffActor = { aadObjectId: STAFF, staffRoles: ['rewards'] };
const support: StaffActor = { aadObjectId: STAFF, staffRoles: ['support'] };
const saas = offer();

function act(id: string, benefitId: string, state: Activation['state'], offerId = 'saas'): Activation {
  return {
    id, offerId, benefitId, state,
    activatedAt: '2020-05-01T09:00:00.000Z', activatedBy: OWNER, dueAt: '2020-05-08T09:00:00.000Z',
    contactedAt: null, completedAt: null, revokedAt: null, revokedReason: null,
  };
}

function errorCode<T>(r: Result<T>): string {
  if (r.ok) throw new Error('expected a failure');
  return r.error.code;
}

function evaluationOf(aggregates: SalesAggregates, state: ProgramState) {
  return evaluate({ edition: E2020, publisher: publisher(), offers: [saas], aggregates, mau: [], state, asOf: '2020-06-10' });
}

describe('Rewards team actions', () => {
  describe('mark a transaction', () => {
    const sale = tx({ id: 'sale', billedUsd: 25_000 });
    const aggregates = recomputeAggregates([sale], [saas]);

    for (const status of ['fraud', 'cancelled_accidental', 'cancelled_before_use'] as const) {
      it(`when a $25,000 sale is marked ${status}, then the aggregates drop it and the tier falls to 0`, () => {
        const r = markTransaction({ actor: rewards, transaction: sale, offer: saas, aggregates, status, note: 'chargeback', at: AT });
        if (!r.ok) throw new Error(r.error.message);
        expect(r.transaction.status).to.equal(status);
        expect(r.aggregates).to.deep.equal(recomputeAggregates([r.transaction], [saas]));
        expect(evaluationOf(r.aggregates, readyState()).tier).to.equal(0);
        expect(r.events[0]).to.include({ type: 'transaction_marked', from: 'billed', to: status, note: 'chargeback', by: STAFF });
      });
    }

    it('when a transaction already has that status, then nothing changes', () => {
      const r = markTransaction({ actor: rewards, transaction: sale, offer: saas, aggregates, status: 'billed', at: AT });
      expect(r).to.deep.include({ ok: true, changed: false, events: [] });
    });

    it('when a support agent marks a transaction, then it is refused', () => {
      expect(errorCode(markTransaction({ actor: support, transaction: sale, offer: saas, aggregates, status: 'fraud', at: AT }))).to.equal('forbidden');
    });
  });

  describe('reconcile after a correction', () => {
    const sale: Transaction = tx({ id: 'sale', billedUsd: 25_000 });
    const state = readyState({
      activations: [
        act('a1', 'marketplace-blog-feature', 'activated'), // tier 2: lost
        act('a2', 'rewards-testimonial', 'in_progress'), // tier 1: lost
        act('a3', 'featured-category-placement', 'completed'), // tier 1, completed: stays
        act('a4', 'listing-optimization', 'activated'), // tier 0: kept
      ],
    });

    it('when fraud drops the tier from 2 to 0, then running activations the new tier no longer unlocks are revoked with "tier corrected"', () => {
      const before = evaluationOf(recomputeAggregates([sale], [saas]), state);
      const after = evaluationOf(recomputeAggregates([{ ...sale, status: 'fraud' }], [saas]), state);
      expect([before.tier, after.tier]).to.deep.equal([2, 0]);
      const r = reconcileAfterCorrection(E2020, before, after, state, AT);
      expect(r.state.activations.map((a) => [a.id, a.state, a.revokedReason])).to.deep.equal([
        ['a1', 'revoked', 'tier corrected'],
        ['a2', 'revoked', 'tier corrected'],
        ['a3', 'completed', null],
        ['a4', 'activated', null],
      ]);
      expect(r.events.map((e) => e.type === 'activation_revoked' && e.activationId)).to.deep.equal(['a1', 'a2']);
      const shown = benefitOf(evaluationOf(recomputeAggregates([], [saas]), r.state), 'marketplace-blog-feature');
      expect(shown.state).to.equal('revoked');
      expect(shown.reasons[0]).to.equal('Revoked on 10 Jun 2020: tier corrected');
    });

    it('when a correction drops the tier only from 2 to 1, then only tier-2 benefits are revoked', () => {
      const before = evaluationOf(recomputeAggregates([sale], [saas]), state);
      const after = evaluationOf(recomputeAggregates([{ ...sale, billedUsd: 600 }], [saas]), state);
      const r = reconcileAfterCorrection(E2020, before, after, state, AT);
      expect(r.revoked.map((a) => a.id)).to.deep.equal(['a1']);
    });

    it('when the tier did not fall, then nothing changes', () => {
      const ev = evaluationOf(recomputeAggregates([sale], [saas]), state);
      const r = reconcileAfterCorrection(E2020, ev, ev, state, AT);
      expect(r.state).to.equal(state);
      expect(r.events).to.deep.equal([]);
    });
  });

  describe('revoke benefits', () => {
    for (const reason of RevocationReason.options) {
      it(`when benefits are revoked for ${reason}, then running activations are revoked, completed ones stay, and the reason is recorded`, () => {
        const state = readyState({ activations: [act('a1', 'listing-optimization', 'activated'), act('a2', 'marketing-toolkit', 'completed')] });
        const r = revokeBenefits({ actor: rewards, publisherId: 'contoso', state, reason, note: 'case 42', at: AT });
        if (!r.ok) throw new Error(r.error.message);
        expect(r.state.revocation).to.deep.equal({ reason, note: 'case 42', revokedAt: AT, revokedBy: STAFF });
        expect(r.state.activations.map((a) => a.state)).to.deep.equal(['revoked', 'completed']);
        expect(r.state.activations[0]?.revokedReason).to.equal(`benefits revoked: ${REVOCATION_REASON_TEXT[reason]}`);
        expect(r.events.map((e) => e.type)).to.deep.equal(['benefits_revoked', 'activation_revoked']);
      });
    }

    it('when a support agent revokes benefits, then it is refused', () => {
      expect(errorCode(revokeBenefits({ actor: support, publisherId: 'contoso', state: readyState(), reason: 'delisted', at: AT }))).to.equal('forbidden');
    });
  });

  describe('de-list an offer', () => {
    it('when an offer is de-listed, then it is marked de-listed and its running activations are revoked', () => {
      const state = readyState({ activations: [act('a1', 'listing-optimization', 'activated'), act('b1', 'listing-optimization', 'activated', 'other')] });
      const r = delistOffer({ actor: rewards, offer: saas, state, at: AT });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.offer.status).to.equal('delisted');
      expect(r.state.activations.map((a) => [a.id, a.state, a.revokedReason])).to.deep.equal([
        ['a1', 'revoked', 'offer de-listed'],
        ['b1', 'activated', null],
      ]);
      expect(r.events.map((e) => e.type)).to.deep.equal(['offer_delisted', 'activation_revoked']);
    });

    it('when the offer is already de-listed, then nothing changes', () => {
      const r = delistOffer({ actor: rewards, offer: offer({ status: 'delisted' }), state: readyState(), at: AT });
      expect(r).to.deep.include({ ok: true, changed: false, events: [] });
    });

    it('when a support agent de-lists an offer, then it is refused', () => {
      expect(errorCode(delistOffer({ actor: support, offer: saas, state: readyState(), at: AT }))).to.equal('forbidden');
    });
  });

  describe('move an activation along', () => {
    const state = readyState({ activations: [act('a1', 'listing-optimization', 'activated')] });
    const input = { actor: rewards, publisherId: 'contoso', state, activationId: 'a1', at: AT };

    it('when the contact was reached, then the activation is in progress with the contact time', () => {
      const r = markActivationContacted(input);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.activation).to.include({ state: 'in_progress', contactedAt: AT });
      expect(r.events[0]).to.include({ type: 'activation_contacted', activationId: 'a1' });
    });

    it('when it is completed, then it is completed and keeps a contact time', () => {
      const r = markActivationCompleted(input);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.activation).to.include({ state: 'completed', completedAt: AT, contactedAt: AT });
    });

    it('when it is marked contacted twice, then the second is a no-op', () => {
      const first = markActivationContacted(input);
      if (!first.ok) throw new Error(first.error.message);
      const second = markActivationContacted({ ...input, state: first.state });
      expect(second).to.deep.include({ ok: true, events: [] });
    });

    const invalid: [string, Activation['state'], typeof markActivationContacted][] = [
      ['a completed activation is marked contacted', 'completed', markActivationContacted],
      ['a revoked activation is marked contacted', 'revoked', markActivationContacted],
      ['a revoked activation is marked completed', 'revoked', markActivationCompleted],
    ];
    for (const [what, from, fn] of invalid) {
      it(`when ${what}, then it fails with invalid_transition`, () => {
        const r = fn({ ...input, state: readyState({ activations: [act('a1', 'listing-optimization', from)] }) });
        expect(errorCode(r)).to.equal('invalid_transition');
      });
    }

    it('when the activation does not exist, then it fails with unknown_activation', () => {
      expect(errorCode(markActivationCompleted({ ...input, activationId: 'zzz' }))).to.equal('unknown_activation');
    });

    it('when a support agent marks an activation, then it is refused', () => {
      expect(errorCode(markActivationContacted({ ...input, actor: support }))).to.equal('forbidden');
    });
  });
});

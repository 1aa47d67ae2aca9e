import { expect } from 'chai';
import { noContactDue } from '../../src/domain/notifications.js';
import type { Activation } from '../../src/domain/model.js';

const offer = { id: 'o1', status: 'live' as const, liveDate: '2026-01-01' };
const activation = (contactedAt: string | null): Activation => ({
  id: 'a1', offerId: 'o1', benefitId: 'b', state: contactedAt ? 'in_progress' : 'activated', activatedAt: '2026-01-02T00:00:00.000Z', activatedBy: '00000000-0000-0000-0000-000000000001',
  dueAt: '2026-01-09T00:00:00.000Z', contactedAt, completedAt: null, revokedAt: null, revokedReason: null,
});
const none = { activations: [], optedOut: [] };

describe('noContactDue (the one no-contact rule: help and the scan both use it)', () => {
  const cases: Array<[string, Parameters<typeof noContactDue>[0], Parameters<typeof noContactDue>[1], string, boolean]> = [
    ['live exactly four weeks: not yet (more than four weeks)', offer, none, '2026-01-29', false],
    ['live four weeks and a day, nothing heard', offer, none, '2026-01-30', true],
    ['activated but never contacted: still no message from the Rewards team', offer, { activations: [activation(null)], optedOut: [] }, '2026-03-01', true],
    ['the Rewards team marked an activation contacted', offer, { activations: [activation('2026-01-05T00:00:00.000Z')], optedOut: [] }, '2026-03-01', false],
    ['opted out of engagement: no message expected', offer, { activations: [], optedOut: ['o1'] }, '2026-03-01', false],
    ['not live', { ...offer, status: 'draft' }, none, '2026-03-01', false],
    ['no live date', { ...offer, liveDate: null }, none, '2026-03-01', false],
  ];
  for (const [when, o, state, today, due] of cases) {
    it(`when ${when}, then due is ${due}`, () => expect(noContactDue(o, state, today, 28)).to.equal(due));
  }
});

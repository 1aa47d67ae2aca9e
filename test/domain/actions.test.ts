import { expect } from 'chai';
import type { PartnerCenterRole, ProgramState } from '../../src/domain/model.js';
import {
  activate,
  assignContact,
  emptyAggregates,
  enroll,
  optIn,
  optOut,
  recomputeAggregates,
  requestTechnicalAssistance,
  type ContactInput,
  type PublisherActor,
  type Result,
} from '../../src/domain/program/index.js';
import {
  ACCOUNT_EMAIL,
  DEVELOPER,
  E2020,
  emptyProgramState,
  FY24,
  MANAGER,
  MARKETER,
  OWNER,
  offer,
  publisher,
  readyState,
  tx,
} from './fixtures.js';

const AT = '2020-06-01T12:00:00.000Z';
const owner: PublisherActor = { aadObjectId: OWNER, role: 'owner' };

function base(state: ProgramState = readyState()) {
  return {
    edition: E2020,
    publisher: publisher(),
    offers: [offer()],
    state,
    actor: owner,
    at: AT,
    aggregates: recomputeAggregates([tx({ billedUsd: 600 })], [offer()]),
    mau: [],
  };
}

function errorOf<T>(r: Result<T>): { code: string; message: string; fields?: Record<string, string> } {
  if (r.ok) throw new Error('expected a failure');
  return r.error;
}

describe('publisher actions', () => {
  const roles: [PartnerCenterRole, boolean][] = [
    ['owner', true], ['manager', true], ['developer', false], ['business_contributor', false],
    ['financial_contributor', false], ['marketer', false],
  ];

  describe('enroll', () => {
    for (const [role, allowed] of roles) {
      it(`when a ${role} enrolls, then it ${allowed ? 'succeeds' : 'is refused'}`, () => {
        const r = enroll({ ...base(emptyProgramState()), actor: { aadObjectId: OWNER, role } });
        expect(r.ok).to.equal(allowed);
        if (!allowed) expect(errorOf(r)).to.deep.equal({ code: 'forbidden', message: 'Only an owner or a manager of your Partner Center account can enroll the company.' });
      });
    }

    it('when the company enrolls, then the enrolment is recorded with an event', () => {
      const r = enroll(base(emptyProgramState()));
      if (!r.ok) throw new Error(r.error.message);
      expect(r.state.enrolment).to.deep.equal({ enrolledAt: AT, enrolledBy: OWNER });
      expect(r.alreadyEnrolled).to.equal(false);
      expect(r.events).to.deep.equal([{ type: 'enrolled', publisherId: 'contoso', at: AT, by: OWNER }]);
    });

    it('when the company enrolls a second time, then nothing changes and it says already enrolled', () => {
      const state = readyState();
      const r = enroll(base(state));
      expect(r).to.deep.equal({ ok: true, state, events: [], alreadyEnrolled: true });
    });

    it('when the company has no MPN ID, then enrolment is refused', () => {
      expect(errorOf(enroll({ ...base(emptyProgramState()), publisher: publisher({ mpnId: null }) })).code).to.equal('no_mpn_id');
    });

    const noLive: [string, Parameters<typeof offer>[0]][] = [
      ['a draft', { status: 'draft', liveDate: null }],
      ['a de-listed offer', { status: 'delisted' }],
      ['an offer going live tomorrow', { liveDate: '2020-06-02' }],
    ];
    for (const [what, over] of noLive) {
      it(`when the only offer is ${what}, then enrolment is refused for lack of a live offer`, () => {
        expect(errorOf(enroll({ ...base(emptyProgramState()), offers: [offer(over)] })).code).to.equal('no_live_offer');
      });
    }
  });

  describe('assign the marketing contact', () => {
    const good: ContactInput = { aadObjectId: MARKETER, email: 'Mia.Marketing@Contoso.com', phone: '+1 (425) 555-0100', language: 'de' };
    const enrolled = readyState({ contact: null });

    it('when the form is valid, then the contact is saved with a normalised email and phone', () => {
      const r = assignContact({ ...base(enrolled), input: good });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.state.contact).to.deep.equal({
        aadObjectId: MARKETER, name: 'Mia Marketer', email: 'mia.marketing@contoso.com', phone: '+14255550100',
        language: 'de', assignedAt: AT, assignedBy: OWNER,
      });
      expect(r.events[0]).to.include({ type: 'contact_assigned', previousEmail: null });
    });

    it('when a contact exists, then assigning another replaces it and the event names the previous one', () => {
      const r = assignContact({ ...base(readyState()), input: { ...good, aadObjectId: MANAGER, email: 'max@contoso.com' } });
      if (!r.ok) throw new Error(r.error.message);
      expect(r.state.contact?.name).to.equal('Max Manager');
      expect(r.events[0]).to.include({ previousEmail: 'mia@contoso.com' });
    });

    const invalid: [string, Partial<ContactInput>, string, RegExp][] = [
      ['the user is not an account user', { aadObjectId: '00000000-0000-0000-0000-0000000000ff' }, 'user', /Account settings/],
      ['the email is not an email', { email: 'mia at contoso' }, 'email', /valid email/],
      ['the email is the Partner Center account email', { email: ACCOUNT_EMAIL.toUpperCase() }, 'email', /different from the company/],
      ['the phone is not international', { phone: '425-555-0100' }, 'phone', /international format/],
      ['the phone is too short', { phone: '+1234567' }, 'phone', /international format/],
      ['the language is not in the list', { language: 'xx' }, 'language', /from the list/],
    ];
    for (const [what, change, field, message] of invalid) {
      it(`when ${what}, then it fails on the ${field} field and nothing is saved`, () => {
        const error = errorOf(assignContact({ ...base(enrolled), input: { ...good, ...change } }));
        expect(error.code).to.equal('invalid_input');
        expect(Object.keys(error.fields ?? {})).to.deep.equal([field]);
        expect(error.fields?.[field]).to.match(message);
      });
    }

    it('when every field is wrong, then every field has a message', () => {
      const error = errorOf(assignContact({ ...base(enrolled), input: { aadObjectId: 'nobody', email: '', phone: '', language: '' } }));
      expect(Object.keys(error.fields ?? {}).sort()).to.deep.equal(['email', 'language', 'phone', 'user']);
    });

    it('when the company is not enrolled, then assigning a contact is refused (enrol first)', () => {
      expect(errorOf(assignContact({ ...base(emptyProgramState()), input: good })).code).to.equal('not_enrolled');
    });

    it('when a developer assigns the contact, then it is refused', () => {
      expect(errorOf(assignContact({ ...base(enrolled), actor: { aadObjectId: DEVELOPER, role: 'developer' }, input: good })).code).to.equal('forbidden');
    });
  });

  describe('activate', () => {
    const act = (over: Partial<ReturnType<typeof base>> & { benefitId?: string; offerId?: string } = {}) =>
      activate({ ...base(), offerId: 'saas', benefitId: 'rewards-testimonial', newId: 'act-1', ...over });

    it('when an available benefit is activated, then the activation is due within the 7-day promise', () => {
      const r = act();
      if (!r.ok) throw new Error(r.error.message);
      expect(r.activation).to.include({ id: 'act-1', state: 'activated', activatedAt: AT, dueAt: '2020-06-08T12:00:00.000Z' });
      expect(r.state.activations).to.have.length(1);
      expect(r.events[0]).to.include({ type: 'benefit_activated', benefitName: 'Marketplace Rewards testimonial', contactName: 'Mia Marketer' });
    });

    it('when the same benefit is activated twice, then the existing activation is returned and nothing is added', () => {
      const first = act();
      if (!first.ok) throw new Error(first.error.message);
      const second = act({ state: first.state, at: '2020-06-02T00:00:00.000Z' });
      if (!second.ok) throw new Error(second.error.message);
      expect(second.alreadyActive).to.equal(true);
      expect(second.activation).to.deep.equal(first.activation);
      expect(second.state.activations).to.have.length(1);
      expect(second.events).to.deep.equal([]);
    });

    const errors: [string, Parameters<typeof act>[0], string, RegExp?][] = [
      ['a developer activates', { actor: { aadObjectId: DEVELOPER, role: 'developer' } }, 'forbidden'],
      ['the company is not enrolled', { state: emptyProgramState() }, 'not_enrolled'],
      ['there is no marketing contact', { state: readyState({ contact: null }) }, 'no_contact', /marketing contact/],
      ['the offer is someone else’s', { offerId: 'fabrikam-offer' }, 'unknown_offer'],
      ['the benefit does not exist', { benefitId: 'free-lunch' }, 'unknown_benefit'],
      ['the tier is too low', { aggregates: emptyAggregates() }, 'benefit_unavailable', /Reach \$500 in billed sales \(\$500 to go\)/],
      ['a restriction mark applies', { benefitId: 'featured-category-placement', offers: [offer({ byol: true })] }, 'benefit_unavailable', /Not available for BYOL offers/],
      ['the benefit is not for this listing type', { benefitId: 'personalized-listing-optimization' }, 'benefit_unavailable', /not offered for transact offers/],
      ['the benefit is technical assistance', { benefitId: 'technical-assistance' }, 'benefit_unavailable', /Submit request/],
      ['the offer is opted out', { state: readyState({ optedOut: ['saas'] }) }, 'benefit_unavailable', /opted this offer out/],
      ['benefits were revoked', { state: readyState({ revocation: { reason: 'fraudulent_purchase', note: '', revokedAt: AT, revokedBy: OWNER } }) }, 'revoked', /fraudulent/],
    ];
    for (const [what, over, code, message] of errors) {
      it(`when ${what}, then activation fails with ${code}`, () => {
        const error = errorOf(act(over));
        expect(error.code).to.equal(code);
        if (message) expect(error.message).to.match(message);
      });
    }

    it('when a list offer’s engagement window is over, then activation fails saying so', () => {
      const error = errorOf(act({ offers: [offer({ listingType: 'list' })], benefitId: 'engagement-manager', at: '2020-09-01T00:00:00.000Z' }));
      expect(error.message).to.match(/3-month engagement window for this offer ended on 14 Apr 2020/);
    });
  });

  describe('opt out / opt in', () => {
    it('when an offer is opted out and then in, then the state follows and each change is an event', () => {
      const out = optOut({ ...base(), offerId: 'saas' });
      if (!out.ok) throw new Error(out.error.message);
      expect(out.state.optedOut).to.deep.equal(['saas']);
      expect(out.events[0]).to.include({ type: 'opted_out', offerId: 'saas' });
      const back = optIn({ ...base(out.state), offerId: 'saas' });
      if (!back.ok) throw new Error(back.error.message);
      expect(back.state.optedOut).to.deep.equal([]);
      expect(back.events[0]).to.include({ type: 'opted_in' });
    });

    it('when an offer already opted out is opted out again, then nothing changes', () => {
      const r = optOut({ ...base(readyState({ optedOut: ['saas'] })), offerId: 'saas' });
      expect(r).to.deep.include({ ok: true, changed: false, events: [] });
    });

    it('when a marketer opts an offer out, then it is refused', () => {
      expect(errorOf(optOut({ ...base(), actor: { aadObjectId: MARKETER, role: 'marketer' }, offerId: 'saas' })).code).to.equal('forbidden');
    });

    it('when the offer is not the company’s, then it is refused', () => {
      expect(errorOf(optIn({ ...base(), offerId: 'other' })).code).to.equal('unknown_offer');
    });
  });

  describe('technical assistance', () => {
    const request = (over: Partial<ReturnType<typeof base>> & { input?: { offerId: string | null; phase: string; description: string } } = {}) =>
      requestTechnicalAssistance({ ...base(), newId: 'tr-1', input: { offerId: 'saas', phase: 'deployment', description: '  Help us deploy.  ' }, ...over });

    it('when a valid request is submitted, then it is recorded with a trimmed description', () => {
      const r = request();
      if (!r.ok) throw new Error(r.error.message);
      expect(r.request).to.deep.equal({ id: 'tr-1', offerId: 'saas', phase: 'deployment', description: 'Help us deploy.', requestedAt: AT, requestedBy: OWNER });
      expect(r.events[0]).to.include({ type: 'tech_requested' });
    });

    it('when no offer is named, then the request is about the company', () => {
      const r = request({ input: { offerId: null, phase: 'presales', description: 'Architecture review' } });
      expect(r.ok && r.request.offerId).to.equal(null);
    });

    const errors: [string, Parameters<typeof request>[0], string][] = [
      ['the edition has no technical category (FY24)', { edition: FY24 }, 'not_in_edition'],
      ['the phase is unknown', { input: { offerId: 'saas', phase: 'testing', description: 'x' } }, 'invalid_input'],
      ['the description is blank', { input: { offerId: 'saas', phase: 'design', description: '   ' } }, 'invalid_input'],
      ['the description is too long', { input: { offerId: 'saas', phase: 'design', description: 'x'.repeat(4001) } }, 'invalid_input'],
      ['the company is not enrolled', { state: emptyProgramState() }, 'not_enrolled'],
      ['there is no marketing contact', { state: readyState({ contact: null }) }, 'no_contact'],
      ['a developer asks', { actor: { aadObjectId: DEVELOPER, role: 'developer' } }, 'forbidden'],
      ['the offer is not the company’s', { input: { offerId: 'nope', phase: 'design', description: 'x' } }, 'unknown_offer'],
      ['the offer is opted out', { state: readyState({ optedOut: ['saas'] }) }, 'benefit_unavailable'],
    ];
    for (const [what, over, code] of errors) {
      it(`when ${what}, then the request fails with ${code}`, () => {
        expect(errorOf(request(over)).code).to.equal(code);
      });
    }
  });
});

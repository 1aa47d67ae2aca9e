import { expect } from 'chai';
import { Harness, USERS, buttons, cardOf } from './harness.js';
import { cardProblems } from '../fixtures/validate-card.js';

const MEGAN_CONTACT = { user: USERS.megan, email: 'megan.marketing@contoso.example', phone: '+1 (425) 555-0100', language: 'en' };

/** Every card the bot answers with must pass the adaptivecards parser. */
function valid(card: Record<string, unknown>) {
  expect(cardProblems(card), JSON.stringify(card).slice(0, 200)).to.deep.equal([]);
  return card;
}

describe('publisher conversations (transcripts)', function () {
  this.timeout(20_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create({
      extra: {
        publishers: [{ id: 'wingtip', name: 'Wingtip', mpnId: '7777777', tenantIds: ['33333333-3333-3333-3333-333333333333'], accountEmail: 'pc@wingtip.example', country: 'US', users: [{ aadObjectId: '33333333-0000-0000-0000-000000000001', name: 'Will Wingtip', email: 'will@wingtip.example', role: 'owner' }] }],
        offers: [{ id: 'wingtip-draft', publisherId: 'wingtip', name: 'Wingtip Draft', listingType: 'list', marketplace: 'appsource', offerType: 'saas', m365Integrated: false, dynamics365: false, byol: false, private: false, hasPublicListing: true, listingOptimizationCompleted: false, coSellReady: false, status: 'draft', liveDate: null, owner: null }],
        transactions: [],
        mau: [],
        staff: [],
      },
    });
  });
  afterEach(async () => h.close());

  const enrollAndAssign = async () => {
    await h.click('alex', 'enroll.submit');
    await h.click('alex', 'contact.submit', MEGAN_CONTACT);
  };

  describe('enroll', () => {
    it('when an owner types enroll, then the live offers are listed with the Partner Center button', async () => {
      const reply = await h.ask('alex', 'Enroll');
      const card = valid(cardOf(reply));
      expect(reply!.text).to.contain('Contoso Insights').and.contain('Contoso Insights Trial');
      expect(buttons(card).map((b) => b.title)).to.deep.equal(['Enroll in Marketplace Rewards Program']);
    });

    it('when the owner clicks Enroll twice, then the company is enrolled once and the second click says so', async () => {
      const first = await h.click('alex', 'enroll.submit');
      valid(first.card);
      expect(first.text).to.contain('Contoso Cloud is enrolled');
      const enrolledAt = (await h.doc('contoso')).state.enrolment?.enrolledAt;
      expect(enrolledAt).to.be.a('string');
      const second = await h.click('alex', 'enroll.submit');
      expect(second.text).to.contain('already enrolled');
      expect((await h.doc('contoso')).state.enrolment?.enrolledAt).to.equal(enrolledAt);
      expect((await h.store.readAudit({ publisherId: 'contoso' })).filter((a) => a.action === 'enroll')).to.have.length(1);
    });

    it('when the company has no MPN ID, then enrolment is refused with the reason and no button', async () => {
      const reply = await h.ask({ aadObjectId: '22222222-0000-0000-0000-000000000001', tenantId: '22222222-2222-2222-2222-222222222222' }, 'enroll');
      expect(reply!.text).to.contain('needs an MPN ID');
      expect(buttons(cardOf(reply))).to.deep.equal([]);
      const forced = await h.click({ aadObjectId: '22222222-0000-0000-0000-000000000001', tenantId: '22222222-2222-2222-2222-222222222222' }, 'enroll.submit');
      expect(forced.text).to.contain('MPN ID');
      expect((await h.doc('tailspin')).state.enrolment).to.equal(null);
    });

    it('when the company has no live offer, then enrolment is refused with the reason', async () => {
      const will = { aadObjectId: '33333333-0000-0000-0000-000000000001', tenantId: '33333333-3333-3333-3333-333333333333' };
      expect(await h.sayText(will, 'enroll')).to.contain('at least one live offer');
      expect((await h.click(will, 'enroll.submit')).text).to.contain('at least one live offer');
      expect((await h.doc('wingtip')).state.enrolment).to.equal(null);
    });

    it('when a developer (not owner or manager) tries, then they are told who can act and nothing changes', async () => {
      const reply = await h.ask('megan', 'enroll');
      expect(reply!.text).to.contain('Only an owner or a manager').and.contain('Alex Wilber');
      expect(buttons(cardOf(reply))).to.deep.equal([]);
      const forced = await h.click('megan', 'enroll.submit');
      expect(forced.text).to.contain('Only an owner or a manager');
      expect((await h.doc('contoso')).state.enrolment).to.equal(null);
    });
  });

  describe('marketing contact', () => {
    it('when the contact email is the company Partner Center account email, then the form comes back with the field error and nothing is saved', async () => {
      await h.click('alex', 'enroll.submit');
      const r = await h.click('alex', 'contact.submit', { ...MEGAN_CONTACT, email: 'Partners@Contoso.example' });
      valid(r.card);
      expect(r.text).to.contain('different from the company').and.contain('Nothing was saved');
      expect(JSON.stringify(r.card)).to.contain('"value":"Partners@Contoso.example"');
      expect(buttons(r.card).map((b) => b.title)).to.deep.equal(['Assign user']);
      expect((await h.doc('contoso')).state.contact).to.equal(null);
    });

    it('when the phone is not in international format, then the phone field is marked and nothing is saved', async () => {
      await h.click('alex', 'enroll.submit');
      const r = await h.click('alex', 'contact.submit', { ...MEGAN_CONTACT, phone: '555-0100' });
      expect(r.text).to.contain('international format, such as +14255550100');
      expect((await h.doc('contoso')).state.contact).to.equal(null);
    });

    it('when the chosen user is not an account user of this company, then it is refused', async () => {
      await h.click('alex', 'enroll.submit');
      const r = await h.click('alex', 'contact.submit', { ...MEGAN_CONTACT, user: USERS.adele });
      expect(r.text).to.contain('Choose one of your account users');
      expect((await h.doc('contoso')).state.contact).to.equal(null);
    });

    it('when every field is valid, then the contact is assigned, shown on the form and audited; a change replaces it', async () => {
      await h.click('alex', 'enroll.submit');
      const r = await h.click('alex', 'contact.submit', MEGAN_CONTACT);
      expect(r.text).to.contain('Megan Bowen is now your company marketing contact');
      const c = (await h.doc('contoso')).state.contact;
      expect(c).to.include({ aadObjectId: USERS.megan, email: 'megan.marketing@contoso.example', phone: '+14255550100', language: 'en' });
      const changed = await h.click('alex', 'contact.submit', { user: USERS.alex, email: 'alex.marketing@contoso.example', phone: '+442071234567', language: 'fr' });
      expect(changed.text).to.contain('Alex Wilber is now');
      expect((await h.doc('contoso')).state.contact?.language).to.equal('fr');
      expect((await h.store.readAudit({ publisherId: 'contoso' })).filter((a) => a.action === 'assign_contact')).to.have.length(2);
    });

    it('when the bot restarts in the middle of the form, then typing contact brings back the draft and errors, and the submit still works', async () => {
      await h.click('alex', 'enroll.submit');
      await h.click('alex', 'contact.submit', { ...MEGAN_CONTACT, phone: 'call me' });
      await h.restart();
      const reply = await h.ask('alex', 'contact');
      const text = JSON.stringify(cardOf(reply));
      expect(text).to.contain('"value":"call me"').and.contain('international format');
      const r = await h.click('alex', 'contact.submit', MEGAN_CONTACT);
      expect(r.text).to.contain('is now your company marketing contact');
    });

    it('when the company is not enrolled yet, then assigning is refused', async () => {
      const r = await h.click('alex', 'contact.submit', MEGAN_CONTACT);
      expect(r.text).to.contain('Enroll');
      expect((await h.doc('contoso')).state.contact).to.equal(null);
    });
  });

  describe('benefits and activation', () => {
    it('when benefits are asked for, then a summary comes first, then the available ones with one Activate, then what holds the rest back', async () => {
      await enrollAndAssign();
      const reply = await h.ask('alex', 'benefits');
      const card = valid(cardOf(reply));
      const t = reply!.text;
      expect(t).to.contain('14 available to activate · 0 activated · 10 not available yet');
      expect(t).to.contain('Tier 2 ($25K) unlocks 1 more benefit: Commercial marketplace blog feature. $250 more in billed sales to reach it.');
      expect(t.indexOf('available to activate')).to.be.lessThan(t.indexOf('Available to activate'));
      expect(t.indexOf('Available to activate')).to.be.lessThan(t.indexOf('Not available yet'));
      expect(t).to.contain('Marketing · Engagement manager (go-to-market plan)').and.contain('Reach $25,000');
      const activate = buttons(card).filter((b) => b.verb === 'benefit.activate');
      expect(activate.map((b) => [b.title, b.data.offerId])).to.deep.equal([['Activate', 'contoso-insights']]);
      const choiceSet = (card.body as Array<Record<string, unknown>>).find((e) => e.type === 'Input.ChoiceSet')!;
      expect((choiceSet.choices as unknown[]).length).to.equal(14);
      expect(choiceSet.value, 'the first is chosen, so Activate alone activates it').to.equal('engagement-manager');
      expect(buttons(card).some((b) => b.verb === 'benefits.show' && b.data.offerId === 'contoso-trial')).to.equal(true);
    });

    it('when a transact offer has 25+ benefits, then each restriction is said once and there is one Activate button', async () => {
      await enrollAndAssign();
      await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
      const e = await h.deps.program.evaluate('contoso');
      const offer = e.offers.find((o) => o.offerId === 'contoso-insights')!;
      expect(offer.benefits.length).to.be.at.least(25);
      const reasons = new Set(offer.benefits.flatMap((b) => b.reasons));
      const card = valid(cardOf(await h.ask('alex', 'benefits')));
      const texts = JSON.stringify(card).match(/"text":"[^"]*"/g)!.map((x) => x.slice(8, -1));
      for (const r of reasons) expect(texts.filter((x) => x.includes(r)), r).to.have.length(1);
      expect(texts.filter((x) => /Reach \$/.test(x))).to.have.length(reasons.size - 1); // the co-sell mark is the one non-tier restriction
      expect(buttons(card).filter((b) => b.verb === 'benefit.activate')).to.have.length(1);
      expect(JSON.stringify(card)).to.contain('Engagement manager (go-to-market plan)').and.contain('Activated · activated 26 Nov 2026');
    });

    it('when Activate is clicked twice (or the invoke is delivered twice), then there is one activation and the second says when it was activated', async () => {
      await enrollAndAssign();
      const data = { offerId: 'contoso-insights', benefitId: 'engagement-manager' };
      const first = await h.click('alex', 'benefit.activate', data);
      valid(first.card);
      expect(first.text).to.contain('A member of the Rewards team will contact Megan Bowen within a week');
      const second = await h.click('alex', 'benefit.activate', data);
      expect(second.text).to.contain('Engagement manager (go-to-market plan) is already activated on 26 Nov 2026').and.not.contain('within a week');
      const acts = (await h.doc('contoso')).state.activations;
      expect(acts).to.have.length(1);
      expect(acts[0]).to.include({ offerId: 'contoso-insights', benefitId: 'engagement-manager', state: 'activated', activatedBy: USERS.alex });
      expect(acts[0]!.dueAt.slice(0, 10)).to.equal('2026-12-03');
    });

    it('when a locked benefit is activated, then it is refused with the reason', async () => {
      await enrollAndAssign();
      const r = await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'home-page-placement' });
      expect(r.text).to.match(/not available|Reach/);
      expect((await h.doc('contoso')).state.activations).to.have.length(0);
    });

    it('when a user who may only look clicks Activate, then it is refused and they are told who can act', async () => {
      await enrollAndAssign();
      const reply = await h.ask('megan', 'benefits');
      expect(buttons(cardOf(reply)).filter((b) => b.verb === 'benefit.activate')).to.deep.equal([]);
      expect(reply!.text).to.contain('Only an owner or a manager');
      const r = await h.click('megan', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
      expect(r.text).to.contain('Only an owner or a manager');
      expect((await h.doc('contoso')).state.activations).to.have.length(0);
    });

    it('when a forged payload names another company’s offer, then it is refused and neither company changes', async () => {
      await enrollAndAssign();
      const before = await h.doc('fabrikam');
      const r = await h.click('alex', 'benefit.activate', { offerId: 'fabrikam-planner', benefitId: 'engagement-manager' });
      expect(r.text).to.contain('not one of your company');
      expect(await h.doc('fabrikam')).to.deep.equal(before);
      expect((await h.doc('contoso')).state.activations).to.have.length(0);
      const shown = await h.click('alex', 'benefits.show', { offerId: 'fabrikam-planner' });
      expect(shown.text).to.contain('not one of your company').and.not.contain('Fabrikam Planner');
      const garbage = await h.click('alex', 'benefit.activate', { offerId: { $ne: 1 } });
      expect(garbage.text).to.contain('could not be read');
    });

    it('when not enrolled, then activation is refused and the card says what to do first', async () => {
      const reply = await h.ask('alex', 'benefits');
      expect(reply!.text).to.contain('Enroll first');
      const r = await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
      expect(r.text).to.contain('Enroll');
      expect((await h.doc('contoso')).state.activations).to.have.length(0);
    });
  });

  describe('status', () => {
    it('when status is asked for, then tier, counted sales, a progress bar, enrolment, contact, activations and windows are shown', async () => {
      await enrollAndAssign();
      await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
      const reply = await h.ask('alex', 'STATUS');
      valid(cardOf(reply));
      const t = reply!.text;
      expect(t).to.contain('Contoso Cloud: Tier 1');
      expect(t).to.contain('$24,750');
      expect(t).to.contain('Progress to Tier 2').and.contain('$250 more in billed sales');
      expect(t).to.match(/█+░+ \d+%/);
      expect(t).to.contain('Enrollment').and.not.match(/enrolment/i);
      expect(t).to.contain('enrolled since').and.contain('Megan Bowen, megan.marketing@contoso.example');
      expect(t).to.contain('Engagement manager (go-to-market plan) (Contoso Insights)').and.contain('activated today');
      expect(t).to.contain('Contoso Insights Trial').and.match(/\d+ days left/);
      expect(t).to.contain('evergreen');
    });

    it('when a Microsoft 365 app publisher asks, then counted seats and the excluded sales are reflected', async () => {
      const reply = await h.ask('adele', 'status');
      expect(reply!.text).to.contain('Fabrikam Apps').and.contain('$7,000');
    });

    it('when sales were excluded, then status lists each one with its date, amount and reason, with the seats they carried', async () => {
      const t = (await h.ask('adele', 'status')).text;
      expect(t).to.contain('Not counted');
      expect(t).to.contain('10 Mar 2021 · $12,000 · 500 seats').and.contain('Proven fraudulent');
      expect(t).to.contain('2 Apr 2021 · $1,500 · 40 seats').and.contain('Cancelled: bought by accident');
      expect(t).to.contain('20 May 2021 · $900 · 25 seats').and.contain('Cancelled before use');
      expect(t).to.contain('Seats stopped counting after 30 Jun 2021');
    });

    it('when status is asked, then it says what the next tier unlocks, the pending technical-assistance requests and the next step for this role', async () => {
      await enrollAndAssign();
      await h.click('alex', 'tech.submit', { phase: 'design', offerId: 'contoso-insights', description: 'Review our architecture' });
      const owner = (await h.ask('alex', 'status')).text;
      expect(owner).to.contain('Tier 2 ($25K) unlocks: Commercial marketplace blog feature');
      expect(owner).to.contain('Technical assistance requests').and.contain('Design · Contoso Insights').and.contain('waiting for the Rewards team since 26 Nov 2026 (Alex Wilber)');
      expect(owner).to.contain('Next: type benefits');
      const lookOnly = (await h.ask('megan', 'status')).text;
      expect(lookOnly).to.contain('You can look up benefits and raise tickets; Alex Wilber can enroll').and.not.contain('Next: type benefits');
    });
  });

  describe('technical assistance', () => {
    it('when the description is missing, then the form shows the error; when complete, the request is recorded', async () => {
      await enrollAndAssign();
      const form = await h.ask('alex', 'tech');
      valid(cardOf(form));
      expect(buttons(cardOf(form)).map((b) => b.title)).to.deep.equal(['Submit request']);
      const bad = await h.click('alex', 'tech.submit', { phase: 'design', offerId: '', description: '' });
      expect(bad.text).to.contain('Describe what you need help with');
      expect((await h.doc('contoso')).state.techRequests).to.have.length(0);
      const ok = await h.click('alex', 'tech.submit', { phase: 'deployment', offerId: 'contoso-insights', description: 'Help us deploy to <b>AKS</b>' });
      expect(ok.text).to.contain('Technical assistance requested');
      expect((await h.doc('contoso')).state.techRequests[0]).to.include({ phase: 'deployment', offerId: 'contoso-insights', description: 'Help us deploy to <b>AKS</b>' });
    });
  });

  describe('double submits', () => {
    it('when the same technical-assistance form is submitted twice, then one request is recorded and both answers name it', async () => {
      await enrollAndAssign();
      const form = { phase: 'design', offerId: 'contoso-insights', description: 'Review our architecture' };
      const first = await h.click('alex', 'tech.submit', form, 'tech-card-1');
      const second = await h.click('alex', 'tech.submit', form, 'tech-card-1');
      expect((await h.doc('contoso')).state.techRequests).to.have.length(1);
      expect(second.text).to.contain('already submitted').and.contain('Review our architecture');
      expect(first.text).to.not.contain('already submitted');
      expect((await h.store.readAudit({ publisherId: 'contoso' })).filter((a) => a.action === 'tech_request')).to.have.length(1);
      await h.click('alex', 'tech.submit', form, 'tech-card-2');
      expect((await h.doc('contoso')).state.techRequests, 'a new form is a new request').to.have.length(2);
    });

    it('when the same contact form is submitted twice, then the contact is assigned once (one audit entry, one notice)', async () => {
      await h.click('alex', 'enroll.submit');
      await h.click('alex', 'contact.submit', MEGAN_CONTACT, 'contact-card-1');
      const assignedAt = (await h.doc('contoso')).state.contact?.assignedAt;
      const second = await h.click('alex', 'contact.submit', MEGAN_CONTACT, 'contact-card-1');
      expect(second.text).to.contain('Megan Bowen');
      expect((await h.doc('contoso')).state.contact?.assignedAt).to.equal(assignedAt);
      expect((await h.store.readAudit({ publisherId: 'contoso' })).filter((a) => a.action === 'assign_contact')).to.have.length(1);
    });
  });

  describe('receipts', () => {
    it('when the contact form is submitted, then it becomes a receipt of what was saved, when and by whom, with nothing to submit', async () => {
      await h.click('alex', 'enroll.submit');
      const r = await h.click('alex', 'contact.submit', MEGAN_CONTACT);
      valid(r.card);
      expect(buttons(r.card)).to.deep.equal([]);
      expect(r.text).to.contain('megan.marketing@contoso.example').and.contain('+14255550100').and.contain('English');
      expect(r.text).to.contain('Saved 26 Nov 2026 12:00 UTC by Alex Wilber');
    });

    it('when the technical-assistance form is submitted, then it becomes a receipt with the phase, offer and text, and no Submit button', async () => {
      await enrollAndAssign();
      const r = await h.click('alex', 'tech.submit', { phase: 'app_development', offerId: 'contoso-insights', description: 'Teams SSO' });
      valid(r.card);
      expect(buttons(r.card)).to.deep.equal([]);
      expect(r.text).to.contain('App development').and.contain('Contoso Insights').and.contain('Teams SSO');
      expect(r.text).to.contain('Sent 26 Nov 2026 12:00 UTC by Alex Wilber').and.contain('contact Megan Bowen within a week');
    });
  });

  describe('welcome and help per role', () => {
    const names = (card: Record<string, unknown>) => JSON.stringify(card).match(/"title":"[a-z][a-z ]*"/g)!.map((t) => t.slice(9, -1));

    it('when a publisher owner writes first, then they are greeted by name and see the commands in the order the program goes', async () => {
      const [welcome] = await h.say('alex', 'hello');
      expect(welcome!.text).to.contain('Hello Alex, you are here for Contoso Cloud').and.contain('enroll your company');
      expect(names(cardOf(welcome))).to.deep.equal(['enroll', 'contact', 'benefits', 'status', 'tech', 'optout', 'optin', 'ticket', 'tickets', 'whoami', 'help']);
    });

    it('when Rewards staff write first or ask for help, then they see staff commands and not "enroll your company"', async () => {
      const [welcome] = await h.say('nestor', 'hi');
      expect(welcome!.text).to.contain('Hello Nestor').and.not.contain('enroll').and.not.contain('Enroll');
      expect(names(cardOf(welcome))).to.deep.equal(['queue', 'ticket', 'campaign', 'register rewards channel', 'register support channel', 'whoami', 'help']);
      const help = await h.ask('isaiah', 'help');
      expect(help.text).to.contain('Hello Isaiah').and.contain('support queue').and.not.contain('enroll');
    });

    it('when someone the store does not know writes, then the welcome says to ask an owner and lists only help and whoami', async () => {
      const [welcome] = await h.say({ aadObjectId: '99999999-0000-0000-0000-000000000009', tenantId: '00000000-0000-0000-0000-0000000000001' }, 'hi');
      expect(welcome!.text).to.contain('Ask an owner');
      expect(names(cardOf(welcome))).to.deep.equal(['whoami', 'help']);
    });

    it('when whoami is asked, then the answer names the company, role and email, and shows no ids', async () => {
      const text = await h.sayText('megan', 'whoami');
      expect(text).to.contain('Megan Bowen, Developer at Contoso Cloud').and.contain('meganb@contoso.example');
      expect(text).to.not.match(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    });
  });

  describe('in a channel', () => {
    beforeEach(() => (h.channel = '19:general@thread.tacv2'));

    it('when a publisher @mentions the bot, then each mention gets its answer without the full welcome', async () => {
      for (let i = 0; i < 2; i++) {
        const replies = await h.say('alex', 'benefits');
        expect(replies, `mention ${i + 1}`).to.have.length(1);
        expect(replies[0]!.text).to.contain('Benefits · Contoso Insights').and.not.contain('Type one of these');
      }
    });

    it('when whoami, contact or status is asked in a channel, then the answer points to the personal chat and shows no people, emails or figures', async () => {
      await h.click('alex', 'enroll.submit');
      await h.click('alex', 'contact.submit', MEGAN_CONTACT);
      for (const command of ['whoami', 'contact', 'status']) {
        const text = await h.sayText('alex', command);
        expect(text, command).to.contain('personal chat');
        expect(text, command).to.not.match(/@|\$\d|Megan|Alex Wilber|Developer|Owner/);
      }
    });

    it('when a user who may only look opens benefits or opt-out in a channel, then the card says who may act without naming them', async () => {
      await enrollAndAssign();
      for (const command of ['benefits', 'optout']) {
        const text = await h.sayText('megan', command);
        expect(text, command).to.contain('Only an owner or a manager').and.not.contain('Alex Wilber');
      }
      const r = await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
      expect(r.text).to.contain('will contact your marketing contact within a week').and.not.contain('Megan');
    });

    it('when help is asked in a channel, then personal-chat commands are flagged and no offer owner is named', async () => {
      const text = await h.sayText('lee', 'help');
      expect(text).to.contain('(in our personal chat)').and.not.contain('Former Employee').and.not.contain('@');
    });
  });

  describe('opt out and in', () => {
    it('when an offer is opted out and back in, then the state follows and both are audited', async () => {
      const reply = await h.ask('alex', 'optout');
      const card = valid(cardOf(reply));
      expect(buttons(card).map((b) => b.title)).to.deep.equal(['Opt out', 'Opt out']);
      const out = await h.click('alex', 'offer.optout', { offerId: 'contoso-trial' });
      expect(out.text).to.contain('opted out');
      expect((await h.doc('contoso')).state.optedOut).to.deep.equal(['contoso-trial']);
      expect(buttons(out.card).map((b) => b.title)).to.include('Opt in');
      await h.click('alex', 'offer.optin', { offerId: 'contoso-trial' });
      expect((await h.doc('contoso')).state.optedOut).to.deep.equal([]);
      const audit = (await h.store.readAudit({ publisherId: 'contoso' })).map((a) => a.action);
      expect(audit).to.include.members(['opt_out', 'opt_in']);
    });
  });

  describe('who may use it', () => {
    it('when an unknown user asks for status, then they get one clear message and no data', async () => {
      const replies = await h.say({ aadObjectId: '99999999-0000-0000-0000-000000000009', tenantId: '00000000-0000-0000-0000-0000000000001' }, 'status');
      const text = replies.map((r) => r.text).join('\n');
      expect(text).to.match(/ask an owner/i);
      expect(text).to.not.contain('Contoso').and.not.contain('Tier');
    });

    it('when a known user writes from another tenant, then they are treated as unknown', async () => {
      const text = await h.sayText({ aadObjectId: USERS.alex, tenantId: '44444444-4444-4444-4444-444444444444' }, 'benefits');
      expect(text).to.match(/ask an owner/i);
      expect(text).to.not.contain('Contoso');
      const r = await h.click({ aadObjectId: USERS.alex, tenantId: '44444444-4444-4444-4444-444444444444' }, 'enroll.submit');
      expect(r.text).to.contain('know you');
      expect((await h.doc('contoso')).state.enrolment).to.equal(null);
    });

    it('when Rewards staff use a publisher command, then they are told it is for publisher users', async () => {
      expect(await h.sayText('nestor', 'status')).to.contain('Rewards staff');
    });

    it('when an unknown card verb arrives, then it gets a typed error answer', async () => {
      const r = await h.click('alex', 'rocket.launch', {});
      expect(r.statusCode).to.equal(400);
      expect(r.type).to.equal('application/vnd.microsoft.error');
    });
  });

  describe('help', () => {
    it('when help is typed, then the rules are explained with the caller’s own overdue offers and owners', async () => {
      const text = await h.sayText('lee', 'help');
      expect(text).to.contain('4 weeks after your offer went live').and.contain('ISV Connect').and.contain('English');
      expect(text).to.contain('Northwind Field Service for Dynamics 365').and.contain('Former Employee');
      expect(text).to.not.contain('Northwind Cloud Readiness Workshop has been live');
    });
  });
});

import { expect } from 'chai';
import { Harness, USERS, buttons } from './harness.js';
import { cardProblems } from '../fixtures/validate-card.js';

const CHANNEL = '19:rewards@thread.tacv2';

describe('Rewards team in Teams (transcripts)', function () {
  this.timeout(20_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
  });
  afterEach(async () => h.close());

  const activateAsAlex = async () => {
    h.channel = null;
    await h.click('alex', 'enroll.submit');
    await h.click('alex', 'contact.submit', { user: USERS.megan, email: 'megan.m@contoso.example', phone: '+14255550100', language: 'en' });
    await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
    return (await h.doc('contoso')).state.activations[0]!;
  };

  it('when a Rewards team member registers the channel, then activations are queued to it with the contact details and due date', async () => {
    h.channel = CHANNEL;
    expect(await h.sayText('nestor', 'register rewards channel')).to.contain('This channel now receives Rewards team notifications');
    const ref = await h.store.getConversationRef(`channel:${CHANNEL}`);
    expect(ref?.reference).to.have.nested.property('conversation.id', CHANNEL);
    const activation = await activateAsAlex();
    const queued = await h.store.listOutbox({ status: 'queued' });
    expect(queued).to.have.length(1);
    expect(queued[0]).to.include({ conversationKey: `channel:${CHANNEL}`, idempotencyKey: `activated:${activation.id}:rewards` });
    const card = (queued[0]!.payload as { activity: { attachments: Array<{ content: Record<string, unknown> }> } }).activity.attachments[0]!.content;
    expect(cardProblems(card)).to.deep.equal([]);
    const text = JSON.stringify(card);
    expect(text).to.contain('Contoso Cloud activated Engagement manager').and.contain('Megan Bowen, megan.m@contoso.example, +14255550100').and.contain('3 Dec 2026');
    expect(buttons(card).map((b) => b.title)).to.deep.equal(['Mark contacted', 'Mark completed']);
  });

  it('when Mark contacted is clicked, then the card changes in place and the publisher is told, once', async () => {
    const activation = await activateAsAlex();
    h.channel = CHANNEL;
    const r = await h.click('nestor', 'activation.contacted', { publisherId: 'contoso', activationId: activation.id });
    expect(cardProblems(r.card)).to.deep.equal([]);
    expect(r.text).to.contain('Marked contacted by Nestor Wilke').and.contain('Contacted, in progress');
    expect(buttons(r.card).map((b) => b.title)).to.deep.equal(['Mark completed']);
    expect((await h.doc('contoso')).state.activations[0]!.state).to.equal('in_progress');
    await h.click('nestor', 'activation.contacted', { publisherId: 'contoso', activationId: activation.id });
    const toPublisher = (await h.store.listOutbox()).filter((i) => i.idempotencyKey === `contacted:${activation.id}:publisher`);
    expect(toPublisher).to.have.length(1);
    expect(toPublisher[0]!.conversationKey).to.equal(`user:00000000-0000-0000-0000-0000000000001:${USERS.alex}`);
    const done = await h.click('nestor', 'activation.completed', { publisherId: 'contoso', activationId: activation.id });
    expect(done.text).to.contain('Completed');
    expect(buttons(done.card)).to.deep.equal([]);
  });

  it('when one team member clicks Mark contacted in the channel, then the channel message is edited for everyone, reminder included', async () => {
    h.channel = CHANNEL;
    await h.say('nestor', 'register rewards channel');
    const activation = await activateAsAlex();
    // As the worker would: the notice was posted in the channel, and later its overdue reminder.
    const notice = (await h.store.findOutbox(`activated:${activation.id}:rewards`))!;
    await h.store.completeOutbox(notice.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: notice.dueAt, activityId: 'notice-1' });
    await h.store.enqueueOutbox([{ idempotencyKey: `overdue:${activation.id}:rewards`, conversationKey: `channel:${CHANNEL}`, payload: {}, dueAt: notice.dueAt }]);
    const reminder = (await h.store.findOutbox(`overdue:${activation.id}:rewards`))!;
    await h.store.completeOutbox(reminder.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: reminder.dueAt, activityId: 'reminder-1' });
    h.channel = CHANNEL;
    await h.click('nestor', 'activation.contacted', { publisherId: 'contoso', activationId: activation.id }, 'notice-1');
    const edits = h.updates.updates.filter((u) => u.conversationKey === `channel:${CHANNEL}`);
    expect(edits.map((e) => e.activityId).sort()).to.deep.equal(['notice-1', 'reminder-1']);
    for (const e of edits) {
      expect(cardProblems(e.card)).to.deep.equal([]);
      expect(JSON.stringify(e.card)).to.contain('Contacted, in progress').and.contain('Marked contacted by Nestor Wilke');
      expect(buttons(e.card).map((b) => b.title)).to.deep.equal(['Mark completed']);
    }
    // A refused click (already contacted) edits nothing more.
    await h.click('nestor', 'activation.contacted', { publisherId: 'contoso', activationId: activation.id }, 'notice-1');
    expect(h.updates.updates.filter((u) => u.conversationKey === `channel:${CHANNEL}`)).to.have.length(2);
  });

  it('when a publisher user or a support agent clicks Mark contacted, then it is refused and nothing changes', async () => {
    const activation = await activateAsAlex();
    for (const who of ['alex', 'isaiah'] as const) {
      const r = await h.click(who, 'activation.contacted', { publisherId: 'contoso', activationId: activation.id });
      expect(r.text).to.contain('Only the Rewards team');
    }
    expect((await h.doc('contoso')).state.activations[0]!.state).to.equal('activated');
  });

  it('when a staff command is typed by a publisher user or outside a channel, then it is refused', async () => {
    h.channel = CHANNEL;
    expect(await h.sayText('alex', 'register rewards channel')).to.contain('for the Rewards and support teams only');
    h.channel = null;
    expect(await h.sayText('nestor', 'register rewards channel')).to.contain('Type this in the team channel');
    expect(await h.sayText('isaiah', 'register rewards channel')).to.contain('Only the Rewards team');
  });
});

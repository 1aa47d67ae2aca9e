import { expect } from 'chai';
import { Harness, NOW, USERS, buttons } from './harness.js';
import { cardProblems } from '../fixtures/validate-card.js';
import { createBotDeps } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { scanNotifications } from '../../src/adapters/bot/flows/automatic.js';

const SUPPORT = '19:support@thread.tacv2';
const TENANT = '00000000-0000-0000-0000-0000000000001';
const alexKey = `user:${TENANT}:${USERS.alex}`;
const HOSTILE = 'Nobody called. [click me](http://evil.example) **now** <at>Isaiah</at>';
const GOOD = { category: 'no_contact_after_go_live', offerId: 'contoso-trial', severity: 'urgent', description: HOSTILE };

describe('support tickets (transcripts)', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
    await h.say('alex', 'hi');
    h.channel = SUPPORT;
    await h.say('isaiah', 'register support channel');
    h.channel = null;
  });
  afterEach(async () => h.close());

  /** Raises the good ticket and lets the "worker" post the channel card. */
  async function raise() {
    const r = await h.click('alex', 'ticket.submit', GOOD);
    const item = (await h.store.findOutbox(`ticket:RW-1001:channel`))!;
    await h.store.completeOutbox(item.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: item.dueAt, activityId: 'channel-card-1' });
    return r;
  }
  const notes = async () => (await h.store.listOutbox()).filter((i) => i.idempotencyKey.startsWith('ticket:RW-1001:note:'));

  it('when a publisher raises a ticket, then the card shows its number and the support channel gets the agent card with the context attached and the text escaped', async () => {
    const form = await h.ask('alex', 'ticket');
    expect(cardProblems(form.activity.attachments![0]!.content as Record<string, unknown>)).to.deep.equal([]);
    expect(buttons(form.activity.attachments![0]!.content).map((b) => b.title)).to.deep.equal(['Submit ticket']);
    const bad = await h.click('alex', 'ticket.submit', { ...GOOD, description: '  ' });
    expect(bad.text).to.contain('Describe the problem').and.contain('Nothing was sent');
    expect(await h.store.listTickets()).to.deep.equal([]);

    const r = await raise();
    expect(cardProblems(r.card)).to.deep.equal([]);
    expect(r.text).to.contain('RW-1001').and.contain('waiting for an agent');
    expect(buttons(r.card).map((b) => b.title)).to.deep.equal(['Add comment', 'Withdraw']);
    const t = (await h.store.getTicket('RW-1001'))!;
    expect(t.publisherCard).to.deep.equal({ conversationKey: alexKey, activityId: 'card-2' });
    expect(t.context).to.include({ offerOwner: 'Megan Bowen (meganb@contoso.example)' });
    expect(t.firstResponseDueAt).to.be.a('string');
    const channel = (await h.store.findOutbox('ticket:RW-1001:channel'))!;
    expect(channel.conversationKey).to.equal(`channel:${SUPPORT}`);
    const agentCard = JSON.stringify(channel.payload);
    expect(agentCard).to.contain('Contoso Cloud').and.contain('Offer owner').and.contain('Megan Bowen').and.contain('Tier 1');
    expect(agentCard).to.not.contain('[click me](http').and.not.contain('<at>Isaiah</at>');
    expect(buttons((channel.payload as { activity: { attachments: Array<{ content: unknown }> } }).activity.attachments[0]!.content).map((b) => b.title)).to.deep.equal(['Assign to me', 'Assign to…', 'Reply', 'Resolve']);
  });

  it('when an agent assigns, replies, waits, and the publisher answers in chat, then both cards follow in place and the publisher hears each step', async () => {
    await raise();
    h.channel = SUPPORT;
    const assigned = await h.click('isaiah', 'ticket.assign_me', { ticketId: 'RW-1001' });
    expect(assigned.text).to.contain('Isaiah Langer assigned it to themselves');
    const replied = await h.click('isaiah', 'ticket.reply', { ticketId: 'RW-1001', reply: 'We are looking into it.' });
    expect(cardProblems(replied.card)).to.deep.equal([]);
    const waiting = await h.click('isaiah', 'ticket.wait', { ticketId: 'RW-1001' });
    // The agent's card is worded for the agent, and does not offer the assignee their own ticket.
    expect(waiting.text).to.contain('Status: waiting on the partner').and.not.contain('waiting on you');
    expect(buttons(waiting.card).map((b) => b.title)).to.not.include('Assign to me');
    expect(waiting.text).to.contain('Severity\nUrgent').and.contain('Isaiah Langer replied: We are looking into it.').and.not.contain('Isaiah Langer: Isaiah Langer');
    // Everyone else in the channel sees each change: the channel's message was edited every time.
    const channelEdits = h.updates.updates.filter((u) => u.activityId === 'channel-card-1');
    expect(channelEdits).to.have.length(3);
    expect(JSON.stringify(channelEdits[2]!.card)).to.contain('waiting on the partner');
    // Isaiah, the only support agent, has it: nobody else to take or assign it to.
    expect(buttons(channelEdits[0]!.card).map((b) => b.title)).to.deep.equal(['Reply', 'Waiting on partner', 'Resolve']);
    h.channel = null;
    // The publisher's card was replaced in place on every change.
    const card = (await h.store.getTicket('RW-1001'))!.publisherCard!;
    const publisherUpdates = h.updates.updates.filter((u) => u.conversationKey === card.conversationKey && u.activityId === card.activityId);
    expect(publisherUpdates).to.have.length(3);
    expect(JSON.stringify(publisherUpdates[2]!.card)).to.contain('We are looking into it').and.contain('waiting on you');
    expect((await notes()).map((n) => JSON.stringify(n.payload))).to.satisfy((all: string[]) => all.some((x) => x.includes('We are looking into it')));
    // Text typed while the ticket waits on the publisher is added to it.
    const answer = await h.sayText('alex', 'The owner is Megan, she is back next week');
    expect(answer).to.contain('Added to RW-1001');
    const t = (await h.store.getTicket('RW-1001'))!;
    expect(t.status).to.equal('assigned');
    expect(t.notes.map((n) => n.action)).to.deep.equal(['raise', 'assign', 'reply', 'wait_on_partner', 'comment']);
    // The publisher's own card no longer says it waits on them.
    const mine = h.updates.updates.filter((u) => u.conversationKey === card.conversationKey && u.activityId === card.activityId);
    expect(mine).to.have.length(4);
    expect(JSON.stringify(mine[3]!.card)).to.contain('Status: assigned').and.contain('she is back next week').and.not.contain('waiting on you');
    const channelUpdates = h.updates.updates.filter((u) => u.activityId === 'channel-card-1');
    expect(JSON.stringify(channelUpdates[channelUpdates.length - 1]!.card)).to.contain('she is back next week');
    expect((await h.store.readAudit({ publisherId: 'contoso' })).filter((a) => a.action.startsWith('ticket_')).map((a) => a.action)).to.deep.equal(['ticket_raise', 'ticket_assign', 'ticket_reply', 'ticket_wait_on_partner', 'ticket_comment']);
  });

  it('when resolved, reopened, resolved again and left a week, then it closes by itself', async () => {
    await raise();
    const noNote = await h.click('isaiah', 'ticket.resolve', { ticketId: 'RW-1001', resolution: '' });
    expect(noNote.text).to.contain('Write a resolution note');
    await h.click('isaiah', 'ticket.resolve', { ticketId: 'RW-1001', resolution: 'Owner updated in Partner Center.' });
    expect((await h.store.getTicket('RW-1001'))!.status).to.equal('resolved');
    const reopened = await h.click('alex', 'ticket.reopen', { ticketId: 'RW-1001' });
    expect(reopened.text).to.contain('assigned');
    await h.click('isaiah', 'ticket.resolve', { ticketId: 'RW-1001', resolution: 'Done for real.' });
    const later = createBotDeps(h.deps.config, h.store, createLogger('silent'), h.updates, () => new Date(NOW.getTime() + 8 * 86_400_000));
    await scanNotifications(later);
    expect((await h.store.getTicket('RW-1001'))!.status).to.equal('closed');
    expect((await h.click('alex', 'ticket.reopen', { ticketId: 'RW-1001' })).text).to.contain('Only a resolved ticket can be reopened');
  });

  it('when someone acts outside their role or on another company’s ticket, then it is refused and nothing changes', async () => {
    await raise();
    expect((await h.click('alex', 'ticket.assign_me', { ticketId: 'RW-1001' })).text).to.contain('Only support agents');
    expect((await h.click('nestor', 'ticket.reply', { ticketId: 'RW-1001', reply: 'hi' })).text).to.contain('Only support agents');
    expect((await h.click('lee', 'ticket.withdraw', { ticketId: 'RW-1001' })).text).to.contain('not one of your company');
    expect((await h.click('isaiah', 'ticket.assign', { ticketId: 'RW-1001', assignee: USERS.alex })).text).to.contain('Choose a support agent');
    expect((await h.click('isaiah', 'ticket.withdraw', { ticketId: 'RW-1001' })).text).to.match(/know you|Rewards staff/);
    const t = (await h.store.getTicket('RW-1001'))!;
    expect(t.status).to.equal('unassigned');
    expect(t.notes).to.have.length(1);
    expect(await h.sayText('alex', 'queue')).to.contain('for the Rewards and support teams only');
  });

  it('when withdrawn, then agents can no longer act on it', async () => {
    await raise();
    const w = await h.click('alex', 'ticket.withdraw', { ticketId: 'RW-1001' });
    expect(w.text).to.contain('withdrawn');
    expect((await h.click('isaiah', 'ticket.reply', { ticketId: 'RW-1001', reply: 'late' })).text).to.contain('reopen it first');
  });

  it('when the same ticket form is submitted twice, then one ticket is raised and both answers show it', async () => {
    const first = await h.click('alex', 'ticket.submit', GOOD, 'form-card-1');
    const second = await h.click('alex', 'ticket.submit', GOOD, 'form-card-1');
    expect(first.text).to.contain('RW-1001');
    expect(second.text).to.contain('RW-1001').and.contain('already raised').and.not.contain('RW-1002');
    // Two clicks arriving together (no answer yet for the first) also make one.
    await Promise.all([h.click('alex', 'ticket.submit', { ...GOOD, description: 'twice at once' }, 'form-card-2'), h.click('alex', 'ticket.submit', { ...GOOD, description: 'twice at once' }, 'form-card-2')]);
    expect((await h.store.listTickets()).map((t) => t.id)).to.deep.equal(['RW-1001', 'RW-1002']);
    expect((await h.store.listOutbox()).filter((i) => i.idempotencyKey.endsWith(':channel'))).to.have.length(2);
    expect((await h.store.readAudit({ publisherId: 'contoso' })).filter((a) => a.action === 'ticket_raise')).to.have.length(2);
    // A new form (another card) is a new ticket.
    expect((await h.click('alex', 'ticket.submit', GOOD, 'form-card-3')).text).to.contain('RW-1003');
  });

  it('when tickets were raised before a support channel was registered, then registering it posts them', async () => {
    const fresh = await Harness.create();
    try {
      await fresh.say('alex', 'hi');
      await fresh.click('alex', 'ticket.submit', GOOD);
      await fresh.click('alex', 'ticket.submit', { ...GOOD, description: 'second one' });
      await fresh.click('alex', 'ticket.withdraw', { ticketId: 'RW-1002' });
      expect(await fresh.store.findOutbox('ticket:RW-1001:channel')).to.equal(undefined);
      fresh.channel = SUPPORT;
      const answer = await fresh.sayText('isaiah', 'register support channel');
      expect(answer).to.contain('One open ticket that was raised before now follows');
      expect((await fresh.store.findOutbox('ticket:RW-1001:channel'))!.conversationKey).to.equal(`channel:${SUPPORT}`);
      expect(await fresh.store.findOutbox('ticket:RW-1002:channel')).to.equal(undefined); // withdrawn: nothing to do
      expect(await fresh.sayText('isaiah', 'register support channel')).to.not.contain('follow');
    } finally {
      await fresh.close();
    }
  });

  it('when an agent opens the queue or names a ticket, then every ticket can be acted on from there', async () => {
    await raise();
    await h.click('alex', 'ticket.submit', { category: 'other', offerId: '', severity: 'normal', description: 'A question' });
    const queue = await h.ask('isaiah', 'queue');
    const queueCard = queue.activity.attachments![0]!.content as Record<string, unknown>;
    expect(cardProblems(queueCard)).to.deep.equal([]);
    expect(queue.text).to.contain('RW-1001 · Contoso Cloud').and.contain('Urgent · unassigned').and.not.contain('contoso ·');
    // Each ticket once, with its buttons.
    expect(buttons(queueCard).map((b) => `${b.title} ${String(b.data.ticketId)}`)).to.deep.equal(['Open RW-1001', 'Assign to me RW-1001', 'Open RW-1002', 'Assign to me RW-1002']);
    const opened = await h.click('isaiah', 'ticket.open', { ticketId: 'RW-1002' });
    expect(opened.text).to.contain('RW-1002').and.contain('Contoso Cloud');
    expect(buttons(opened.card).map((b) => b.title)).to.include('Assign to me');
    const taken = await h.click('isaiah', 'ticket.assign_me', { ticketId: 'RW-1002' });
    expect(taken.text).to.contain('assigned it to themselves');
    // The agent's own copy leads back to the queue, which now shows RW-1002 as theirs.
    expect(buttons(opened.card).map((b) => b.title)).to.include('Queue');
    const back = await h.click('isaiah', 'ticket.queue', {});
    expect(buttons(back.card).map((b) => `${b.title} ${String(b.data.ticketId)}`)).to.deep.equal(['Open RW-1001', 'Assign to me RW-1001', 'Open RW-1002']);
    // `ticket RW-n`: the agent card for agents; a publisher sees only their company's tickets.
    const named = await h.ask('isaiah', 'ticket RW-1001');
    expect(named.text).to.contain('RW-1001').and.contain('Offer owner');
    expect(await h.sayText('alex', 'ticket rw-1001')).to.contain('RW-1001').and.not.contain('Offer owner');
    expect(await h.sayText('lee', 'ticket RW-1001')).to.contain('not one of your company’s tickets').and.not.contain('Contoso');
    expect(await h.sayText('isaiah', 'ticket RW-999')).to.contain('There is no ticket RW-999');
  });

  it('when a user raises more tickets than allowed in an hour, then the next is refused with a clear message', async () => {
    for (let i = 0; i < 5; i++) await h.click('alex', 'ticket.submit', { ...GOOD, description: `problem ${i}` });
    const sixth = await h.click('alex', 'ticket.submit', { ...GOOD, description: 'one more' });
    expect(sixth.text).to.contain('the most allowed');
    expect(await h.store.listTickets()).to.have.length(5);
  });

  it('when the queue is asked for and the first response is late, then it lists the ticket and the channel is reminded once', async () => {
    await raise();
    await h.click('alex', 'ticket.submit', { category: 'other', offerId: '', severity: 'normal', description: 'A question' });
    const q = await h.sayText('isaiah', 'queue');
    expect(q).to.contain('Unassigned').and.contain('RW-1001').and.contain('RW-1002').and.contain('Urgent');
    const later = createBotDeps(h.deps.config, h.store, createLogger('silent'), h.updates, () => new Date(NOW.getTime() + 3 * 86_400_000));
    await scanNotifications(later);
    await scanNotifications(later);
    const reminders = (await h.store.listOutbox()).filter((i) => i.idempotencyKey.endsWith(':overdue'));
    expect(reminders.map((r) => r.idempotencyKey).sort()).to.deep.equal(['ticket:RW-1001:overdue', 'ticket:RW-1002:overdue']);
    const list = await h.sayText('alex', 'tickets');
    expect(list).to.contain('Open').and.contain('RW-1001');
  });
});

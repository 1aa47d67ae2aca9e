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
    expect(waiting.text).to.contain('waiting on you');
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

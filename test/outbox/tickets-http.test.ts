/**
 * Tickets end to end through /api/messages, against a connector that behaves as Teams does for
 * several people: an invoke answer replaces the card for the clicker only, a message edit for
 * everyone. The channel card is posted by the outbox; after any agent's click every member of
 * the support channel, and the publisher in their chat, sees the new state.
 */
import { expect } from 'chai';
import type { App } from '../../src/app.js';
import { type FakeConnector, textOf, textOfCard } from '../fixtures/fake-connector.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { teamsMessage } from '../fixtures/activities.js';

const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const TENANT = '00000000-0000-0000-0000-0000000000001';
const CHANNEL = '19:support@thread.tacv2';
const ALEX_CHAT = `a:personal-${id(20)}`;

describe('tickets through HTTP: every copy of the card follows, for everyone who sees it', function () {
  this.timeout(60_000);
  let h: HttpApp;
  let app: App;
  let connector: FakeConnector;
  let post: HttpApp['post'];

  before(async () => {
    h = await startHttpApp();
    ({ app, connector, post } = h);
  });
  after(async () => h.stop());

  const inChannel = (text: string, aad: string, name: string) => ({
    ...teamsMessage(`<at>Rewards</at> ${text}`, { serviceUrl: connector.url, aadObjectId: aad, name, conversationType: 'channel' }),
    conversation: { id: `${CHANNEL};messageid=1`, conversationType: 'channel', tenantId: TENANT, isGroup: true },
    channelData: { tenant: { id: TENANT }, channel: { id: CHANNEL }, team: { id: '19:team@thread.tacv2' } },
    entities: [{ type: 'mention', mentioned: { id: '28:rewards-bot', name: 'Rewards' }, text: '<at>Rewards</at>' }],
  });
  const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  /** The card the bot posted last in a conversation (the answer to a typed command). */
  const lastCardIn = (conversation: string) => connector.messagesIn(conversation).at(-1)!;

  it('when a publisher raises a ticket and an agent works it, then the channel and the publisher see each change, not only the clicker', async () => {
    await post(teamsMessage('hi', { serviceUrl: connector.url }));
    await post(inChannel('register support channel', id(25), 'Isaiah Langer'));
    const alex = teamsMessage('', { serviceUrl: connector.url });
    await post(teamsMessage('ticket', { serviceUrl: connector.url }));
    const form = lastCardIn(ALEX_CHAT).id;
    const raised = await h.click(alex, 'ticket.submit', { category: 'other', offerId: '', severity: 'normal', description: 'Where is my engagement manager?' }, form);
    expect(textOfCard(raised.card)).to.contain('RW-1001');
    // A double click on the same form raises nothing new.
    expect(textOfCard((await h.click(alex, 'ticket.submit', { category: 'other', offerId: '', severity: 'normal', description: 'Where is my engagement manager?' }, form)).card)).to.contain('already raised RW-1001');
    expect(await app.deps.store.listTickets()).to.have.length(1);

    await until(async () => Boolean((await app.deps.store.findOutbox('ticket:RW-1001:channel'))?.activityId), 'the channel card id');
    const card = (await app.deps.store.findOutbox('ticket:RW-1001:channel'))!.activityId!;
    // Nestor (Rewards team, a member of the same team channel) sees the card as posted.
    expect(textOfCard(connector.view(CHANNEL, card, id(24)))).to.contain('Status: unassigned').and.contain('Assign to me');

    const isaiah = inChannel('', id(25), 'Isaiah Langer');
    const assigned = await h.click(isaiah, 'ticket.assign_me', { ticketId: 'RW-1001' }, card);
    expect(textOfCard(assigned.card)).to.contain('assigned it to themselves');
    // Not only Isaiah: the message was edited, so everyone in the channel sees it assigned, without the stale button.
    const seenByNestor = textOfCard(connector.view(CHANNEL, card, id(24)));
    expect(seenByNestor).to.contain('Status: assigned').and.contain('Agent\nIsaiah Langer').and.not.contain('Assign to me');
    expect(connector.updatesOf(CHANNEL, card)).to.equal(1);
    // The publisher's card in their chat follows too.
    expect(textOfCard(connector.view(ALEX_CHAT, form, id(20)))).to.contain('Status: assigned');

    await h.click(isaiah, 'ticket.reply', { ticketId: 'RW-1001', reply: 'Your engagement manager writes today.' }, card);
    await h.click(isaiah, 'ticket.wait', { ticketId: 'RW-1001' }, card);
    expect(textOfCard(connector.view(CHANNEL, card, id(24)))).to.contain('waiting on the partner').and.contain('Your engagement manager writes today.');
    expect(textOfCard(connector.view(ALEX_CHAT, form, id(20)))).to.contain('waiting on you');
    await until(() => connector.sent().some((a) => textOf(a).includes('Your engagement manager writes today.') && textOf(a).includes('RW-1001')), 'the reply in the chat');

    // Alex answers in the chat: the ticket goes back to the agent, and Alex's own card says so.
    await post(teamsMessage('He wrote, thanks!', { serviceUrl: connector.url }));
    expect(textOfCard(connector.view(ALEX_CHAT, form, id(20)))).to.contain('Status: assigned').and.contain('He wrote, thanks!').and.not.contain('waiting on you');
    expect(textOfCard(connector.view(CHANNEL, card, id(24)))).to.contain('He wrote, thanks!');
    expect(textOfCard(connector.view(CHANNEL, card, id(25)))).to.contain('He wrote, thanks!'); // the clicker too: an edit replaces their view
  });
});

/**
 * Tickets end to end through /api/messages: the channel card is posted by the outbox, and each
 * agent action replaces the publisher's card in place (the fake connector records the PUT) and
 * posts a note in the publisher's chat.
 */
import { expect } from 'chai';
import type { App } from '../../src/app.js';
import { type FakeConnector, textOf } from '../fixtures/fake-connector.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { teamsMessage } from '../fixtures/activities.js';

const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const TENANT = '00000000-0000-0000-0000-0000000000001';
const CHANNEL = '19:support@thread.tacv2';

describe('tickets through HTTP: channel card, in-place updates of both cards', function () {
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
  const invoke = (base: Record<string, unknown>, verb: string, data: Record<string, unknown>, replyToId: string) => ({ ...base, type: 'invoke', name: 'adaptiveCard/action', text: undefined, entities: undefined, replyToId, value: { action: { type: 'Action.Execute', verb, data } } });
  const until = async (cond: () => boolean | Promise<boolean>, what: string) => {
    const deadline = Date.now() + 15_000;
    while (!(await cond())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('when a publisher raises a ticket and an agent assigns and replies, then both cards are replaced in place and the reply reaches the chat', async () => {
    await post(teamsMessage('hi', { serviceUrl: connector.url }));
    await post(inChannel('register support channel', id(25), 'Isaiah Langer'));
    const alexBase = teamsMessage('', { serviceUrl: connector.url });
    const raised = await post(invoke(alexBase, 'ticket.submit', { category: 'other', offerId: '', severity: 'normal', description: 'Where is my engagement manager?' }, 'alex-card-1'));
    expect(JSON.stringify(await raised.json())).to.contain('RW-1001');
    await until(() => connector.sent().some((a) => JSON.stringify(a).includes('Assign to me')), 'the channel card');
    const channelPost = connector.calls.find((c) => c.method === 'POST' && JSON.stringify(c.body).includes('Assign to me'))!;
    expect(channelPost.path).to.contain(encodeURIComponent(CHANNEL));
    // The worker records the id Teams gave the card once the send is acknowledged.
    await until(async () => Boolean((await app.deps.store.findOutbox('ticket:RW-1001:channel'))?.activityId), 'the channel card id');
    const channelActivityId = (await app.deps.store.findOutbox('ticket:RW-1001:channel'))!.activityId!;
    expect(channelActivityId).to.match(/^act-/);

    const channelBase = inChannel('', id(25), 'Isaiah Langer');
    const assigned = await post(invoke(channelBase, 'ticket.assign_me', { ticketId: 'RW-1001' }, channelActivityId));
    expect(JSON.stringify(await assigned.json())).to.contain('assigned it to themselves');
    const alexConversation = encodeURIComponent(`a:personal-${id(20)}`);
    const puts = () => connector.calls.filter((c) => c.method === 'PUT' && c.path.includes(`/v3/conversations/${alexConversation}/activities/alex-card-1`));
    expect(puts()).to.have.length(1);
    expect(textOf(puts()[0]!.body)).to.contain('Status: assigned');

    await post(invoke(channelBase, 'ticket.reply', { ticketId: 'RW-1001', reply: 'Your engagement manager writes today.' }, channelActivityId));
    expect(puts()).to.have.length(2);
    expect(textOf(puts()[1]!.body)).to.contain('Your engagement manager writes today.');
    await until(() => connector.sent().some((a) => textOf(a).includes('RW-1001: assigned') && textOf(a).includes('Your engagement manager writes today.')), 'the reply in the chat');

    // The publisher comments from their card: the channel card is replaced in place.
    await post(invoke(alexBase, 'ticket.comment', { ticketId: 'RW-1001', comment: 'Thanks!' }, 'alex-card-1'));
    const channelPuts = connector.calls.filter((c) => c.method === 'PUT' && c.path.endsWith(`/activities/${channelActivityId}`));
    expect(channelPuts).to.have.length(1);
    expect(textOf(channelPuts[0]!.body)).to.contain('Thanks!');
  });
});

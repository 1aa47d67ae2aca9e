/**
 * A campaign end to end through /api/messages: composed and sent by a Rewards team member,
 * delivered by the outbox to a fake connector, the progress card updated in place (the connector
 * records the update), results exported as CSV through the signed link.
 */
import { expect } from 'chai';
import type { App } from '../../src/app.js';
import { type FakeConnector, textOf } from '../fixtures/fake-connector.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { teamsMessage } from '../fixtures/activities.js';

const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const FORM = { title: 'Webinar next week', text: 'Join us.', linkTitle: '', linkUrl: '', audience: 'publishers', tier: '', listingType: '', marketplace: '', publisherIds: 'contoso, northwind', people: 'account_users', sendDate: '', sendTime: '' };

describe('campaign through HTTP: delivery, progress in place, CSV export', function () {
  this.timeout(60_000);
  let h: HttpApp;
  let app: App;
  let port: number;
  let connector: FakeConnector;
  let post: HttpApp['post'];

  before(async () => {
    h = await startHttpApp();
    ({ app, port, connector, post } = h);
  });
  after(async () => h.stop());


  it('when a campaign is sent, then reachable recipients get it, the progress card is updated in place and the CSV lists everyone', async () => {
    for (const [n, name] of [[20, 'Alex Wilber'], [23, 'Lee Gu'], [24, 'Nestor Wilke']] as const) {
      await post(teamsMessage('hi', { serviceUrl: connector.url, aadObjectId: id(n), name }));
    }
    const nestorConversation = `a:personal-${id(24)}`;
    const invoke = (verb: string, data: Record<string, unknown>) => ({ ...teamsMessage('', { serviceUrl: connector.url, aadObjectId: id(24), name: 'Nestor Wilke' }), type: 'invoke', name: 'adaptiveCard/action', text: undefined, replyToId: 'composer-1', value: { action: { type: 'Action.Execute', verb, data } } });
    await post(teamsMessage('campaign', { serviceUrl: connector.url, aadObjectId: id(24), name: 'Nestor Wilke' }));
    const res = await post(invoke('campaign.send', FORM));
    const body = (await res.json()) as { value: Record<string, unknown> };
    expect(JSON.stringify(body.value)).to.contain('Campaign: Webinar next week');

    // Contoso (Alex, Megan) and Northwind (Lee): Alex and Lee talked to the bot, Megan never did.
    const deadline = Date.now() + 20_000;
    const toRecipient = () => connector.sent().filter((a) => JSON.stringify(a).includes('Webinar next week') && JSON.stringify(a).includes('Acknowledge'));
    while (toRecipient().length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(toRecipient()).to.have.length(2);
    while ((await app.deps.store.listOutbox()).some((i) => i.status === 'queued' || i.status === 'sending')) await new Promise((r) => setTimeout(r, 50));

    await app.progress.tick();
    const updates = connector.calls.filter((c) => c.method === 'PUT' && c.path.includes(`/v3/conversations/${encodeURIComponent(nestorConversation)}/activities/composer-1`));
    expect(updates).to.have.length(1);
    const card = textOf(updates[0]!.body);
    expect(card).to.contain('Finished');
    await app.progress.tick();
    expect(connector.calls.filter((c) => c.method === 'PUT')).to.have.length(1); // nothing changed: no update

    const exportUrl = /"url":"([^"]+results\.csv[^"]+)"/.exec(JSON.stringify(updates[0]!.body))![1]!;
    const local = exportUrl.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${port}`);
    const csv = await fetch(local);
    expect(csv.status).to.equal(200);
    const text = await csv.text();
    expect(text.trim().split('\n')).to.have.length(4);
    expect(text).to.contain(`"user:00000000-0000-0000-0000-0000000000001:${id(20)}","sent"`).and.contain(`${id(21)}","unreachable"`);
    const forged = await fetch(local.replace(/sig=[0-9a-f]+/, 'sig=' + '0'.repeat(64)));
    expect(forged.status).to.equal(403);
  });
});

/**
 * A campaign end to end through /api/messages: composed, confirmed and sent by a Rewards team
 * member, delivered by the outbox to a connector that refuses people without the app (as Teams
 * does), the progress card edited in place (also for acknowledgements after the sends settled),
 * results exported as CSV through the signed link.
 */
import { expect } from 'chai';
import type { App } from '../../src/app.js';
import { type FakeConnector, textOf, textOfCard } from '../fixtures/fake-connector.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { teamsMessage } from '../fixtures/activities.js';

const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const FORM = { title: 'Webinar next week', text: 'Join us.', linkTitle: '', linkUrl: '', audience: 'publishers', tier: '', listingType: '', marketplace: '', publisherIds: 'contoso, northwind', people: 'account_users', sendDate: '', sendTime: '' };
const NESTOR_CHAT = `a:personal-${id(24)}`;

describe('campaign through HTTP: delivery, progress in place, acknowledgements, CSV export', function () {
  this.timeout(60_000);
  let h: HttpApp;
  let app: App;
  let port: number;
  let connector: FakeConnector;
  let post: HttpApp['post'];

  beforeEach(async () => {
    h = await startHttpApp();
    ({ app, port, connector, post } = h);
  });
  afterEach(async () => h.stop());

  const settled = async () => {
    const deadline = Date.now() + 20_000;
    while ((await app.deps.store.listOutbox()).some((i) => i.status === 'queued' || i.status === 'sending')) {
      if (Date.now() > deadline) throw new Error('the outbox did not settle');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const nestor = () => teamsMessage('', { serviceUrl: connector.url, aadObjectId: id(24), name: 'Nestor Wilke' });
  /** Opens the composer, presses Send… and confirms; returns the composer card's id (now the progress card). */
  const sendCampaign = async (form: Record<string, string>) => {
    await post(teamsMessage('campaign', { serviceUrl: connector.url, aadObjectId: id(24), name: 'Nestor Wilke' }));
    const composer = connector.messagesIn(NESTOR_CHAT).at(-1)!.id;
    const asked = await h.click(nestor(), 'campaign.send', form, composer);
    const count = /Confirm: send to (\d+) recipients?/.exec(textOfCard(asked.card))?.[1];
    expect(count, textOfCard(asked.card)).to.be.a('string');
    const progress = await h.click(nestor(), 'campaign.confirm', { ...form, confirmCount: count! }, composer);
    expect(textOfCard(progress.card)).to.contain(`Campaign: ${form.title}`);
    return composer;
  };

  it('when a campaign is sent, then reachable recipients get it, the progress card says what happened, late acknowledgements show, and the CSV names everyone', async () => {
    for (const [n, name] of [[20, 'Alex Wilber'], [23, 'Lee Gu'], [22, 'Adele Vance']] as const) {
      await post(teamsMessage('hi', { serviceUrl: connector.url, aadObjectId: id(n), name }));
    }
    const composer = await sendCampaign(FORM);
    // Contoso (Alex, Megan) and Northwind (Lee): Alex and Lee talked to the bot, Megan never did.
    await settled();
    const toRecipient = () => connector.sent().filter((a) => JSON.stringify(a).includes('Webinar next week') && JSON.stringify(a).includes('Acknowledge'));
    expect(toRecipient()).to.have.length(2);

    await app.progress.tick();
    const progress = () => textOfCard(connector.view(NESTOR_CHAT, composer, id(24)));
    expect(progress()).to.contain('Finished: 2 of 3 recipients delivered: 1 unreachable (the app is not installed for them)');
    expect(progress()).to.contain('Audience: Contoso Cloud and Northwind Dynamics · all account users');
    const edits = connector.updatesOf(NESTOR_CHAT, composer);
    await app.progress.tick();
    expect(connector.updatesOf(NESTOR_CHAT, composer)).to.equal(edits); // nothing changed: no edit

    // Adele (another company) posts the Acknowledge action: refused, not counted, nothing learnt.
    const campaignId = (await app.deps.store.listOutbox())[0]!.idempotencyKey.split(':')[1]!;
    const adele = await h.click(teamsMessage('', { serviceUrl: connector.url, aadObjectId: id(22), name: 'Adele Vance' }), 'campaign.ack', { campaignId }, 'adeles-own-card');
    expect(textOfCard(adele.card)).to.contain('not sent to you').and.not.contain('Webinar').and.not.contain('Join us');
    // Lee acknowledges after the sends settled: the progress card shows it on the next round.
    const leesCard = connector.messagesIn(`a:personal-${id(23)}`).find((m) => textOf(m.activity).includes('Webinar next week'))!.id;
    const lee = await h.click(teamsMessage('', { serviceUrl: connector.url, aadObjectId: id(23), name: 'Lee Gu' }), 'campaign.ack', { campaignId }, leesCard);
    expect(textOfCard(lee.card)).to.contain('Thanks: acknowledged');
    await app.progress.tick();
    expect(progress()).to.contain('Acknowledged\n1 of 2');
    await app.progress.tick();
    await app.progress.tick();
    expect(await app.deps.campaigns.activeIds()).to.deep.equal([]); // settled again: no more rounds for it

    const exportUrl = /"url":"([^"]+results\.csv[^"]+)"/.exec(JSON.stringify(connector.view(NESTOR_CHAT, composer, id(24))))![1]!;
    const local = exportUrl.replace(/^http:\/\/[^/]+/, `http://127.0.0.1:${port}`);
    const csv = await fetch(local);
    expect(csv.status).to.equal(200);
    const text = await csv.text();
    const lines = text.trim().split('\n');
    expect(lines).to.have.length(4);
    expect(lines[0]).to.equal('name,email,company,status,attempts,last_error,updated_at,acknowledged_at');
    expect(text).to.contain('"Alex Wilber","alexw@contoso.example","Contoso Cloud","sent"').and.contain('"Megan Bowen","meganb@contoso.example","Contoso Cloud","unreachable (app not installed)"');
    expect(lines.find((l) => l.startsWith('"Lee Gu"'))).to.match(/"\d{4}-\d{2}-\d{2}T[^"]+"$/);
    expect(text).to.not.contain('user:');
    const forged = await fetch(local.replace(/sig=[0-9a-f]+/, 'sig=' + '0'.repeat(64)));
    expect(forged.status).to.equal(403);
  });

  it('when nobody the campaign is for has the app any more, then the card says 0 delivered and why, not "Finished"', async () => {
    await post(teamsMessage('hi', { serviceUrl: connector.url, aadObjectId: id(23), name: 'Lee Gu' }));
    connector.uninstall(`a:personal-${id(23)}`); // Lee removed the app: Teams answers 403
    const composer = await sendCampaign({ ...FORM, publisherIds: 'northwind' });
    await settled();
    await app.progress.tick();
    const card = connector.view(NESTOR_CHAT, composer, id(24))!;
    expect(textOfCard(card)).to.contain('0 of 1 recipient delivered: 1 unreachable (the app is not installed for them)').and.not.contain('Finished');
    expect(JSON.stringify(card)).to.contain('"color":"Attention"');
  });
});

import { expect } from 'chai';
import { Harness, NOW, USERS, buttons } from './harness.js';
import { cardProblems } from '../fixtures/validate-card.js';

const TENANT = '00000000-0000-0000-0000-0000000000001';
const FORM = { title: 'FY27 kickoff', text: '**New** benefits are live.', linkTitle: 'Read more', linkUrl: 'https://example.com/news', audience: 'all', tier: '', listingType: '', marketplace: '', publisherIds: '', people: 'account_users', sendDate: '', sendTime: '' };

describe('campaigns (transcripts)', function () {
  this.timeout(20_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create();
    for (const who of ['alex', 'lee'] as const) await h.say(who, 'hi');
  });
  afterEach(async () => h.close());

  it('when a publisher user or a support agent types campaign, then it is refused', async () => {
    expect(await h.sayText('alex', 'campaign')).to.contain('for the Rewards and support teams only');
    expect(await h.sayText('isaiah', 'campaign')).to.contain('Only the Rewards team');
    expect((await h.click('alex', 'campaign.send', FORM)).text).to.contain('Only the Rewards team');
    expect(await h.store.listOutbox()).to.deep.equal([]);
  });

  it('when the composer is opened and recipients counted, then the count (and who is reachable) is shown before sending', async () => {
    const composer = await h.ask('nestor', 'campaign');
    expect(cardProblems(composer.activity.attachments![0]!.content as Record<string, unknown>)).to.deep.equal([]);
    expect(buttons(composer.activity.attachments![0]!.content).map((b) => b.title)).to.deep.equal(['Count recipients', 'Preview to me', 'Send…']);
    const all = await h.click('nestor', 'campaign.count', FORM);
    expect(all.text).to.contain('5 recipients: 2 can be reached in Teams, 3 never installed the app.');
    const owners = await h.click('nestor', 'campaign.count', { ...FORM, audience: 'publishers', publisherIds: 'contoso' });
    expect(owners.text).to.contain('2 recipients: 1 can be reached in Teams, 1 never installed the app.');
    const tier = await h.click('nestor', 'campaign.count', { ...FORM, audience: 'tier_at_least', tier: '1' });
    expect(tier.text).to.contain('3 recipients'); // Contoso (2 users) and Fabrikam (1) are tier ≥ 1
    const one = await h.click('nestor', 'campaign.count', { ...FORM, audience: 'publishers', publisherIds: 'northwind' });
    expect(one.text).to.contain('1 recipient: 1 can be reached in Teams.');
  });

  it('when a named publisher does not exist, then the composer says which and nothing is queued', async () => {
    await h.say('nestor', 'campaign');
    for (const verb of ['campaign.count', 'campaign.send']) {
      const r = await h.click('nestor', verb, { ...FORM, audience: 'publishers', publisherIds: 'contoso, nosuchco' });
      expect(r.text).to.contain('No publisher with the id nosuchco').and.not.contain('recipients:');
    }
    expect(await h.store.listOutbox()).to.deep.equal([]);
  });

  it('when Send is pressed, then it asks to confirm the count first; an audience changed on the confirmation is asked again', async () => {
    await h.say('nestor', 'campaign');
    const asked = await h.click('nestor', 'campaign.send', FORM);
    expect(cardProblems(asked.card)).to.deep.equal([]);
    expect(asked.text).to.contain('Send “FY27 kickoff” to 5 recipients: 2 can be reached in Teams');
    expect(buttons(asked.card).map((b) => b.title)).to.deep.equal(['Confirm: send to 5 recipients', 'Back to editing']);
    expect(await h.store.listOutbox()).to.deep.equal([]);
    // The fields on the confirmation were changed to one publisher: the count confirmed no longer holds.
    const changed = await h.click('nestor', 'campaign.confirm', { ...FORM, audience: 'publishers', publisherIds: 'northwind', confirmCount: '5' });
    expect(changed.text).to.contain('The audience is now 1 recipient');
    expect(await h.store.listOutbox()).to.deep.equal([]);
    const back = await h.click('nestor', 'campaign.edit', FORM);
    expect(buttons(back.card).map((b) => b.title)).to.deep.equal(['Count recipients', 'Preview to me', 'Send…']);
    expect(await h.store.listOutbox()).to.deep.equal([]);
  });

  it('when fields are wrong, then the composer shows them and nothing is queued', async () => {
    await h.say('nestor', 'campaign');
    const r = await h.click('nestor', 'campaign.send', { ...FORM, title: '', linkUrl: 'http://insecure.example', audience: 'tier_at_least' });
    expect(r.text).to.contain('Give the campaign a title').and.contain('Use an https:// link').and.contain('Give the lowest tier');
    expect(await h.store.listOutbox()).to.deep.equal([]);
  });

  it('when previewed, then the message comes to the author only', async () => {
    await h.say('nestor', 'campaign');
    const r = await h.click('nestor', 'campaign.preview', FORM);
    expect(r.text).to.contain('Preview sent to you below');
    expect(await h.store.listOutbox()).to.deep.equal([]);
  });

  it('when sent, then one outbox item per recipient is queued, a repeated Send makes no second campaign, and acknowledgements and cancel work', async () => {
    await h.say('nestor', 'campaign');
    await h.click('nestor', 'campaign.send', FORM);
    const sent = await h.click('nestor', 'campaign.confirm', { ...FORM, confirmCount: '5' });
    expect(cardProblems(sent.card)).to.deep.equal([]);
    expect(sent.text).to.contain('Campaign: FY27 kickoff').and.contain('Recipients').and.contain('Audience: All publishers · all account users');
    const items = await h.store.listOutbox();
    expect(items).to.have.length(5);
    const campaignId = items[0]!.idempotencyKey.split(':')[1]!;
    expect(items.map((i) => i.conversationKey)).to.include(`user:${TENANT}:${USERS.alex}`);
    const message = JSON.stringify(items[0]!.payload);
    expect(message).to.contain('**New** benefits are live.').and.contain('Acknowledge').and.contain('https://example.com/news');
    for (const verb of ['campaign.send', 'campaign.confirm']) {
      const again = await h.click('nestor', verb, { ...FORM, confirmCount: '5' });
      expect(again.text).to.contain('already sent');
    }
    expect(await h.store.listOutbox()).to.have.length(5);

    // As the worker would: Alex's message was delivered (Megan's, who never installed the app, was not).
    const alexItem = items.find((i) => i.conversationKey === `user:${TENANT}:${USERS.alex}`)!;
    await h.store.completeOutbox(alexItem.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: alexItem.dueAt, activityId: 'campaign-msg-1' });
    const ack = await h.click('alex', 'campaign.ack', { campaignId });
    expect(ack.text).to.contain('Thanks: acknowledged');
    expect((await h.click('alex', 'campaign.ack', { campaignId })).text).to.contain('You already acknowledged');
    expect((await h.deps.campaigns.stats(campaignId)).acknowledged).to.equal(1);

    const cancelled = await h.click('nestor', 'campaign.cancel', { campaignId });
    expect(cancelled.text).to.contain('Cancelled');
    const s = await h.deps.campaigns.stats(campaignId);
    expect(s).to.include({ cancelled: 4, sent: 1, queued: 0, total: 5 });
    const csv = await h.deps.campaigns.csv(campaignId);
    expect(csv.split('\n')[0]).to.equal('name,email,company,status,attempts,last_error,updated_at,acknowledged_at');
    expect(csv).to.contain('"Alex Wilber","alexw@contoso.example","Contoso Cloud","sent"').and.contain(`"${NOW.toISOString()}"`);
    expect(csv).to.contain('"Megan Bowen"').and.contain('"cancelled"').and.not.contain('user:');
  });

  it('when someone the campaign was not sent to acknowledges it, then it is not counted and they learn nothing of it', async () => {
    await h.say('adele', 'hi');
    await h.say('nestor', 'campaign');
    const contosoOnly = { ...FORM, audience: 'publishers', publisherIds: 'contoso', confirmCount: '2' };
    await h.click('nestor', 'campaign.confirm', contosoOnly);
    const items = await h.store.listOutbox();
    for (const i of items) await h.store.completeOutbox(i.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: i.dueAt, activityId: `m-${i.id}` });
    const campaignId = items[0]!.idempotencyKey.split(':')[1]!;
    // Another company's owner, a user of another tenant, and a staff member post the action.
    const strangers = ['adele', 'nestor', { aadObjectId: USERS.alex, tenantId: '99999999-0000-0000-0000-000000000000' }] as const;
    for (const who of strangers) {
      const r = await h.click(who, 'campaign.ack', { campaignId });
      expect(r.text).to.contain('This message was not sent to you').and.not.contain('FY27 kickoff').and.not.contain('New** benefits');
    }
    expect((await h.deps.campaigns.stats(campaignId)).acknowledged).to.equal(0);
    expect((await h.click('alex', 'campaign.ack', { campaignId })).text).to.contain('Thanks: acknowledged');
    expect((await h.deps.campaigns.stats(campaignId)).acknowledged).to.equal(1);
  });

  it('when scheduled in the future, then items wait until then', async () => {
    await h.say('nestor', 'campaign');
    const asked = await h.click('nestor', 'campaign.send', { ...FORM, sendDate: '2027-01-15', sendTime: '09:30' });
    expect(asked.text).to.contain('It goes out on 15 Jan 2027 09:30 UTC');
    const r = await h.click('nestor', 'campaign.confirm', { ...FORM, sendDate: '2027-01-15', sendTime: '09:30', confirmCount: '5' });
    expect(r.text).to.contain('Scheduled for 15 Jan 2027 09:30 UTC to 5 recipients');
    const items = await h.store.listOutbox();
    expect(items.every((i) => i.dueAt === '2027-01-15T09:30:00.000Z')).to.equal(true);
    expect(await h.store.claimOutbox('w', '2026-12-01T00:00:00.000Z', 10)).to.deep.equal([]);
  });
});

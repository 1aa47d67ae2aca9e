import { expect } from 'chai';
import { Harness, USERS, buttons } from './harness.js';
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
    expect(buttons(composer.activity.attachments![0]!.content).map((b) => b.title)).to.deep.equal(['Count recipients', 'Preview to me', 'Send']);
    const all = await h.click('nestor', 'campaign.count', FORM);
    expect(all.text).to.contain('5 recipients (2 reachable');
    const owners = await h.click('nestor', 'campaign.count', { ...FORM, audience: 'publishers', publisherIds: 'contoso' });
    expect(owners.text).to.contain('2 recipients (1 reachable');
    const tier = await h.click('nestor', 'campaign.count', { ...FORM, audience: 'tier_at_least', tier: '1' });
    expect(tier.text).to.contain('3 recipients'); // Contoso (2 users) and Fabrikam (1) are tier ≥ 1
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
    const sent = await h.click('nestor', 'campaign.send', FORM);
    expect(cardProblems(sent.card)).to.deep.equal([]);
    expect(sent.text).to.contain('Campaign: FY27 kickoff').and.contain('Recipients');
    const items = await h.store.listOutbox();
    expect(items).to.have.length(5);
    const campaignId = items[0]!.idempotencyKey.split(':')[1]!;
    expect(items.map((i) => i.conversationKey)).to.include(`user:${TENANT}:${USERS.alex}`);
    const message = JSON.stringify(items[0]!.payload);
    expect(message).to.contain('**New** benefits are live.').and.contain('Acknowledge').and.contain('https://example.com/news');
    const again = await h.click('nestor', 'campaign.send', FORM);
    expect(again.text).to.contain('already sent');
    expect(await h.store.listOutbox()).to.have.length(5);

    const ack = await h.click('alex', 'campaign.ack', { campaignId });
    expect(ack.text).to.contain('Thanks: acknowledged');
    await h.click('alex', 'campaign.ack', { campaignId });
    expect((await h.deps.campaigns.stats(campaignId)).acknowledged).to.equal(1);

    const cancelled = await h.click('nestor', 'campaign.cancel', { campaignId });
    expect(cancelled.text).to.contain('Cancelled');
    const s = await h.deps.campaigns.stats(campaignId);
    expect(s).to.include({ cancelled: 5, queued: 0, total: 5 });
    const csv = await h.deps.campaigns.csv(campaignId);
    expect(csv.split('\n')[0]).to.equal('recipient,status,attempts,last_status,last_error,updated_at,acknowledged');
    expect(csv).to.contain(`"user:${TENANT}:${USERS.alex}","cancelled"`).and.contain('"yes"');
  });

  it('when scheduled in the future, then items wait until then', async () => {
    await h.say('nestor', 'campaign');
    const r = await h.click('nestor', 'campaign.send', { ...FORM, sendDate: '2027-01-15', sendTime: '09:30' });
    expect(r.text).to.contain('Scheduled for 2027-01-15 09:30 UTC');
    const items = await h.store.listOutbox();
    expect(items.every((i) => i.dueAt === '2027-01-15T09:30:00.000Z')).to.equal(true);
    expect(await h.store.claimOutbox('w', '2026-12-01T00:00:00.000Z', 10)).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { Harness, NOW, USERS } from './harness.js';
import { createBotDeps } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { dueNotifications, scanNotifications } from '../../src/adapters/bot/flows/automatic.js';
import { cardProblems } from '../fixtures/validate-card.js';

const CHANNEL = '19:rewards@thread.tacv2';
const TENANT = '00000000-0000-0000-0000-0000000000001';
const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString().slice(0, 10);

describe('automatic notifications (scheduled scan)', function () {
  this.timeout(20_000);
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.create({
      extra: {
        publishers: [],
        offers: [
          { id: 'contoso-new', publisherId: 'contoso', name: 'Contoso Copilot', listingType: 'list', marketplace: 'appsource', offerType: 'saas', m365Integrated: false, dynamics365: false, byol: false, private: false, hasPublicListing: true, listingOptimizationCompleted: true, coSellReady: false, status: 'live', liveDate: daysAgo(2), owner: null },
          { id: 'northwind-ending', publisherId: 'northwind', name: 'Northwind Trial', listingType: 'trial', marketplace: 'appsource', offerType: 'saas', m365Integrated: false, dynamics365: false, byol: false, private: false, hasPublicListing: true, listingOptimizationCompleted: true, coSellReady: false, status: 'live', liveDate: daysAgo(85), owner: null },
        ],
        transactions: [],
        mau: [],
        staff: [],
      },
    });
    for (const who of ['alex', 'lee'] as const) await h.say(who, 'hi');
    h.channel = CHANNEL;
    await h.say('nestor', 'register rewards channel');
    h.channel = null;
  });
  afterEach(async () => h.close());

  const keys = async () => (await h.store.listOutbox()).map((i) => i.idempotencyKey).sort();
  const alexKey = `user:${TENANT}:${USERS.alex}`;

  it('when the scan runs, then live, tier and no-contact messages are queued to the people and the Rewards channel', async () => {
    await scanNotifications(h.deps);
    const k = await keys();
    expect(k).to.include(`live:contoso-new:${alexKey}`);
    expect(k).to.include(`tier:contoso:1:${alexKey}`);
    expect(k).to.include(`nocontact:contoso-trial:${alexKey}`).and.include('nocontact:contoso-trial:rewards');
    expect(k).to.include(`nocontact:northwind-d365:user:${TENANT}:${USERS.lee}`);
    expect(k.some((x) => x.startsWith('window-ending:northwind-ending:'))).to.equal(true);
    expect(k.some((x) => x.startsWith('live:') && x.includes(USERS.megan))).to.equal(false); // a developer is not told
    expect(k.some((x) => x.includes(USERS.adele))).to.equal(false); // never talked to the bot
    for (const item of await h.store.listOutbox()) {
      const content = (item.payload as { activity: { attachments: Array<{ content: Record<string, unknown> }> } }).activity.attachments[0]!.content;
      expect(cardProblems(content)).to.deep.equal([]);
    }
    const live = (await h.store.listOutbox()).find((i) => i.idempotencyKey.startsWith('live:contoso-new'))!;
    expect(JSON.stringify(live.payload)).to.contain('Enroll in Marketplace Rewards Program').and.contain('enroll.submit');
  });

  it('when the scan runs again, or after a restart, then nothing is queued twice', async () => {
    const first = await scanNotifications(h.deps);
    expect(first.enqueued).to.be.greaterThan(3);
    expect((await scanNotifications(h.deps)).enqueued).to.equal(0);
    await h.restart();
    expect((await scanNotifications(h.deps)).enqueued).to.equal(0);
  });

  it('when the Rewards team marks a transaction fraudulent, then the publisher is told it no longer counts', async () => {
    const r = await h.deps.program.markTransaction({ aadObjectId: USERS.nestor, roles: ['rewards'] }, 'contoso', 'ct-3', 'fraud', 'chargeback');
    expect(r.result.ok).to.equal(true);
    const item = (await h.store.listOutbox()).find((i) => i.idempotencyKey === `tx:ct-3:fraud:${alexKey}`);
    expect(JSON.stringify(item?.payload)).to.contain('marked fraudulent (chargeback)');
  });

  it('when an activation passes its due date uncontacted, then the Rewards channel is reminded once; sponsorship unlocks are announced', async () => {
    await h.click('alex', 'enroll.submit');
    await h.click('alex', 'contact.submit', { user: USERS.megan, email: 'megan.m@contoso.example', phone: '+14255550100', language: 'en' });
    await h.click('alex', 'benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' });
    const activation = (await h.doc('contoso')).state.activations[0]!;
    await scanNotifications(h.deps);
    expect(await keys()).to.not.include(`overdue:${activation.id}:rewards`);
    expect((await keys()).some((x) => x.startsWith('sponsorship:contoso-insights:azure-sponsorship-deployment:'))).to.equal(true);
    const later = createBotDeps(h.deps.config, h.store, createLogger('silent'), h.updates, () => new Date(NOW.getTime() + 8 * 86_400_000));
    await scanNotifications(later);
    await scanNotifications(later);
    const overdue = (await h.store.listOutbox()).filter((i) => i.idempotencyKey === `overdue:${activation.id}:rewards`);
    expect(overdue).to.have.length(1);
    expect(JSON.stringify(overdue[0]!.payload)).to.contain('Reminder').and.contain('Mark contacted');
  });
});

describe('automatic notifications without a Rewards channel', function () {
  this.timeout(20_000);

  it('when nobody at a publisher ever talked to the bot, then the scan skips evaluating it and queues the same messages', async () => {
    const h = await Harness.create();
    try {
      await h.say('alex', 'hi');
      const evaluated: string[] = [];
      const evaluate = h.deps.program.evaluate.bind(h.deps.program);
      h.deps.program.evaluate = (id, ...rest) => {
        evaluated.push(id);
        return evaluate(id, ...rest);
      };
      const r = await scanNotifications(h.deps);
      expect(evaluated).to.deep.equal(['contoso']); // Alex's company; the others have nobody to tell
      expect(r.publishers).to.equal((await h.store.listPublisherIds()).length);
      // The same messages as evaluating every publisher would give.
      const expected: string[] = [];
      for (const id of await h.store.listPublisherIds()) {
        const doc = (await h.store.getPublisher(id))!;
        for (const item of await dueNotifications(h.deps, doc, await evaluate(id, undefined, doc), null)) expected.push(item.idempotencyKey);
      }
      const keys = (await h.store.listOutbox()).map((i) => i.idempotencyKey);
      expect(keys.length).to.be.greaterThan(0);
      expect(keys.sort()).to.deep.equal(expected.sort());
    } finally {
      await h.close();
    }
  });
});

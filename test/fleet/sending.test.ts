/**
 * The outbox of a fleet: one instance sends (the lead is a PostgreSQL advisory lock), so Teams'
 * per-tenant limit holds for the whole fleet; when the sender dies another takes over, and the
 * campaign finishes with nothing lost. Everything is checked at the connector: who got what, how
 * often, and how many requests arrived in any one second.
 */
import { expect } from 'chai';
import { PostgresStore } from '../../src/adapters/store/postgres/postgres-store.js';
import { postgresForTests } from '../fixtures/postgres.js';
import { CountingConnector, queueCampaign } from './campaign.js';
import { busiestWindow, fleetEnv, leaderOf, leaders, relativeTimes, startFleet, stopFleet, until, type Instance } from './fleet.js';

/** Starts a fleet of `size` on a fresh database with `env`, and a store of the test's own on it. */
function fleetHooks(size: number, env: Record<string, string>, connectorDelayMs = 0) {
  const pg = postgresForTests();
  const h = { fleet: [] as Instance[], store: undefined as unknown as PostgresStore, connector: new CountingConnector({ delayMs: connectorDelayMs }) };
  before(async () => {
    const url = await pg.freshDatabase();
    await h.connector.start();
    h.store = new PostgresStore(url);
    await h.store.open();
    h.fleet = await startFleet(size, h.connector, fleetEnv(url, env));
  });
  afterEach(function () {
    // eslint-disable-next-line no-console
    if (this.currentTest?.state === 'failed') for (const i of h.fleet) console.log(`--- ${i.name}:\n${i.output().slice(-2000)}`);
  });
  after(async () => {
    await stopFleet(h.fleet);
    await h.store?.close();
    await h.connector.stop();
  });
  return h;
}

const allSent = async (store: PostgresStore, n: number) => (await store.listOutbox({ status: 'sent' })).length === n;

describe('a fleet of three sending one campaign: one sender, one tenant limit', function () {
  this.timeout(120_000);
  const LIMIT = 10;
  const N = 60;
  const h = fleetHooks(3, { OUTBOX_PER_TENANT_PER_SECOND: String(LIMIT) });

  it(`when ${N} messages to one tenant are queued while three instances run, then exactly one of them leads and the connector never sees more than ${LIMIT} in any second`, async () => {
    await leaderOf(h.fleet);
    const campaign = await queueCampaign(h.store, h.connector.url, 'b', N);
    const leaderCounts: number[] = [];
    await until(async () => {
      leaderCounts.push((await leaders(h.fleet)).length);
      return campaign.tally(h.connector).reached === N;
    }, 'every recipient');
    expect(new Set(leaderCounts)).to.deep.equal(new Set([1]));
    expect(campaign.tally(h.connector)).to.deep.equal({ reached: N, missed: 0, duplicates: 0 });
    // A full bucket sends its LIMIT at once, so the busiest second shows the limit binding, and holding.
    expect(busiestWindow(h.connector.arrivals), relativeTimes(h.connector.arrivals)).to.equal(LIMIT);
    await until(() => allSent(h.store, N), 'every item recorded as sent');
  });
});

describe('a fleet whose sender is killed mid-campaign', function () {
  this.timeout(120_000);
  const LIMIT = 20;
  const CONCURRENCY = 4;
  const N = 120;
  /** Sends in flight are what a SIGKILL can duplicate: the connector answers each after 50 ms. */
  const env = { OUTBOX_PER_TENANT_PER_SECOND: String(LIMIT), OUTBOX_CONCURRENCY: String(CONCURRENCY) };

  describe('with SIGKILL', () => {
    const h = fleetHooks(3, { ...env, OUTBOX_LEASE_SECONDS: '2' }, 50);

    it(`then another instance takes over, nobody is missed, at most ${CONCURRENCY} (the sends in flight) get it twice, and the limit holds across the takeover`, async () => {
      const first = await leaderOf(h.fleet);
      const campaign = await queueCampaign(h.store, h.connector.url, 'kill', N);
      await until(() => h.connector.total >= N / 3, 'a third of the campaign');
      await first.stop('SIGKILL');
      const atKill = h.connector.total;
      const killedAt = Date.now();
      expect(atKill).to.be.lessThan(N);

      const next = await leaderOf(h.fleet);
      expect(next).to.not.equal(first);
      await until(() => h.connector.total > atKill, 'the first send of the new leader');
      const takeover = Date.now() - killedAt;
      await until(() => campaign.tally(h.connector).reached === N, 'every recipient');
      await until(() => allSent(h.store, N), 'every item recorded as sent');

      const t = campaign.tally(h.connector);
      // eslint-disable-next-line no-console
      console.log(`      killed after ${atKill} sends; ${next.name} sent again ${takeover} ms later; ${t.duplicates} duplicate(s)`);
      expect(t.missed).to.equal(0);
      expect(t.duplicates).to.be.at.most(CONCURRENCY);
      expect(busiestWindow(h.connector.arrivals), relativeTimes(h.connector.arrivals)).to.be.at.most(LIMIT);
    });
  });

  describe('with SIGTERM', () => {
    // Two instances, the default 2-minute lease: the campaign can only finish in time if the stopping sender gave its claims back.
    const h = fleetHooks(2, env, 50);

    it('then it finishes its sends in flight and gives its claims back: the other instance finishes the campaign and nobody gets it twice', async () => {
      const first = await leaderOf(h.fleet);
      const campaign = await queueCampaign(h.store, h.connector.url, 'term', N);
      await until(() => h.connector.total >= N / 3, 'a third of the campaign');
      await first.stop('SIGTERM');
      expect(first.child.exitCode).to.equal(0);
      expect(h.connector.total).to.be.lessThan(N);

      expect(await leaderOf(h.fleet)).to.not.equal(first);
      await until(() => campaign.tally(h.connector).reached === N, 'every recipient', 60_000);
      await until(() => allSent(h.store, N), 'every item recorded as sent');
      expect(campaign.tally(h.connector)).to.deep.equal({ reached: N, missed: 0, duplicates: 0 });
      expect(busiestWindow(h.connector.arrivals), relativeTimes(h.connector.arrivals)).to.be.at.most(LIMIT);
    });
  });
});

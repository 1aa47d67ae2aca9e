/**
 * Outbox scheduling across tenants (Teams limits sends per app per tenant, 50 / s): one busy tenant
 * must not hold the whole outbox. Run on a fake clock, so a minute of traffic takes milliseconds
 * and "within two seconds" is a statement about the schedule, not about this machine's speed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import type { OutboxItem } from '../../src/services/ports/index.js';
import { createLogger } from '../../src/log.js';
import { FakeClock } from '../../src/services/outbox/clock.js';
import { RateLimiter, type RateLimitsInput } from '../../src/services/outbox/rate-limiter.js';
import { RetryPolicySchema, type SendOutcome } from '../../src/services/outbox/retry-policy.js';
import { SendQueue } from '../../src/services/outbox/send-queue.js';
import { OutboxWorker, type Sender } from '../../src/services/outbox/worker.js';
import { busiestPerKey } from '../fixtures/windows.js';

const START = Date.parse('2026-12-01T00:00:00Z');

class RecordingSender implements Sender {
  readonly sends: Array<{ tenant: string; conversation: string; at: number }> = [];
  constructor(private readonly clock: FakeClock) {}
  async send(reference: Record<string, unknown>): Promise<SendOutcome> {
    const c = reference.conversation as { id: string; tenantId: string };
    this.sends.push({ tenant: c.tenantId, conversation: c.id, at: this.clock.now() });
    return { ok: true };
  }
}


describe('outbox scheduling across tenants', function () {
  this.timeout(60_000);
  let dir: string;
  let store: LowdbStore;
  let clock: FakeClock;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-sched-'));
    store = new LowdbStore(dir);
    await store.open();
    clock = new FakeClock(START);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** `perTenant` recipients in each of `tenants` tenants, queued tenant after tenant (as a campaign queues them). */
  async function campaign(tenants: number, perTenant: number, tag = 'c') {
    const items = [];
    for (let t = 0; t < tenants; t++) {
      for (let i = 0; i < perTenant; i++) {
        const key = `user:${tag}-t${t}:u${i}`;
        await store.saveConversationRef(key, { conversation: { id: `${tag}-t${t}-u${i}`, tenantId: `${tag}-t${t}` } });
        items.push({ idempotencyKey: `${tag}:${t}:${i}`, conversationKey: key, payload: { activity: { type: 'message', text: 'hi' } }, dueAt: new Date(clock.now()).toISOString() });
      }
    }
    await store.enqueueOutbox(items);
  }

  /** Store calls not yet settled (the worker's only real I/O in these tests). */
  let pending = 0;
  const tracked = (s: LowdbStore): LowdbStore =>
    new Proxy(s, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          pending++;
          return Promise.resolve((v as (...a: unknown[]) => unknown).apply(target, args)).finally(() => pending--);
        };
      },
    });

  const worker = (sender: Sender, limits: RateLimitsInput = {}) =>
    new OutboxWorker(tracked(store), sender, new RateLimiter(limits), clock, createLogger('silent'), { batchSize: 100, concurrency: 16, idleMs: 250, policy: RetryPolicySchema.parse({}) });

  /** Runs the worker's batch to its end, moving the fake clock in small steps; returns the fake ms it took. */
  /**
   * Runs the worker's batch to its end on the fake clock. Time moves only when the worker has
   * nothing left to do but sleep (no store call pending), and then only to the next wake-up, so
   * real disk writes take no fake time and the schedule is exactly the worker's. Returns the fake
   * ms the batch took.
   */
  async function drive(w: OutboxWorker, during?: (elapsed: number) => Promise<void>): Promise<number> {
    let finished = false;
    const run = w.runOnce().finally(() => {
      finished = true;
    });
    const turn = () => new Promise<void>((r) => setImmediate(r));
    const quiet = async () => {
      for (;;) {
        while (pending > 0) await new Promise((r) => setTimeout(r, 1));
        await turn();
        await turn();
        if (pending === 0) return;
      }
    };
    const begin = clock.now();
    let hooked = -1;
    for (;;) {
      await quiet();
      if (finished) break;
      const elapsed = clock.now() - begin;
      if (during && elapsed !== hooked) {
        hooked = elapsed;
        await during(elapsed);
        continue;
      }
      const due = clock.nextDue;
      if (due === undefined) throw new Error('the worker neither works nor sleeps');
      if (elapsed > 600_000) throw new Error('the batch did not finish in 10 minutes of fake time');
      await clock.advance(Math.max(0, due - clock.now()));
    }
    await run;
    return clock.now() - begin;
  }

  it('when a campaign is queued tenant after tenant, then every tenant is served at once, each at its limit and never above it', async () => {
    await campaign(20, 100);
    const sender = new RecordingSender(clock);
    const took = await drive(worker(sender));
    expect(sender.sends).to.have.length(2000);
    expect(new Set(sender.sends.map((s) => s.conversation)).size).to.equal(2000); // none twice
    // Before the fix all 16 lanes slept on the first tenant's limit: 50 / s in all, 40 s for 2,000.
    const firstSecond = sender.sends.filter((s) => s.at < START + 1000);
    expect(new Set(firstSecond.map((s) => s.tenant)).size).to.equal(20);
    expect(firstSecond).to.have.length(1000); // 20 tenants × 50
    expect(took).to.be.below(3000); // 100 per tenant at 50 / s: two windows and a little
    expect(busiestPerKey(sender.sends, (s) => s.tenant)).to.equal(50);
    expect(await store.listOutbox({ status: 'sent' })).to.have.length(2000);
  });

  it('when a notification to another tenant is queued during a large single-tenant campaign, then it goes out within two seconds', async () => {
    await campaign(1, 2000, 'big');
    await store.saveConversationRef('user:other:u1', { conversation: { id: 'other-u1', tenantId: 'other' } });
    const sender = new RecordingSender(clock);
    const w = worker(sender);
    let queuedAt = 0;
    await drive(w, async (elapsed) => {
      if (queuedAt || elapsed < 5000) return;
      queuedAt = clock.now();
      await store.enqueueOutbox([{ idempotencyKey: 'notify', conversationKey: 'user:other:u1', payload: { activity: { type: 'message', text: 'activated' } }, dueAt: new Date(queuedAt).toISOString() }]);
      w.wake();
    });
    const notification = sender.sends.find((s) => s.tenant === 'other');
    expect(notification, 'the notification was sent').to.not.equal(undefined);
    // Before the fix it waited behind the campaign: about 35 s here (2,000 at 50 / s).
    expect(notification!.at - queuedAt).to.be.at.most(2000);
    expect(sender.sends.filter((s) => s.tenant === 'big-t0')).to.have.length(2000);
    expect(busiestPerKey(sender.sends, (s) => s.tenant)).to.equal(50);
  });

  it('when many messages go to one conversation, then no more than 7 leave in any second and the other conversations are not held up', async () => {
    const items = [];
    for (let i = 0; i < 30; i++) items.push({ idempotencyKey: `same:${i}`, conversationKey: 'user:t:same', payload: { activity: { type: 'message', text: `m${i}` } }, dueAt: new Date(START).toISOString() });
    for (let i = 0; i < 30; i++) {
      await store.saveConversationRef(`user:t:u${i}`, { conversation: { id: `u${i}`, tenantId: 't' } });
      items.push({ idempotencyKey: `other:${i}`, conversationKey: `user:t:u${i}`, payload: { activity: { type: 'message', text: 'hi' } }, dueAt: new Date(START).toISOString() });
    }
    await store.saveConversationRef('user:t:same', { conversation: { id: 'same', tenantId: 't' } });
    await store.enqueueOutbox(items);
    const sender = new RecordingSender(clock);
    await drive(worker(sender));
    expect(sender.sends).to.have.length(60);
    expect(busiestPerKey(sender.sends, (s) => s.conversation)).to.equal(7);
    // The 30 others were not queued behind the busy conversation's messages.
    const others = sender.sends.filter((s) => s.conversation !== 'same');
    expect(Math.max(...others.map((s) => s.at)) - START).to.be.below(1000);
  });

  it('when tenants are limited, then a claim takes at most a burst per tenant and skips the tenants given', async () => {
    await campaign(3, 80);
    const claimed = await store.claimOutbox('w', new Date(START).toISOString(), 200, { perTenant: 50, skipTenants: ['c-t1'] });
    const perTenant = new Map<string | null, number>();
    for (const c of claimed) perTenant.set(c.tenantId, (perTenant.get(c.tenantId) ?? 0) + 1);
    expect(Object.fromEntries(perTenant)).to.deep.equal({ 'c-t0': 50, 'c-t2': 50 });
  });
});

describe('send queue', () => {
  const item = (id: string, tenantId: string | null): OutboxItem => ({
    id,
    idempotencyKey: id,
    conversationKey: `user:${tenantId}:${id}`,
    tenantId,
    payload: {},
    status: 'sending',
    dueAt: '',
    attempts: 1,
    lastStatus: null,
    lastError: null,
    createdAt: '',
    updatedAt: '',
    claimedBy: 'w',
    activityId: null,
  });
  const takeAll = (q: SendQueue, now: number) => {
    const out: string[] = [];
    for (let i = q.take(now); i; i = q.take(now)) out.push(i.id);
    return out;
  };

  it('when items of several tenants are held, then tenants take turns', () => {
    const q = new SendQueue();
    q.add([item('a1', 'A'), item('a2', 'A'), item('a3', 'A'), item('b1', 'B'), item('c1', 'C'), item('c2', 'C')]);
    expect(takeAll(q, 0)).to.deep.equal(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    expect(q.size).to.equal(0);
  });

  it('when a tenant is blocked, then its items wait until the time given, first in line, while the others go', () => {
    const q = new SendQueue();
    q.add([item('a1', 'A'), item('a2', 'A'), item('b1', 'B'), item('b2', 'B')]);
    const a1 = q.take(0)!;
    q.blockTenant(a1, 100);
    expect(takeAll(q, 0)).to.deep.equal(['b1', 'b2']);
    expect(q.size).to.equal(2);
    expect(q.nextWake()).to.equal(100);
    expect(q.busyTenants(50, 50)).to.deep.equal(['A']);
    expect(takeAll(q, 99)).to.deep.equal([]);
    expect(takeAll(q, 100)).to.deep.equal(['a1', 'a2']);
    expect(q.busyTenants(100, 50)).to.deep.equal([]);
  });

  it('when one conversation is parked, then only that item waits', () => {
    const q = new SendQueue();
    q.add([item('a1', 'A'), item('a2', 'A')]);
    q.park(q.take(0)!, 30);
    expect(takeAll(q, 0)).to.deep.equal(['a2']);
    expect(takeAll(q, 30)).to.deep.equal(['a1']);
  });

  it('when drained, then every held item is returned once, queued, blocked or parked', () => {
    const q = new SendQueue();
    q.add([item('a1', 'A'), item('a2', 'A'), item('b1', 'B'), item('n1', null), item('n2', null)]);
    q.blockTenant(q.take(0)!, 1000);
    q.park(q.take(0)!, 1000);
    expect(q.drain().map((i) => i.id).sort()).to.deep.equal(['a1', 'a2', 'b1', 'n1', 'n2']);
    expect(q.size).to.equal(0);
    expect(q.take(5000)).to.equal(undefined);
  });

  it('when a tenant holds as many items as the cap, then it is busy for claims', () => {
    const q = new SendQueue();
    q.add([item('a1', 'A'), item('a2', 'A'), item('b1', 'B')]);
    expect(q.busyTenants(0, 2)).to.deep.equal(['A']);
  });
});

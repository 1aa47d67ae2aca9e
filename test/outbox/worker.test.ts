/**
 * The outbox worker stopping (SIGTERM, Ctrl-C, a deploy): sends already on the wire are awaited
 * and recorded, claimed messages not yet sent go back to the store untouched, and the next worker
 * sends each of them once. Nothing lost, nothing repeated.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import { createLogger } from '../../src/log.js';
import { FakeClock, systemClock } from '../../src/services/outbox/clock.js';
import { RateLimiter } from '../../src/services/outbox/rate-limiter.js';
import { RetryPolicySchema, type SendOutcome } from '../../src/services/outbox/retry-policy.js';
import { OutboxWorker, type Sender } from '../../src/services/outbox/worker.js';

const TENANT = 'tenant-w';

/** A sender whose sends stay on the wire until the test lets them through. */
class HeldSender implements Sender {
  readonly started: string[] = [];
  private readonly waiting: Array<() => void> = [];
  hold = true;
  async send(reference: Record<string, unknown>): Promise<SendOutcome> {
    this.started.push((reference.conversation as { id: string }).id);
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    return { ok: true };
  }
  releaseAll(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

async function until(cond: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('outbox worker stop', function () {
  this.timeout(30_000);
  let dir: string;
  let store: LowdbStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-worker-'));
    store = new LowdbStore(dir);
    await store.open();
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function recipients(n: number, conversationKey = (i: number) => `user:${TENANT}:r${i}`) {
    for (let i = 0; i < n; i++) await store.saveConversationRef(conversationKey(i), { conversation: { id: `conv-${i}`, tenantId: TENANT } });
    await store.enqueueOutbox(Array.from({ length: n }, (_, i) => ({ idempotencyKey: `stop:${i}`, conversationKey: conversationKey(i), payload: { activity: { type: 'message', text: `m${i}` } }, dueAt: new Date(0).toISOString() })));
  }

  const worker = (sender: Sender, limiter: RateLimiter, clock = systemClock) =>
    new OutboxWorker(store, sender, limiter, clock, createLogger('silent'), { batchSize: 20, concurrency: 4, idleMs: 5, policy: RetryPolicySchema.parse({}) });
  const noLimits = () => new RateLimiter({ perConversation: [], perTenant: [] });

  it('when stopped mid-batch, then sends on the wire are recorded, the rest go back unsent, and the next worker sends each once', async () => {
    await recipients(50);
    const sender = new HeldSender();
    const w1 = worker(sender, noLimits());
    w1.start();
    await until(() => sender.started.length === 4, 'four sends on the wire');
    const stopped = w1.stop();
    // stop() waits for the sends on the wire…
    await new Promise((r) => setTimeout(r, 50));
    expect(sender.started).to.have.length(4);
    sender.releaseAll();
    await stopped;
    expect(sender.started).to.have.length(4); // …and starts no new one.

    const items = await store.listOutbox();
    const byStatus = (s: string) => items.filter((i) => i.status === s);
    expect(byStatus('sent').map((i) => i.conversationKey).sort()).to.deep.equal(sender.started.map((c) => `user:${TENANT}:r${c.slice(5)}`).sort());
    // The 16 other claims of the batch and the 30 never claimed are all queued, none counted as tried.
    expect(byStatus('queued')).to.have.length(46);
    expect(byStatus('queued').every((i) => i.attempts === 0 && i.claimedBy === null)).to.equal(true);
    expect(byStatus('sending')).to.deep.equal([]);

    sender.hold = false;
    const w2 = worker(sender, noLimits());
    w2.start();
    await until(() => sender.started.length === 50, 'the other 46 sends');
    await w2.stop();
    expect(new Set(sender.started).size).to.equal(50); // each recipient exactly once across both workers
    expect((await store.listOutbox({ status: 'sent' })).length).to.equal(50);
  });

  it('when stopped while sends wait for a rate-limit token, then it returns at once and the waiting messages go back unsent', async () => {
    // Every message to the same conversation: 1 per 30 s lets one through and holds the rest.
    await recipients(5, () => `user:${TENANT}:same`);
    const clock = new FakeClock(Date.now());
    const sender = new HeldSender();
    sender.hold = false;
    const w = worker(sender, new RateLimiter({ perConversation: [{ count: 1, perMs: 30_000 }], perTenant: [] }), clock);
    w.start();
    await until(() => sender.started.length === 1 && clock.pending === 4, 'one sent and the four others waiting for a token');
    await w.stop(); // the fake clock never moves: this returns only because the waits are aborted
    expect(clock.pending).to.equal(0);
    const items = await store.listOutbox();
    expect(items.filter((i) => i.status === 'sent')).to.have.length(1);
    expect(items.filter((i) => i.status === 'queued' && i.attempts === 0 && i.claimedBy === null)).to.have.length(4);
  });
});

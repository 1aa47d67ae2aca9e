/**
 * The outbox worker: claims due messages from the store, paces them through the rate limiter,
 * sends each on its stored conversation reference and records the outcome of every attempt
 * (sent, retry later, unreachable, failed). Nothing is sent that was not first written to the store.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { z } from 'zod';
import type { ConversationRefReader, OutboxItem, OutboxPort } from '../ports/index.js';
import type { Logger } from '../../log.js';
import type { Clock } from './clock.js';
import type { RateLimiter } from './rate-limiter.js';
import { SendQueue } from './send-queue.js';
import { noMetrics, type Metrics } from '../metrics.js';
import { classify, type RetryPolicy, type SendOutcome } from './retry-policy.js';

/** Sends one activity on a conversation reference (the Bot Framework adapter in production). */
export interface Sender {
  send(reference: Record<string, unknown>, activity: Record<string, unknown>): Promise<SendOutcome>;
}

const Payload = z.object({ activity: z.record(z.string(), z.unknown()) });

export interface WorkerOptions {
  batchSize: number;
  concurrency: number;
  /** Pause between polls when nothing is due. */
  idleMs: number;
  policy: RetryPolicy;
  random?: () => number;
  metrics?: Metrics;
}

export interface BatchResult {
  claimed: number;
  sent: number;
  retried: number;
  unreachable: number;
  failed: number;
  /** Claimed but given back unsent because the worker was stopping. */
  released: number;
}

export class OutboxWorker {
  /** Unique per process start: items another (dead) worker left 'sending' are claimed again. */
  readonly id = `worker-${process.pid}-${randomBytes(3).toString('hex')}`;
  private running = false;
  /** Aborted by stop(): sends waiting for a rate-limit token give their claim back. */
  private stopping = new AbortController();
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** Aborted (and replaced) by wake(): lanes napping while everything held waits for a token look again. */
  private nudge = new AbortController();

  private readonly metrics: Metrics;

  constructor(
    private readonly store: OutboxPort & ConversationRefReader,
    private readonly sender: Sender,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: WorkerOptions,
  ) {
    this.metrics = opts.metrics ?? noMetrics;
  }

  /** Polls until stopped. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    // One listener per lane waiting for a token: more than Node's default warning threshold of 10.
    setMaxListeners(0, this.stopping.signal);
    this.loop = (async () => {
      while (this.running) {
        let r: BatchResult | undefined;
        try {
          r = await this.runOnce();
        } catch (err) {
          this.log.error({ err }, 'outbox batch failed');
        }
        if (this.running && (!r || r.claimed === 0)) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, this.opts.idleMs);
            this.wakeUp = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wakeUp = null;
        }
      }
    })();
  }

  /** Something was enqueued: look now rather than at the next poll. */
  wake(): void {
    this.wakeUp?.();
    const n = this.nudge;
    this.nudge = new AbortController();
    setMaxListeners(0, this.nudge.signal);
    n.abort();
  }

  /**
   * Stops promptly without losing or repeating anything: sends already on the wire are awaited and
   * recorded, and claimed messages not yet sent (queued in a lane, or waiting for a rate-limit
   * token) are given back to the store as they were, for the next start.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.wakeUp?.();
    await this.loop;
  }

  /**
   * Sends everything due now, `concurrency` lanes at a time, and returns once nothing is held and
   * the store has nothing due. Claimed messages wait in a {@link SendQueue}: lanes take tenants in
   * turn and never sleep on a rate limit while another message could go; a message whose tenant
   * (or conversation) has no token is set aside until it has one. Claims skip tenants that are
   * waiting for tokens or already have enough messages here, so a campaign queued one tenant after
   * another is sent to many tenants at once, and a notification to another tenant is claimed at the
   * next refill instead of after the campaign. Once stop() is called, lanes take nothing new and
   * every message still held is released.
   */
  async runOnce(): Promise<BatchResult> {
    const result: BatchResult = { claimed: 0, sent: 0, retried: 0, unreachable: 0, failed: 0, released: 0 };
    const queue = new SendQueue();
    // Per claim, at most a tenant's burst: more would only wait here while other tenants' messages could go.
    const cap = this.limiter.tenantBurst ?? this.opts.batchSize;
    let claiming: Promise<void> | null = null;
    /** The last claim found nothing (with the tenants it had to skip): look again after a wait or a wake(). */
    let dry = false;
    let inFlight = 0;
    const refill = (): Promise<void> =>
      (claiming ??= (async () => {
        const now = this.clock.now();
        const items = await this.store.claimOutbox(this.id, new Date(now).toISOString(), this.opts.batchSize, { perTenant: cap, skipTenants: queue.busyTenants(now, cap) });
        queue.add(items);
        result.claimed += items.length;
        this.metrics.outbox('claimed', items.length);
        dry = items.length === 0;
      })().finally(() => {
        claiming = null;
      }));
    const lane = async () => {
      while (!this.stopping.signal.aborted) {
        const item = queue.take(this.clock.now());
        if (item === undefined) {
          if (!dry) {
            await refill();
            continue;
          }
          if (queue.size === 0 && inFlight === 0 && claiming === null) return;
          // Everything held is set aside: sleep until the first of it is due (or a wake() / stop()),
          // bounded by the idle poll so that new messages for other tenants are claimed meanwhile.
          const wait = Math.min(queue.nextWake() - this.clock.now(), this.opts.idleMs);
          await this.nap(Math.max(1, wait));
          dry = false;
          continue;
        }
        // Running low: claim more in the background while this lane sends.
        if (!dry && claiming === null && queue.size < this.opts.concurrency) void refill().catch((err: unknown) => this.log.error({ err }, 'outbox claim failed'));
        inFlight++;
        try {
          const kind = await this.deliver(item, queue);
          if (kind !== 'deferred') {
            result[kind === 'retry' ? 'retried' : kind]++;
            this.metrics.outbox(kind === 'retry' ? 'retried' : kind);
          }
        } finally {
          inFlight--;
        }
      }
    };
    try {
      // Every lane ends before the queue is drained, even when one fails (a claim that throws), so
      // nothing is claimed after the release.
      const lanes = await Promise.allSettled(Array.from({ length: this.opts.concurrency }, lane));
      const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      await (claiming as Promise<void> | null)?.catch(() => undefined);
      const held = queue.drain();
      if (held.length > 0) {
        const released = await this.store.releaseOutbox(this.id, held.map((i) => i.id));
        result.released += released;
        this.metrics.outbox('released', released);
      }
    }
    return result;
  }

  /** Sleeps up to `ms`, cut short by stop() or wake(). */
  private nap(ms: number): Promise<void> {
    const signal = AbortSignal.any([this.stopping.signal, this.nudge.signal]);
    return this.clock.sleep(ms, signal);
  }

  private async deliver(item: OutboxItem, queue: SendQueue): Promise<'sent' | 'retry' | 'unreachable' | 'failed' | 'deferred'> {
    const payload = Payload.safeParse(item.payload);
    const ref = await this.store.getConversationRef(item.conversationKey);
    const nowIso = () => new Date(this.clock.now()).toISOString();
    if (!payload.success) {
      await this.store.completeOutbox(item.id, { status: 'failed', lastStatus: null, lastError: 'the stored message is malformed', dueAt: item.dueAt });
      return 'failed';
    }
    if (!ref) {
      await this.store.completeOutbox(item.id, { status: 'unreachable', lastStatus: null, lastError: 'no conversation: the user never talked to the bot (or the app is not installed)', dueAt: item.dueAt });
      return 'unreachable';
    }
    const conversation = ref.reference.conversation as { tenantId?: string } | undefined;
    const key = { conversationKey: item.conversationKey, tenantId: item.tenantId ?? conversation?.tenantId ?? 'unknown' };
    const now = this.clock.now();
    if (this.limiter.reserve(now, key) > 0) {
      // No token: set aside, not waited for. The tenant as a whole if it is the tenant's limit.
      const w = this.limiter.waits(now, key);
      if (w.tenant > 0 || w.global > 0) queue.blockTenant(item, now + Math.max(w.tenant, w.global));
      else queue.park(item, now + w.conversation);
      this.metrics.rateLimitWait(w.global > 0 ? 'global' : w.tenant > 0 ? 'tenant' : 'conversation');
      return 'deferred';
    }
    let outcome: SendOutcome;
    const sentAt = performance.now();
    try {
      outcome = await this.sender.send(ref.reference, payload.data.activity);
    } catch (err) {
      outcome = { networkError: (err as Error).message };
    }
    this.metrics.sendLatency(performance.now() - sentAt);
    const decision = classify(outcome, { attempt: item.attempts, now: this.clock.now(), policy: this.opts.policy, ...(this.opts.random ? { random: this.opts.random } : {}) });
    const status = 'status' in outcome ? outcome.status : 'ok' in outcome ? 200 : null;
    switch (decision.kind) {
      case 'sent':
        await this.store.completeOutbox(item.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: item.dueAt, activityId: 'ok' in outcome ? (outcome.activityId ?? null) : null });
        return 'sent';
      case 'retry':
        await this.store.completeOutbox(item.id, { status: 'queued', lastStatus: status, lastError: decision.reason, dueAt: new Date(this.clock.now() + decision.delayMs).toISOString() });
        return 'retry';
      case 'unreachable':
        await this.store.completeOutbox(item.id, { status: 'unreachable', lastStatus: decision.status, lastError: decision.reason, dueAt: nowIso() });
        return 'unreachable';
      case 'failed':
        this.log.warn({ item: item.id, reason: decision.reason }, 'outbox message failed');
        await this.store.completeOutbox(item.id, { status: 'failed', lastStatus: decision.status ?? status, lastError: decision.reason, dueAt: nowIso() });
        return 'failed';
    }
  }
}

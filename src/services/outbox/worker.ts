/**
 * The outbox worker: claims due messages from the store, paces them through the rate limiter,
 * sends each on its stored conversation reference and records the outcome of every attempt
 * (sent, retry later, unreachable, failed). Nothing is sent that was not first written to the store.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { z } from 'zod';
import type { OutboxItem, Store } from '../../adapters/store/store.js';
import type { Logger } from '../../log.js';
import type { Clock } from './clock.js';
import type { RateLimiter } from './rate-limiter.js';
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

  constructor(
    private readonly store: Store,
    private readonly sender: Sender,
    private readonly limiter: RateLimiter,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly opts: WorkerOptions,
  ) {}

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
   * Sends everything due now, `concurrency` at a time. Lanes pull from a shared queue that is
   * refilled by claiming `batchSize` more whenever it runs dry, so one slow send holds up only its
   * own lane, never a whole batch. Once stop() is called, lanes take nothing new and the claims
   * left in the queue are released.
   */
  async runOnce(): Promise<BatchResult> {
    const result: BatchResult = { claimed: 0, sent: 0, retried: 0, unreachable: 0, failed: 0, released: 0 };
    const queue: OutboxItem[] = [];
    let claiming: Promise<void> | null = null;
    let exhausted = false;
    const refill = (): Promise<void> =>
      (claiming ??= this.store
        .claimOutbox(this.id, new Date(this.clock.now()).toISOString(), this.opts.batchSize)
        .then((items) => {
          queue.push(...items);
          result.claimed += items.length;
          if (items.length === 0) exhausted = true;
        })
        .finally(() => {
          claiming = null;
        }));
    const lane = async () => {
      while (this.running) {
        if (queue.length === 0) {
          if (exhausted) return;
          await refill();
          continue;
        }
        const kind = await this.deliver(queue.shift()!);
        result[kind === 'retry' ? 'retried' : kind]++;
      }
    };
    await Promise.all(Array.from({ length: this.opts.concurrency }, lane));
    if (queue.length > 0) result.released += await this.store.releaseOutbox(this.id, queue.splice(0).map((i) => i.id));
    return result;
  }

  private async deliver(item: OutboxItem): Promise<'sent' | 'retry' | 'unreachable' | 'failed' | 'released'> {
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
    const waited = await this.limiter.acquire(this.clock, { conversationKey: item.conversationKey, tenantId: conversation?.tenantId ?? 'unknown' }, this.stopping.signal);
    if (waited === null) {
      await this.store.releaseOutbox(this.id, [item.id]);
      return 'released';
    }
    let outcome: SendOutcome;
    try {
      outcome = await this.sender.send(ref.reference, payload.data.activity);
    } catch (err) {
      outcome = { networkError: (err as Error).message };
    }
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

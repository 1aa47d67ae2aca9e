/**
 * Outbound rate limits for proactive sends, defaulting to what Teams enforces, so the outbox paces
 * itself instead of collecting 429s (each one a wasted request and a delayed message).
 *
 * Why not a classic token bucket (capacity N, refilling N per window continuously)? It lets a full
 * bucket burst N and then keep refilling during the same window: 7 at t=0 and 6 more by t=999 ms is
 * 13 sends in one second, and Teams counts sends in a sliding window, so that would be throttled.
 * Here each token goes back into the bucket exactly `perMs` after it was taken ("sliding-window
 * bucket"): at most `capacity` takes in any window of `perMs`, which is exactly Teams' rule, with no
 * loss of throughput. It keeps the times of the last `capacity` takes in a ring: O(1) per call and
 * at most `capacity` numbers of memory per bucket.
 */
import { z } from 'zod';
import type { Clock } from './clock.js';

/** At most `count` sends in any window of `perMs` milliseconds. */
export const RateLimitSchema = z.object({
  // The ring holds one number per token: the cap keeps a typo from allocating gigabytes per key.
  count: z.number().int().min(1).max(100_000),
  perMs: z.number().positive().finite(),
});
export type RateLimit = z.infer<typeof RateLimitSchema>;

/**
 * Teams' documented per-bot-per-conversation limits, except 1,800 / hour: it would keep every
 * recipient's bucket (1,800 numbers) in memory for an hour after one message, and 60 / 30 s already
 * stops any realistic burst. 8 / 2 s is kept: 7 / 1 s alone allows 14 in two seconds.
 */
export const TEAMS_CONVERSATION_LIMITS: readonly RateLimit[] = Object.freeze([
  { count: 7, perMs: 1_000 },
  { count: 8, perMs: 2_000 },
  { count: 60, perMs: 30_000 },
]);

/** Teams' per app per tenant limit. */
export const TEAMS_TENANT_LIMITS: readonly RateLimit[] = Object.freeze([{ count: 50, perMs: 1_000 }]);

/**
 * Which limits apply. Every list can be empty to turn that scope off (benchmarks run with
 * `perConversation: [], perTenant: []` and a `global` limit). Limits in one list all apply together.
 */
export const RateLimitsSchema = z.object({
  perConversation: z.array(RateLimitSchema).default(() => TEAMS_CONVERSATION_LIMITS.map((l) => ({ ...l }))),
  perTenant: z.array(RateLimitSchema).default(() => TEAMS_TENANT_LIMITS.map((l) => ({ ...l }))),
  /** Across all sends of this process; off by default (Teams has no such limit). */
  global: z.array(RateLimitSchema).default(() => []),
});
export type RateLimits = z.infer<typeof RateLimitsSchema>;
export type RateLimitsInput = z.input<typeof RateLimitsSchema>;

/**
 * At most `capacity` takes in any window of `perMs` ms (see the file comment for why a token comes
 * back `perMs` after it was taken rather than refilling continuously). Times are in ms; a take
 * at `t` occupies the half-open window [t, t + perMs).
 */
export class TokenBucket {
  /**
   * Times of the last takes, at most `capacity` of them. It grows on demand (most recipients of a
   * campaign get one message, so most buckets hold one number) and then becomes a ring with the
   * oldest take at `head`. A plain array, not a Float64Array: typed arrays are slow to allocate,
   * and a new recipient allocates buckets on its first send.
   */
  private readonly takes: number[] = [];
  private head = 0;
  private last = -Infinity;

  constructor(
    readonly capacity: number,
    readonly perMs: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`TokenBucket capacity must be a positive integer, got ${capacity}`);
    if (!(perMs > 0) || !Number.isFinite(perMs)) throw new RangeError(`TokenBucket perMs must be a positive number, got ${perMs}`);
  }

  /** 0 if a token is available at `now`, else the ms until one is. Changes nothing. */
  waitMs(now: number): number {
    if (this.takes.length < this.capacity) return 0;
    // A clock that steps back is treated as standing still, so takes stay in order and the
    // window guarantee holds even then.
    const t = now > this.last ? now : this.last;
    const free = this.takes[this.head] + this.perMs;
    return free <= t ? 0 : free - t;
  }

  /** Takes a token and returns 0 if one is available at `now`; otherwise takes nothing and returns the ms to wait. */
  tryTake(now: number): number {
    const wait = this.waitMs(now);
    if (wait > 0) return wait;
    const t = now > this.last ? now : this.last;
    if (this.takes.length < this.capacity) {
      this.takes.push(t);
    } else {
      this.takes[this.head] = t;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.last = t;
    return 0;
  }

  /** True when every token is back, i.e. the bucket behaves exactly like a new one. */
  isFull(now: number): boolean {
    return this.last + this.perMs <= now;
  }
}

/** What a send is counted against. */
export interface RateKey {
  /** The conversation id (unique across tenants in Teams). */
  readonly conversationKey: string;
  readonly tenantId: string;
}

interface KeyState {
  readonly key: string;
  readonly buckets: TokenBucket[];
  /** Time of the latest take from these buckets (they are always taken together). */
  lastTake: number;
  /** Neighbours in the least-recently-taken list. */
  prev: KeyState | null;
  next: KeyState | null;
}

/**
 * Buckets per key, created on the first granted send and dropped once all their tokens are back.
 * The states also form a list in order of last take (a take moves its state to the tail), so the
 * idle ones are always at the head and eviction only ever looks at the head: O(1) amortised per
 * take, and no more keys are held than were sent to within the longest window. (A Map's own
 * insertion order with delete + re-set would do the same in theory, but V8 leaves deleted slots
 * at the front of the table and every new iterator walks over them: over 15× slower measured with
 * 100,000 keys.)
 */
class KeyedBuckets {
  private readonly states = new Map<string, KeyState>();
  private readonly idleAfterMs: number;
  private head: KeyState | null = null;
  private tail: KeyState | null = null;

  constructor(private readonly limits: readonly RateLimit[]) {
    this.idleAfterMs = Math.max(...limits.map((l) => l.perMs));
  }

  get size(): number {
    return this.states.size;
  }

  lookup(key: string): KeyState | undefined {
    return this.states.get(key);
  }

  /** Must only be called when {@link waitOf} returned 0 for this state at this `now`. */
  take(key: string, state: KeyState | undefined, now: number): void {
    let s = state;
    if (s === undefined) {
      s = { key, buckets: this.limits.map((l) => new TokenBucket(l.count, l.perMs)), lastTake: -Infinity, prev: null, next: null };
      this.states.set(key, s);
    } else {
      this.unlink(s);
    }
    this.append(s);
    for (const b of s.buckets) b.tryTake(now);
    if (now > s.lastTake) s.lastTake = now;
    this.evict(now);
  }

  private evict(now: number): void {
    // The head is the least recently taken; if it is still busy, so is everything after it.
    while (this.head !== null && this.head.lastTake + this.idleAfterMs <= now) {
      const s = this.head;
      this.unlink(s);
      this.states.delete(s.key);
    }
  }

  private append(s: KeyState): void {
    s.prev = this.tail;
    s.next = null;
    if (this.tail === null) this.head = s;
    else this.tail.next = s;
    this.tail = s;
  }

  private unlink(s: KeyState): void {
    if (s.prev === null) this.head = s.next;
    else s.prev.next = s.next;
    if (s.next === null) this.tail = s.prev;
    else s.next.prev = s.prev;
    s.prev = null;
    s.next = null;
  }
}

function waitOf(buckets: readonly TokenBucket[], now: number): number {
  let wait = 0;
  for (const b of buckets) {
    const w = b.waitMs(now);
    if (w > wait) wait = w;
  }
  return wait;
}

/**
 * Paces sends against every limit that applies to them (per conversation, per tenant, global).
 * Its state lives in this process: N processes sending for one bot would each allow the full
 * limits, so a fleet must send from one instance at a time or share the limits.
 */
export class RateLimiter {
  readonly limits: RateLimits;
  private readonly conversations: KeyedBuckets | null;
  private readonly tenants: KeyedBuckets | null;
  private readonly global: TokenBucket[];

  /** Validates `limits` (throws a ZodError) and fills in the Teams defaults. */
  constructor(limits: RateLimitsInput = {}) {
    this.limits = RateLimitsSchema.parse(limits);
    this.conversations = this.limits.perConversation.length > 0 ? new KeyedBuckets(this.limits.perConversation) : null;
    this.tenants = this.limits.perTenant.length > 0 ? new KeyedBuckets(this.limits.perTenant) : null;
    this.global = this.limits.global.map((l) => new TokenBucket(l.count, l.perMs));
  }

  /**
   * Returns 0 and counts the send against every applicable bucket if it may go at `now`; otherwise
   * counts nothing (so a refused caller never holds tokens hostage) and returns the ms to wait: the
   * longest wait among the buckets that lack a token.
   */
  reserve(now: number, key: RateKey): number {
    // NaN would compare false everywhere and quietly grant every send.
    if (!Number.isFinite(now)) throw new RangeError(`reserve: now must be a finite number of ms, got ${now}`);
    const conv = this.conversations?.lookup(key.conversationKey);
    const tenant = this.tenants?.lookup(key.tenantId);
    // A key with no state has full buckets: nothing to wait for, and no allocation on refusal.
    const wait = Math.max(conv ? waitOf(conv.buckets, now) : 0, tenant ? waitOf(tenant.buckets, now) : 0, waitOf(this.global, now));
    if (wait > 0) return wait;
    this.conversations?.take(key.conversationKey, conv, now);
    this.tenants?.take(key.tenantId, tenant, now);
    for (const b of this.global) b.tryTake(now);
    return 0;
  }

  /**
   * What a send to `key` would wait for at `now`, per scope, without taking anything: the worker
   * uses it to tell a busy conversation (set that one message aside) from a busy tenant (set the
   * whole tenant aside) when {@link reserve} refuses.
   */
  waits(now: number, key: RateKey): { conversation: number; tenant: number; global: number } {
    const conv = this.conversations?.lookup(key.conversationKey);
    const tenant = this.tenants?.lookup(key.tenantId);
    return { conversation: conv ? waitOf(conv.buckets, now) : 0, tenant: tenant ? waitOf(tenant.buckets, now) : 0, global: waitOf(this.global, now) };
  }

  /** The smallest count among the per-tenant limits (how many sends one tenant can take at once), or null when there are none. */
  get tenantBurst(): number | null {
    return this.limits.perTenant.length ? Math.min(...this.limits.perTenant.map((l) => l.count)) : null;
  }

  /**
   * Waits until the send may go and reserves it; resolves with the ms waited. Waiters are served
   * roughly in order of their wake-up time (no strict FIFO queue): good enough, since every waiter
   * is told the earliest time a token frees up and re-checks then. If `signal` aborts first, it
   * reserves nothing and resolves with `null`.
   */
  async acquire(clock: Clock, key: RateKey, signal?: AbortSignal): Promise<number | null> {
    const start = clock.now();
    for (;;) {
      if (signal?.aborted) return null;
      const wait = this.reserve(clock.now(), key);
      if (wait === 0) return clock.now() - start;
      await clock.sleep(wait, signal);
    }
  }

  /** How many keys currently hold state (for tests and metrics); idle keys are dropped on later sends. */
  get size(): { conversations: number; tenants: number } {
    return { conversations: this.conversations?.size ?? 0, tenants: this.tenants?.size ?? 0 };
  }
}

/**
 * The worker's claimed, not yet sent messages, arranged so that no lane ever waits on a rate limit
 * while another message could go now (issue: one busy tenant must not hold the whole outbox).
 *
 * Messages are kept per tenant and tenants take turns (round robin), so a campaign queued tenant
 * after tenant goes out to all of them at once. When a tenant has no token left, the whole tenant
 * is set aside until its next token is due; when only one conversation is busy (Teams' 7 / 1 s
 * per conversation), only that message is set aside. Both come back by themselves at their time.
 * Pure bookkeeping on a `now` given by the caller: no timers, no I/O.
 */
import type { OutboxItem } from '../ports/index.js';

interface TenantQueue {
  readonly id: string;
  readonly items: OutboxItem[];
  /** Index of the first item still queued in `items` (a deque without shifting the array). */
  head: number;
  /** Set aside until then: its tenant had no token. */
  blockedUntil: number;
  /** Whether it is in the round-robin ring (it may also be there while blocked: skipped when reached). */
  inRing: boolean;
}

/** A binary min-heap on `at`. */
class Timeline<T> {
  private readonly heap: Array<{ at: number; value: T }> = [];

  get size(): number {
    return this.heap.length;
  }

  get earliest(): number {
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  push(at: number, value: T): void {
    const h = this.heap;
    h.push({ at, value });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  /** Removes and returns the entry with the smallest `at` if it is due at `now`. */
  popDue(now: number): T | undefined {
    const h = this.heap;
    if (!h.length || h[0].at > now) return undefined;
    const top = h[0].value;
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  values(): T[] {
    return this.heap.map((e) => e.value);
  }

  clear(): void {
    this.heap.length = 0;
  }
}

/** The scheduling group of an item: its tenant, or '' for items stored before tenants were recorded. */
export const tenantOf = (item: OutboxItem): string => item.tenantId ?? '';

export class SendQueue {
  private readonly tenants = new Map<string, TenantQueue>();
  private readonly ring: TenantQueue[] = [];
  private ringHead = 0;
  private readonly blocked = new Timeline<TenantQueue>();
  private readonly parked = new Timeline<OutboxItem>();
  private queued = 0;

  /** Every message held: queued, or set aside. */
  get size(): number {
    return this.queued + this.parked.size;
  }

  add(items: readonly OutboxItem[]): void {
    for (const item of items) {
      const t = this.tenant(tenantOf(item));
      t.items.push(item);
      this.queued++;
      this.enterRing(t);
    }
  }

  /**
   * The next message that may be tried at `now`, taking tenants in turn; undefined when every held
   * message is set aside (or none is held). Brings back whatever was set aside until `now` first.
   */
  take(now: number): OutboxItem | undefined {
    this.wake(now);
    while (this.ringHead < this.ring.length) {
      const t = this.ring[this.ringHead++];
      if (this.ringHead > 1024 && this.ringHead * 2 > this.ring.length) {
        this.ring.splice(0, this.ringHead);
        this.ringHead = 0;
      }
      t.inRing = false;
      if (t.blockedUntil > now || t.head === t.items.length) continue; // back through wake() / add()
      const item = t.items[t.head];
      t.items[t.head++] = undefined as unknown as OutboxItem; // let it be collected
      if (t.head === t.items.length) {
        t.items.length = 0;
        t.head = 0;
      }
      this.queued--;
      this.enterRing(t);
      return item;
    }
    return undefined;
  }

  /** The item's tenant has no token until `until`: the item goes back first in line, the tenant waits. */
  blockTenant(item: OutboxItem, until: number): void {
    const t = this.tenant(tenantOf(item));
    this.putBack(t, item);
    if (until > t.blockedUntil) {
      t.blockedUntil = until;
      this.blocked.push(until, t);
    }
  }

  /** Only this item's conversation is busy until `until`: the item waits, its tenant goes on. */
  park(item: OutboxItem, until: number): void {
    this.parked.push(until, item);
  }

  /** When something set aside comes back (Infinity when nothing is). */
  nextWake(): number {
    return Math.min(this.blocked.earliest, this.parked.earliest);
  }

  /**
   * Tenants a claim should skip at `now`: set aside for want of a token, or already holding `cap`
   * messages here (more would only wait). Claiming theirs would take messages other workers (or
   * later rounds) could send, and stand in front of other tenants' messages.
   */
  busyTenants(now: number, cap: number): string[] {
    const busy: string[] = [];
    for (const t of this.tenants.values()) if (t.blockedUntil > now || t.items.length - t.head >= cap) busy.push(t.id);
    return busy;
  }

  /** Empties the queue and returns every held message (to give back to the store). */
  drain(): OutboxItem[] {
    const all: OutboxItem[] = [...this.parked.values()];
    for (const t of this.tenants.values()) for (let i = t.head; i < t.items.length; i++) all.push(t.items[i]);
    this.tenants.clear();
    this.ring.length = 0;
    this.ringHead = 0;
    this.blocked.clear();
    this.parked.clear();
    this.queued = 0;
    return all;
  }

  private wake(now: number): void {
    for (let t = this.blocked.popDue(now); t; t = this.blocked.popDue(now)) {
      if (t.blockedUntil <= now) this.enterRing(t);
    }
    for (let item = this.parked.popDue(now); item; item = this.parked.popDue(now)) this.putBack(this.tenant(tenantOf(item)), item);
    // Tenants with nothing held and no wait are forgotten, so the map holds only live tenants.
    if (this.tenants.size > 4 * (this.ring.length - this.ringHead) + 64) {
      for (const [id, t] of this.tenants) if (t.head === t.items.length && t.blockedUntil <= now && !t.inRing) this.tenants.delete(id);
    }
  }

  private putBack(t: TenantQueue, item: OutboxItem): void {
    if (t.head > 0) t.items[--t.head] = item;
    else t.items.unshift(item);
    this.queued++;
    this.enterRing(t);
  }

  private enterRing(t: TenantQueue): void {
    if (t.inRing || t.head === t.items.length) return;
    t.inRing = true;
    this.ring.push(t);
  }

  private tenant(id: string): TenantQueue {
    let t = this.tenants.get(id);
    if (!t) {
      t = { id, items: [], head: 0, blockedUntil: -Infinity, inRing: false };
      this.tenants.set(id, t);
    }
    return t;
  }
}

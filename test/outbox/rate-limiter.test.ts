import { expect } from 'chai';
import fc from 'fast-check';
import { FakeClock } from '../../src/services/outbox/clock.js';
import {
  RateLimiter,
  RateLimitsSchema,
  TEAMS_CONVERSATION_LIMITS,
  TEAMS_TENANT_LIMITS,
  TokenBucket,
  type RateKey,
  type RateLimit,
  type RateLimitsInput,
} from '../../src/services/outbox/rate-limiter.js';

const key = (conversationKey: string, tenantId = 'tenant-a'): RateKey => ({ conversationKey, tenantId });

/** Reserves `n` times at `now` and returns how many were granted. */
function grantCount(limiter: RateLimiter, now: number, n: number, k: (i: number) => RateKey): number {
  let granted = 0;
  for (let i = 0; i < n; i++) if (limiter.reserve(now, k(i)) === 0) granted++;
  return granted;
}

/** Largest number of `times` (sorted) inside any half-open window [t, t + windowMs). */
function maxInWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  let lo = 0;
  for (let hi = 0; hi < times.length; hi++) {
    while (times[hi] - times[lo] >= windowMs) lo++;
    max = Math.max(max, hi - lo + 1);
  }
  return max;
}

describe('outbox rate limiter', () => {
  describe('TokenBucket', () => {
    const full7 = (): TokenBucket => {
      const b = new TokenBucket(7, 1_000);
      for (let i = 0; i < 7; i++) expect(b.tryTake(0)).to.equal(0);
      return b;
    };

    for (const [now, wait] of [
      [0, 1_000],
      [1, 999],
      [999, 1],
      [1_000, 0],
      [5_000, 0],
    ] as const) {
      it(`when 7 of 7 tokens were taken at 0 ms, then at ${now} ms the wait is ${wait} ms`, () => {
        expect(full7().tryTake(now)).to.equal(wait);
      });
    }

    it('when tokens were taken at different times, then each comes back exactly perMs after it was taken', () => {
      const b = new TokenBucket(7, 1_000);
      for (let i = 0; i < 7; i++) expect(b.tryTake(i * 100)).to.equal(0); // 0, 100, … 600
      expect(b.tryTake(999)).to.equal(1);
      expect(b.tryTake(1_000)).to.equal(0); // the token taken at 0
      expect(b.tryTake(1_050)).to.equal(50); // the next one, taken at 100, is back at 1,100
      expect(b.tryTake(1_100)).to.equal(0);
    });

    it('when a take is refused, then nothing is consumed: the same wait is reported until the token is back', () => {
      const b = full7();
      for (let i = 0; i < 100; i++) expect(b.tryTake(400)).to.equal(600);
      expect(b.waitMs(400)).to.equal(600);
      expect(b.tryTake(1_000)).to.equal(0);
    });

    it('when sends are spaced evenly at just under 7 per second, then every one is granted (no throughput lost)', () => {
      const b = new TokenBucket(7, 1_000);
      for (let i = 0; i < 70; i++) expect(b.tryTake(i * 143)).to.equal(0, `take ${i + 1}`);
    });

    it('when the clock steps back, then the bucket treats it as standing still and never grants more than its capacity', () => {
      const b = new TokenBucket(2, 1_000);
      expect(b.tryTake(5_000)).to.equal(0);
      expect(b.tryTake(5_000)).to.equal(0);
      expect(b.tryTake(4_000)).to.equal(1_000);
      expect(b.tryTake(6_000)).to.equal(0);
    });

    it('when all tokens are back, then the bucket reports itself full (safe to forget)', () => {
      const b = new TokenBucket(3, 1_000);
      expect(b.isFull(0)).to.equal(true);
      b.tryTake(10);
      expect(b.isFull(1_009)).to.equal(false);
      expect(b.isFull(1_010)).to.equal(true);
    });

    for (const [capacity, perMs] of [
      [0, 1_000],
      [1.5, 1_000],
      [7, 0],
      [7, -1],
      [7, Number.POSITIVE_INFINITY],
      [7, Number.NaN],
    ] as const) {
      it(`when built with capacity ${capacity} and perMs ${perMs}, then it refuses`, () => {
        expect(() => new TokenBucket(capacity, perMs)).to.throw(RangeError);
      });
    }
  });

  describe('configuration', () => {
    it('when nothing is configured, then the Teams limits apply and there is no global limit', () => {
      const limits = RateLimitsSchema.parse({});
      expect(limits.perConversation).to.deep.equal(TEAMS_CONVERSATION_LIMITS);
      expect(limits.perConversation).to.deep.include({ count: 7, perMs: 1_000 });
      expect(limits.perConversation).to.deep.include({ count: 60, perMs: 30_000 });
      expect(limits.perTenant).to.deep.equal([{ count: 50, perMs: 1_000 }]);
      expect(limits.perTenant).to.deep.equal(TEAMS_TENANT_LIMITS);
      expect(limits.global).to.deep.equal([]);
      expect(new RateLimiter().limits).to.deep.equal(limits);
    });

    for (const [label, input] of [
      ['a zero count', { perTenant: [{ count: 0, perMs: 1_000 }] }],
      ['a fractional count', { perTenant: [{ count: 1.5, perMs: 1_000 }] }],
      ['a negative window', { global: [{ count: 5, perMs: -1 }] }],
      ['a missing window', { perConversation: [{ count: 5 }] }],
    ] as const) {
      it(`when a limit has ${label}, then the limiter refuses the configuration`, () => {
        expect(() => new RateLimiter(input as unknown as RateLimitsInput)).to.throw(/count|perMs|expected|Too/i);
      });
    }

    const oneConversation = (): RateKey => key('c1');
    for (const [label, input, granted] of [
      ['the defaults', {}, 7],
      ['per conversation turned off', { perConversation: [] }, 50],
      ['only 60 / 30 s per conversation', { perConversation: [{ count: 60, perMs: 30_000 }] }, 50],
      ['all limits off', { perConversation: [], perTenant: [] }, 1_000],
      ['only a global 500 / s (benchmarks)', { perConversation: [], perTenant: [], global: [{ count: 500, perMs: 1_000 }] }, 500],
    ] as const) {
      it(`when configured with ${label}, then ${granted} of 1,000 sends to one conversation go at once`, () => {
        expect(grantCount(new RateLimiter(input as RateLimitsInput), 0, 1_000, oneConversation)).to.equal(granted);
      });
    }
  });

  describe('per conversation', () => {
    it('when 7 sends go to one conversation in the same second, then the 8th waits until the first one is a second old', () => {
      const limiter = new RateLimiter();
      for (let i = 0; i < 7; i++) expect(limiter.reserve(100 + i * 10, key('c1'))).to.equal(0, `send ${i + 1}`);
      expect(limiter.reserve(500, key('c1'))).to.equal(600);
      expect(limiter.reserve(1_099, key('c1'))).to.equal(1);
      expect(limiter.reserve(1_100, key('c1'))).to.equal(0);
    });

    it('when 60 sends go to one conversation over 30 s, then all are allowed but the 61st waits until the first leaves the window', () => {
      const limiter = new RateLimiter();
      for (let i = 0; i < 60; i++) expect(limiter.reserve(i * 490, key('c1'))).to.equal(0, `send ${i + 1}`);
      expect(limiter.reserve(29_999, key('c1'))).to.equal(1);
      expect(limiter.reserve(30_000, key('c1'))).to.equal(0);
    });

    it('when 60 / 30 s is exhausted, then the per-second limits have room but the send still waits', () => {
      const limiter = new RateLimiter({ perConversation: [{ count: 7, perMs: 1_000 }, { count: 60, perMs: 30_000 }] });
      let t = 0;
      for (let burst = 0; burst < 9; burst++, t += 1_000) {
        expect(grantCount(limiter, t, 7, () => key('c1'))).to.equal(burst < 8 ? 7 : 4); // 8 × 7 = 56, then 4 more
      }
      expect(limiter.reserve(9_000, key('c1'))).to.equal(21_000);
    });

    it('when the defaults apply, then Teams’ 8 / 2 s holds too: a second burst of 7 right after the first gets only 1', () => {
      const limiter = new RateLimiter();
      expect(grantCount(limiter, 0, 7, () => key('c1'))).to.equal(7);
      expect(grantCount(limiter, 1_000, 7, () => key('c1'))).to.equal(1);
      expect(limiter.reserve(1_000, key('c1'))).to.equal(1_000);
    });

    it('when one conversation is saturated, then another conversation of the same tenant is not held back', () => {
      const limiter = new RateLimiter();
      expect(grantCount(limiter, 0, 10, () => key('c1'))).to.equal(7);
      expect(grantCount(limiter, 0, 7, () => key('c2'))).to.equal(7);
    });
  });

  describe('per tenant', () => {
    it('when 60 conversations of one tenant send in the same second, then 50 go and the rest wait a second', () => {
      const limiter = new RateLimiter();
      const waits = Array.from({ length: 60 }, (_, i) => limiter.reserve(0, key(`c${i}`, 'tenant-a')));
      expect(waits.filter((w) => w === 0)).to.have.length(50);
      expect(waits.slice(50)).to.deep.equal(Array(10).fill(1_000));
      expect(grantCount(limiter, 0, 50, (i) => key(`c${i}`, 'tenant-b'))).to.equal(50);
      expect(grantCount(limiter, 1_000, 50, (i) => key(`c${100 + i}`, 'tenant-a'))).to.equal(50);
    });

    it('when sends are spread over the second, then the tenant window slides: tokens come back one by one', () => {
      const limiter = new RateLimiter();
      for (let i = 0; i < 50; i++) expect(limiter.reserve(i * 10, key(`c${i}`))).to.equal(0);
      expect(limiter.reserve(995, key('late'))).to.equal(5);
      expect(limiter.reserve(1_000, key('late'))).to.equal(0);
      expect(limiter.reserve(1_000, key('later'))).to.equal(10);
    });
  });

  describe('atomic reservation', () => {
    it('when the conversation lacks a token, then the tenant token is not consumed', () => {
      const limiter = new RateLimiter();
      expect(grantCount(limiter, 0, 7, () => key('busy'))).to.equal(7);
      for (let i = 0; i < 100; i++) expect(limiter.reserve(0, key('busy'))).to.equal(1_000);
      // 43 tenant tokens are left, untouched by the 100 refusals.
      expect(grantCount(limiter, 0, 50, (i) => key(`other${i}`))).to.equal(43);
    });

    it('when the tenant lacks a token, then the conversation consumes nothing and holds no state', () => {
      const limiter = new RateLimiter();
      expect(grantCount(limiter, 0, 50, (i) => key(`c${i}`))).to.equal(50);
      const before = limiter.size;
      for (let i = 0; i < 20; i++) expect(limiter.reserve(0, key('newcomer'))).to.equal(1_000);
      expect(limiter.size).to.deep.equal(before);
      expect(grantCount(limiter, 1_000, 10, () => key('newcomer'))).to.equal(7);
    });

    it('when the time is not a finite number, then reserve refuses rather than granting blindly', () => {
      expect(() => new RateLimiter().reserve(Number.NaN, key('c1'))).to.throw(RangeError);
    });

    it('when several buckets lack a token, then the wait is the longest of them', () => {
      const limiter = new RateLimiter({
        perConversation: [{ count: 1, perMs: 5_000 }],
        perTenant: [{ count: 1, perMs: 1_000 }],
        global: [{ count: 1, perMs: 2_000 }],
      });
      expect(limiter.reserve(0, key('c1'))).to.equal(0);
      expect(limiter.reserve(500, key('c1'))).to.equal(4_500);
      expect(limiter.reserve(500, key('c2'))).to.equal(1_500); // global, longer than the tenant's 500
      expect(limiter.reserve(2_000, key('c2'))).to.equal(0);
    });

    it('when a global limit is set, then it holds across tenants', () => {
      const limiter = new RateLimiter({ global: [{ count: 100, perMs: 1_000 }] });
      expect(grantCount(limiter, 0, 300, (i) => key(`c${i}`, `t${i % 10}`))).to.equal(100);
    });
  });

  describe('memory', () => {
    it('when 100,000 distinct conversations receive one message each and go idle, then the bucket count stays bounded', () => {
      const limiter = new RateLimiter();
      let maxConversations = 0;
      let maxTenants = 0;
      let granted = 0;
      let t = 0;
      for (let i = 0; i < 100_000; i++, t += 10) {
        // 100 tenants in turn: each sends once a second, well under 50 / s, so every send is granted.
        if (limiter.reserve(t, key(`conversation-${i}`, `tenant-${i % 100}`)) === 0) granted++;
        if (i % 97 === 0) {
          const { conversations, tenants } = limiter.size;
          maxConversations = Math.max(maxConversations, conversations);
          maxTenants = Math.max(maxTenants, tenants);
        }
      }
      expect(granted).to.equal(100_000);
      // One send per 10 ms: at most the 3,000 conversations of the last 30 s (+1 being added) are kept.
      expect(maxConversations).to.be.at.most(3_001);
      expect(maxTenants).to.be.at.most(100);
      expect(limiter.reserve(t + 30_000, key('one-more', 'tenant-x'))).to.equal(0);
      expect(limiter.size).to.deep.equal({ conversations: 1, tenants: 1 });
    });

    it('when a conversation was evicted, then it behaves as if it had never sent (and a busy one is never evicted)', () => {
      const limiter = new RateLimiter({ perConversation: [{ count: 2, perMs: 1_000 }], perTenant: [] });
      expect(grantCount(limiter, 0, 2, () => key('old'))).to.equal(2);
      expect(grantCount(limiter, 999, 1, () => key('other'))).to.equal(1);
      expect(limiter.size.conversations).to.equal(2); // 'old' is not idle yet at 999
      expect(limiter.reserve(999, key('old'))).to.equal(1);
      expect(grantCount(limiter, 1_000, 1, () => key('third'))).to.equal(1);
      expect(limiter.size.conversations).to.equal(2); // 'old' went
      expect(grantCount(limiter, 1_000, 3, () => key('old'))).to.equal(2);
    });
  });

  describe('acquire', () => {
    it('when more sends are waiting than a window allows, then they go as tokens come back, in the order they asked', async () => {
      const clock = new FakeClock(0);
      const limiter = new RateLimiter({ perConversation: [{ count: 2, perMs: 1_000 }] });
      const sent: Array<{ i: number; at: number; waited: number | null }> = [];
      const all = Array.from({ length: 5 }, (_, i) =>
        limiter.acquire(clock, key('c1')).then((waited) => sent.push({ i, at: clock.now(), waited })),
      );
      await clock.advance(0);
      expect(sent.map((s) => s.i)).to.deep.equal([0, 1]);
      await clock.advance(999);
      expect(sent).to.have.length(2);
      await clock.advance(1);
      expect(sent.map((s) => s.i)).to.deep.equal([0, 1, 2, 3]);
      await clock.advance(5_000);
      await Promise.all(all);
      expect(sent).to.deep.equal([
        { i: 0, at: 0, waited: 0 },
        { i: 1, at: 0, waited: 0 },
        { i: 2, at: 1_000, waited: 1_000 },
        { i: 3, at: 1_000, waited: 1_000 },
        { i: 4, at: 2_000, waited: 2_000 },
      ]);
      expect(clock.pending).to.equal(0);
    });

    it('when ten sends to one conversation wait under the defaults, then they go at 0 s (7), 1 s (1) and 2 s (2)', async () => {
      const clock = new FakeClock(1_000_000);
      const limiter = new RateLimiter();
      const at: number[] = [];
      const all = Array.from({ length: 10 }, () => limiter.acquire(clock, key('c1')).then(() => at.push(clock.now() - 1_000_000)));
      await clock.advance(10_000);
      await Promise.all(all);
      expect(at).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 1_000, 2_000, 2_000]);
    });

    it('when many conversations share a tenant, then each gets its turn in order', async () => {
      const clock = new FakeClock(0);
      const limiter = new RateLimiter({ perConversation: [], perTenant: [{ count: 2, perMs: 1_000 }] });
      const order: string[] = [];
      const all: Promise<unknown>[] = [];
      for (let round = 0; round < 2; round++) {
        for (const c of ['a', 'b', 'c']) all.push(limiter.acquire(clock, key(c)).then(() => order.push(`${c}${round}@${clock.now()}`)));
      }
      await clock.advance(10_000);
      await Promise.all(all);
      expect(order).to.deep.equal(['a0@0', 'b0@0', 'c0@1000', 'a1@1000', 'b1@2000', 'c1@2000']);
    });

    it('when the wait is aborted, then acquire resolves null at once, reserves nothing and leaves no sleeper', async () => {
      const clock = new FakeClock(0);
      const limiter = new RateLimiter({ perConversation: [{ count: 1, perMs: 30_000 }] });
      expect(await limiter.acquire(clock, key('c1'))).to.equal(0);
      const stop = new AbortController();
      const waiting = limiter.acquire(clock, key('c1'), stop.signal);
      await clock.advance(1_000);
      expect(clock.pending).to.equal(1);
      stop.abort();
      expect(await waiting).to.equal(null);
      expect(clock.pending).to.equal(0);
      // Nothing was taken: the token still comes back 30 s after the first send.
      expect(limiter.reserve(29_999, key('c1'))).to.equal(1);
      expect(limiter.reserve(30_000, key('c1'))).to.equal(0);
      // An already aborted signal reserves nothing even when a token is free.
      expect(await limiter.acquire(clock, key('c2'), stop.signal)).to.equal(null);
      expect(limiter.reserve(30_000, key('c2'))).to.equal(0);
    });
  });

  describe('FakeClock', () => {
    it('when advanced past several deadlines, then sleepers wake in deadline order, each seeing its own deadline as now', async () => {
      const clock = new FakeClock(100);
      const woke: string[] = [];
      const sleep = (name: string, ms: number): Promise<number> => clock.sleep(ms).then(() => woke.push(`${name}@${clock.now()}`));
      const all = [sleep('c', 300), sleep('a', 100), sleep('b', 200), sleep('a2', 100)];
      await clock.advance(150);
      expect(woke).to.deep.equal(['a@200', 'a2@200']);
      expect(clock.now()).to.equal(250);
      expect(clock.pending).to.equal(2);
      await clock.advance(1_000);
      await Promise.all(all);
      expect(woke).to.deep.equal(['a@200', 'a2@200', 'b@300', 'c@400']);
      expect(clock.now()).to.equal(1_250);
    });

    it('when a woken sleeper sleeps again within the advanced interval, then it wakes within it too', async () => {
      const clock = new FakeClock(0);
      const woke: number[] = [];
      const loop = (async () => {
        for (let i = 0; i < 3; i++) {
          await clock.sleep(100);
          woke.push(clock.now());
        }
      })();
      await clock.advance(1_000);
      await loop;
      expect(woke).to.deep.equal([100, 200, 300]);
    });

    it('when asked to sleep 0 ms or less, then it resolves without the clock moving; advancing backwards is refused', async () => {
      const clock = new FakeClock(5);
      await clock.sleep(0);
      await clock.sleep(-10);
      expect(clock.now()).to.equal(5);
      let error: unknown;
      await clock.advance(-1).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(RangeError);
    });
  });

  describe('properties', () => {
    // Mostly about 2.5 calls a second with bursts, so every limit, 60 / 30 s included, gets reached.
    const dt = fc.oneof(
      { arbitrary: fc.constant(0), weight: 1 },
      { arbitrary: fc.integer({ min: 0, max: 400 }), weight: 6 },
      { arbitrary: fc.integer({ min: 0, max: 3_000 }), weight: 1 },
    );
    const step = fc.record({
      dt,
      // Mostly one conversation, with others of the same tenant interleaved.
      conversation: fc.oneof({ arbitrary: fc.constant(0), weight: 4 }, { arbitrary: fc.integer({ min: 1, max: 2 }), weight: 1 }),
    });

    it('when reserve is called in any order at non-decreasing times, then no conversation gets more than 7 in any 1 s or 60 in any 30 s, nor the tenant 50 in any 1 s', () => {
      fc.assert(
        fc.property(fc.array(step, { maxLength: 400, size: 'max' }), (steps) => {
          const limiter = new RateLimiter();
          const granted: number[][] = [[], [], []];
          const tenant: number[] = [];
          let t = 0;
          for (const { dt, conversation } of steps) {
            t += dt;
            if (limiter.reserve(t, key(`c${conversation}`)) === 0) {
              granted[conversation].push(t);
              tenant.push(t);
            }
          }
          for (const times of granted) {
            expect(maxInWindow(times, 1_000)).to.be.at.most(7);
            expect(maxInWindow(times, 2_000)).to.be.at.most(8);
            expect(maxInWindow(times, 30_000)).to.be.at.most(60);
          }
          expect(maxInWindow(tenant, 1_000)).to.be.at.most(50);
        }),
        { numRuns: 300 },
      );
    });

    it('when compared with a naive sliding-window count, then every grant and every wait is exactly the same (refusals consume nothing)', () => {
      const limits: RateLimit[] = [...TEAMS_CONVERSATION_LIMITS];
      /** The wait the naive model expects: for each limit, when the count-th latest grant leaves its window. */
      const expectedWait = (grants: readonly number[], now: number): number =>
        Math.max(0, ...limits.map((l) => (grants.length >= l.count ? grants[grants.length - l.count] + l.perMs - now : 0)));
      let refusedBy30s = 0;
      fc.assert(
        fc.property(fc.array(step, { maxLength: 400, size: 'max' }), (steps) => {
          const limiter = new RateLimiter({ perConversation: limits, perTenant: [] });
          const grants: number[] = [];
          let t = 0;
          for (const { dt } of steps) {
            t += dt;
            const want = Math.max(0, expectedWait(grants, t));
            expect(limiter.reserve(t, key('c'))).to.equal(want);
            if (want === 0) grants.push(t);
            if (want > 2_000) refusedBy30s++;
          }
        }),
        { numRuns: 300 },
      );
      // Only 60 / 30 s can ask for more than 2 s: the generator does reach that limit.
      expect(refusedBy30s).to.be.greaterThan(0);
    });
  });
});

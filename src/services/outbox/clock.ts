/**
 * Time as a dependency. The rate limiter and retry policy never read the wall clock or set timers
 * themselves: they take a `now` or a `Clock`, so tests can run minutes of traffic in microseconds
 * with a {@link FakeClock} and get the same answer every time.
 */

/** A source of time in milliseconds and a way to wait. */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin: only differences matter). */
  now(): number;
  /** Resolves once `now()` has advanced by at least `ms`, or as soon as `signal` aborts (callers check it). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

interface Sleeper {
  readonly due: number;
  /** Tie-breaker so sleepers with the same deadline wake in the order they went to sleep. */
  readonly seq: number;
  readonly resolve: () => void;
}

/** Lets woken code run (and perhaps sleep again) before time moves on. */
const settle = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock that only moves when told to (tests). `sleep` resolves once {@link FakeClock.advance} has
 * moved time to or past its deadline; sleepers wake in deadline order, and each one sees `now()`
 * equal to its own deadline, as it would with a real clock.
 */
export class FakeClock implements Clock {
  private time: number;
  private seq = 0;
  /** Sorted by (due, seq); tests have few sleepers, so a sorted array is simplest. */
  private readonly sleepers: Sleeper[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    // A non-positive wait is already due: resolving at once matches setTimeout(0) closely enough
    // and avoids a test hanging because nobody advanced the clock by zero.
    if (!(ms > 0) || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const sleeper: Sleeper = { due: this.time + ms, seq: this.seq++, resolve };
      let i = this.sleepers.length;
      while (i > 0 && this.sleepers[i - 1].due > sleeper.due) i--;
      this.sleepers.splice(i, 0, sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          const at = this.sleepers.indexOf(sleeper);
          if (at >= 0) this.sleepers.splice(at, 1);
          resolve();
        },
        { once: true },
      );
    });
  }

  /** When the earliest sleeper wakes, or undefined when nobody sleeps. */
  get nextDue(): number | undefined {
    return this.sleepers[0]?.due;
  }

  /** How many sleepers are waiting. */
  get pending(): number {
    return this.sleepers.length;
  }

  /**
   * Moves time forward by `ms`, stopping at each sleeper's deadline to wake it and let the code it
   * resumes run, so sleeps started by woken code within the interval also wake within it.
   */
  async advance(ms: number): Promise<void> {
    if (ms < 0 || !Number.isFinite(ms)) throw new RangeError(`advance(${ms}): expected a finite, non-negative number`);
    const target = this.time + ms;
    await settle();
    for (;;) {
      const next: Sleeper | undefined = this.sleepers[0];
      if (next === undefined || next.due > target) break;
      this.sleepers.shift();
      this.time = Math.max(this.time, next.due);
      next.resolve();
      await settle();
    }
    this.time = target;
    await settle();
  }
}

/**
 * Work that must run once for the whole fleet, not once per instance: sending the outbox (Teams'
 * per-tenant limit is per app, so two senders would each spend the full 50 / s), the scheduled
 * notification scans and the campaign progress card edits. One instance holds the lead and runs
 * them; the others serve turns and watch. If the leader dies, its lead lapses (with PostgreSQL,
 * the session advisory lock goes with its connection) and another instance takes over at its
 * next check. With the embedded store there is one process, which always leads.
 */
import type { Logger } from '../log.js';

/** Who leads. `check` takes the lead when it is free and says whether this instance holds it. */
export interface Leadership {
  readonly kind: string;
  check(): Promise<boolean>;
  /** Gives the lead up (on stop), so another instance can take it without waiting. */
  release(): Promise<void>;
}

/** One process (the embedded store): it always leads. */
export const soleInstance: Leadership = {
  kind: 'sole instance',
  check: () => Promise.resolve(true),
  release: () => Promise.resolve(),
};

/** What the leader runs: started when the lead is won, stopped (promptly, losing nothing) when it is lost. */
export interface Duty {
  start(): void;
  stop(): Promise<void>;
}

/**
 * `duty`, started `ms` after the lead is won. The outbox's rate limiter lives in the sender's
 * process, so a new leader knows nothing of what the previous one sent in its last window, which
 * Teams still counts: waiting one tenant window before the first send keeps the fleet within the
 * limit across a takeover. Stopping during the pause means the duty never starts.
 */
export function afterPause(duty: Duty, ms: number): Duty {
  let timer: NodeJS.Timeout | undefined;
  return {
    start() {
      clearTimeout(timer);
      timer = setTimeout(() => duty.start(), ms);
    },
    async stop() {
      clearTimeout(timer);
      await duty.stop();
    },
  };
}

/**
 * Checks the lead every `intervalMs` and starts or stops the duties to match. A check that
 * throws counts as "not leading": an instance that cannot reach the database must not send.
 */
export class LeaderDuties {
  private timer: NodeJS.Timeout | undefined;
  private leading = false;
  private checking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly leadership: Leadership,
    private readonly duties: readonly Duty[],
    private readonly log: Logger,
    private readonly intervalMs = 2_000,
  ) {}

  get isLeading(): boolean {
    return this.leading;
  }

  /** Checks once now (so a sole instance starts its duties at once), then every interval. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.round();
    this.timer = setInterval(() => void this.round(), this.intervalMs);
    this.timer.unref();
  }

  /** One check, and the duties started or stopped to match (rounds never overlap). */
  round(): Promise<void> {
    this.checking = this.checking.then(async () => {
      if (this.stopped) return;
      let lead = false;
      try {
        lead = await this.leadership.check();
      } catch (err) {
        this.log.warn({ err }, 'leadership check failed: not leading until the next check');
      }
      if (lead && !this.leading) {
        this.leading = true;
        this.log.info({ leadership: this.leadership.kind }, 'leading: this instance sends the outbox and runs the scheduled work');
        for (const d of this.duties) d.start();
      } else if (!lead && this.leading) {
        this.leading = false;
        this.log.warn({ leadership: this.leadership.kind }, 'lost the lead: stopping the outbox and the scheduled work here');
        await Promise.all(this.duties.map((d) => d.stop()));
      }
    });
    return this.checking;
  }

  /** Stops the duties and gives the lead up. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.checking;
    if (this.leading) {
      this.leading = false;
      await Promise.all(this.duties.map((d) => d.stop()));
    }
    await this.leadership.release().catch((err: unknown) => this.log.warn({ err }, 'could not release the lead'));
  }
}

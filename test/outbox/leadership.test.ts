/**
 * Fleet-wide duties (outbox sending, scans, progress edits) run only while this instance leads,
 * start when it wins the lead and stop when it loses it, including when the check itself fails.
 */
import { expect } from 'chai';
import { createLogger } from '../../src/log.js';
import { LeaderDuties, afterPause, soleInstance, type Duty, type Leadership } from '../../src/services/leadership.js';

class SwitchLeadership implements Leadership {
  readonly kind = 'test';
  lead = false;
  fail = false;
  released = 0;
  async check(): Promise<boolean> {
    if (this.fail) throw new Error('the database is unreachable');
    return this.lead;
  }
  async release(): Promise<void> {
    this.released++;
  }
}

class CountingDuty implements Duty {
  starts = 0;
  stops = 0;
  get running(): boolean {
    return this.starts > this.stops;
  }
  start(): void {
    this.starts++;
  }
  async stop(): Promise<void> {
    this.stops++;
  }
}

describe('leader duties', () => {
  const log = createLogger('silent');

  it('when the process is the sole instance, then its duties start at once and stop with it', async () => {
    const d = new CountingDuty();
    const duties = new LeaderDuties(soleInstance, [d], log, 60_000);
    await duties.start();
    expect(d.running).to.equal(true);
    await duties.stop();
    expect([d.starts, d.stops]).to.deep.equal([1, 1]);
  });

  it('when the lead is won, lost and won again, then the duties follow, once each time', async () => {
    const l = new SwitchLeadership();
    const a = new CountingDuty();
    const b = new CountingDuty();
    const duties = new LeaderDuties(l, [a, b], log, 60_000);
    await duties.start();
    expect(a.running || b.running).to.equal(false);
    l.lead = true;
    await duties.round();
    await duties.round();
    expect([a.starts, b.starts]).to.deep.equal([1, 1]);
    expect(duties.isLeading).to.equal(true);
    l.lead = false;
    await duties.round();
    expect([a.running, b.running]).to.deep.equal([false, false]);
    l.lead = true;
    await duties.round();
    expect([a.starts, a.stops]).to.deep.equal([2, 1]);
    await duties.stop();
    expect(a.running).to.equal(false);
    expect(l.released).to.equal(1);
  });

  it('when the leadership check fails, then the instance stops leading until a check succeeds', async () => {
    const l = new SwitchLeadership();
    l.lead = true;
    const d = new CountingDuty();
    const duties = new LeaderDuties(l, [d], log, 60_000);
    await duties.start();
    expect(d.running).to.equal(true);
    l.fail = true;
    await duties.round();
    expect(d.running).to.equal(false);
    expect(duties.isLeading).to.equal(false);
    l.fail = false;
    await duties.round();
    expect(d.running).to.equal(true);
    await duties.stop();
  });

  it('when stopped, then no later round starts the duties again', async () => {
    const l = new SwitchLeadership();
    const d = new CountingDuty();
    const duties = new LeaderDuties(l, [d], log, 60_000);
    await duties.start();
    await duties.stop();
    l.lead = true;
    await duties.round();
    expect(d.starts).to.equal(0);
  });

  it('when the lead is won, then a paused duty (the sender) starts only after its pause, and not at all if the lead ends first', async () => {
    const l = new SwitchLeadership();
    l.lead = true;
    const d = new CountingDuty();
    const duties = new LeaderDuties(l, [afterPause(d, 50)], log, 60_000);
    await duties.start();
    expect(d.starts).to.equal(0);
    await new Promise((r) => setTimeout(r, 120));
    expect(d.running).to.equal(true);
    l.lead = false;
    await duties.round();
    l.lead = true;
    await duties.round();
    await duties.stop();
    await new Promise((r) => setTimeout(r, 120));
    expect([d.starts, d.running]).to.deep.equal([1, false]);
  });
});

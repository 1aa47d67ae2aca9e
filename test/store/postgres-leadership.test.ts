/**
 * Fleet leadership on PostgreSQL: one session advisory lock. One instance leads at a time; a
 * released or dropped lead goes to the next instance that checks; a leader that lost its
 * connection stops leading.
 */
import { expect } from 'chai';
import pg from 'pg';
import { PgAdvisoryLeadership } from '../../src/adapters/store/postgres/leadership.js';
import { postgresForTests } from '../fixtures/postgres.js';

describe('PostgreSQL leadership (advisory lock)', function () {
  this.timeout(60_000);
  const db = postgresForTests();
  const made: PgAdvisoryLeadership[] = [];
  const leadership = (url: string) => {
    const l = new PgAdvisoryLeadership(url);
    made.push(l);
    return l;
  };
  afterEach(async () => {
    for (const l of made.splice(0)) await l.release().catch(() => undefined);
  });

  it('when two instances check, then exactly one leads, and the other takes over once it is released', async () => {
    const url = await db.freshDatabase();
    const a = leadership(url);
    const b = leadership(url);
    expect(await a.check()).to.equal(true);
    expect(await b.check()).to.equal(false);
    expect(await a.check()).to.equal(true); // still leading
    await a.release();
    expect(await b.check()).to.equal(true);
    expect(await a.check()).to.equal(false);
  });

  it('when the leader’s connection is killed (as when its process dies), then it stops leading and another instance takes over', async () => {
    const url = await db.freshDatabase();
    const a = leadership(url);
    const b = leadership(url);
    expect(await a.check()).to.equal(true);
    const admin = new pg.Client(url);
    await admin.connect();
    try {
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'rewards-bot leader' AND pid <> pg_backend_pid()");
    } finally {
      await admin.end();
    }
    expect(await b.check()).to.equal(true);
    // The old leader finds out at its next check: an error (connection gone) or "not leading", never "leading".
    const again = await a.check().catch(() => false);
    expect(again).to.equal(false);
  });
});

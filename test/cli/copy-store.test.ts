import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { runCli } from '../../src/adapters/cli/rewards.js';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import { PostgresStore } from '../../src/adapters/store/postgres/postgres-store.js';
import type { Store } from '../../src/services/ports/index.js';
import { OWNER, sampleBatch } from '../fixtures/sample.js';
import { postgresForTests } from '../fixtures/postgres.js';
import { audit, countBilled } from '../store/contract.js';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return { stream: s, text: () => text };
}

/** Everything a store shows through its interface, for comparing two stores. */
async function contents(s: Store) {
  const ids = await s.listPublisherIds();
  return {
    ids,
    docs: await Promise.all(ids.map((id) => s.getPublisher(id))),
    ledgers: await Promise.all(ids.map((id) => s.readTransactions(id))),
    staff: await s.listStaff(),
    tickets: await s.listTickets(),
    audit: await s.readAudit(),
    outbox: await s.listOutbox(),
    conversation: await s.getConversationRef('user:owner'),
    kv: await s.kvRead(['state/conv/1']),
    identity: await s.resolveIdentity(sampleBatch().publishers[0]!.tenantIds[0]!, OWNER),
  };
}

describe('rewards copy-store (CLI)', function () {
  this.timeout(60_000);
  const db = postgresForTests();
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-copy-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(...argv: string[]) {
    const out = sink();
    const err = sink();
    try {
      const code = await runCli(argv, out.stream, err.stream, { DATA_DIR: join(dir, 'data'), NODE_ENV: 'test' });
      return { code, out: out.text(), err: err.text() };
    } catch (e) {
      return { error: e as Error, out: out.text(), err: err.text() };
    }
  }

  it('when an embedded store is copied into an empty database, then the database holds the same and the counts are shown', async () => {
    const src = new LowdbStore(join(dir, 'data'));
    await src.open();
    await src.importBatch(sampleBatch(), audit, countBilled);
    const at = new Date().toISOString();
    await src.createTicket({ publisherId: 'contoso', raisedBy: OWNER, category: 'other', severity: 'normal', offerId: null, description: 'Help', status: 'unassigned', createdAt: at, updatedAt: at });
    await src.saveConversationRef('user:owner', { conversation: { id: 'c1', tenantId: sampleBatch().publishers[0]!.tenantIds[0] } });
    await src.kvWrite({ 'state/conv/1': { value: { step: 2 } } });
    await src.enqueueOutbox([
      { idempotencyKey: 'k1', conversationKey: 'user:owner', payload: { text: 'hi' }, dueAt: at },
      { idempotencyKey: 'k2', conversationKey: 'user:owner', payload: { text: 'again' }, dueAt: at },
    ]);
    await src.claimOutbox('w1', at, 1);
    const before = await contents(src);
    await src.close();

    const url = await db.freshDatabase();
    const r = await run('copy-store', '--to', url);
    expect(r.error).to.equal(undefined);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/publishers\s+1\n/).and.match(/transactions\s+2\n/).and.match(/tickets\s+1\n/).and.match(/outbox\s+2\n/);
    expect(r.out + r.err).to.not.contain(new URL(url).password);

    const pg = new PostgresStore(url);
    await pg.open();
    try {
      expect(await contents(pg)).to.deep.equal(before);
      // The ticket sequence continues after the copied numbers.
      const next = await pg.createTicket({ publisherId: 'contoso', raisedBy: OWNER, category: 'other', severity: 'normal', offerId: null, description: 'More', status: 'unassigned', createdAt: at, updatedAt: at });
      expect(next.id).to.equal('RW-1002');
      // The item that was 'sending' in the embedded store is claimable again, the queued one too.
      expect((await pg.claimOutbox('w2', at, 10)).map((i) => i.idempotencyKey).sort()).to.deep.equal(['k1', 'k2']);
    } finally {
      await pg.close();
    }

    // A second copy into the now non-empty database is refused and changes nothing.
    const again = await run('copy-store', '--to', url);
    expect(again.error?.message).to.contain('the database is not empty');
  });

  it('when DATA_DIR holds no store or --to is not a PostgreSQL URL, then nothing is copied', async () => {
    expect((await run('copy-store', '--to', 'postgres://app:pw@127.0.0.1:1/x')).error?.message).to.contain('holds no embedded store');
    expect((await run('copy-store', '--to', 'mysql://app:pw@h/x')).error?.message).to.contain('DATABASE_URL: expected a PostgreSQL URL');
    expect((await run('copy-store')).error?.message).to.contain('copy-store needs --to');
  });
});

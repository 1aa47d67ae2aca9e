import { expect } from 'chai';
import pg from 'pg';
import { PostgresStore } from '../../src/adapters/store/postgres/postgres-store.js';
import { StoreError, type ImportBatch } from '../../src/services/ports/index.js';
import { OWNER, sampleBatch } from '../fixtures/sample.js';
import { postgresForTests } from '../fixtures/postgres.js';
import { audit, countBilled, storeContract } from './contract.js';

async function sql<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

describe('postgres store', function () {
  this.timeout(60_000);
  const db = postgresForTests();

  storeContract('postgres', async () => {
    const url = await db.freshDatabase();
    return {
      create: () => new PostgresStore(url, { poolSize: 4 }),
      // Any write of a row gives it a new xmin.
      conversationWrites: () => sql(url, 'SELECT key, xmin::text AS x FROM conversations ORDER BY key'),
      dispose: async () => undefined,
    };
  });

  describe('several instances on one database', () => {
    let url: string;
    const stores: PostgresStore[] = [];
    const instance = async (opts: { leaseMs?: number } = {}) => {
      const s = new PostgresStore(url, { poolSize: 4, ...opts });
      await s.open();
      stores.push(s);
      return s;
    };
    beforeEach(async () => {
      url = await db.freshDatabase();
    });
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
    });

    it('when two instances start together on an empty database, then both open and the schema is migrated once', async () => {
      const a = new PostgresStore(url);
      const b = new PostgresStore(url);
      stores.push(a, b);
      await Promise.all([a.open(), b.open()]);
      expect((await sql<{ name: string }>(url, 'SELECT name FROM pgmigrations')).map((r) => r.name)).to.deep.equal(['1764700000000_initial']);
      expect(await a.isEmpty()).to.equal(true);
      expect(await b.isEmpty()).to.equal(true);
    });

    it('when two instances claim at the same time, then no item is handed to both and every item is claimed once', async () => {
      const a = await instance();
      const b = await instance();
      const now = new Date().toISOString();
      const tenants = ['aaaaaaaa-2222-2222-2222-222222222222', 'bbbbbbbb-2222-2222-2222-222222222222', null];
      for (const [i, t] of tenants.entries()) if (t) await a.saveConversationRef(`user:${i}`, { conversation: { id: `c${i}`, tenantId: t } });
      const items = Array.from({ length: 300 }, (_, n) => ({ idempotencyKey: `k${n}`, conversationKey: `user:${n % 3}`, payload: { n }, dueAt: now }));
      expect(await a.enqueueOutbox(items)).to.deep.equal({ enqueued: 300, duplicates: 0 });
      const drain = async (s: PostgresStore, worker: string) => {
        const got: string[] = [];
        for (;;) {
          const batch = await s.claimOutbox(worker, now, 7, { perTenant: 3 });
          if (batch.length === 0) return got;
          expect(batch.every((i) => i.claimedBy === worker && i.status === 'sending')).to.equal(true);
          got.push(...batch.map((i) => i.idempotencyKey));
        }
      };
      const [fromA, fromB] = await Promise.all([drain(a, 'wa'), drain(b, 'wb')]);
      const inBoth = fromA.filter((k) => new Set(fromB).has(k));
      expect(inBoth).to.deep.equal([]);
      expect(new Set([...fromA, ...fromB]).size).to.equal(300);
      expect(fromA.length + fromB.length).to.equal(300);
      const rows = await a.listOutbox({ status: 'sending' });
      expect(rows).to.have.length(300);
      expect(rows.every((i) => i.attempts === 1)).to.equal(true);
    });

    it('when an instance dies holding claims, then another claims them once the lease runs out, not before', async () => {
      const dead = await instance({ leaseMs: 60_000 });
      const alive = await instance({ leaseMs: 60_000 });
      const t0 = Date.parse('2030-01-01T00:00:00.000Z');
      const at = (s: number) => new Date(t0 + s * 1000).toISOString();
      await dead.enqueueOutbox(['a', 'b', 'c'].map((k) => ({ idempotencyKey: k, conversationKey: `user:${k}`, payload: {}, dueAt: at(0) })));
      expect(await dead.claimOutbox('w-dead', at(0), 2)).to.have.length(2);
      // Before the lease runs out only the unclaimed item is free.
      expect((await alive.claimOutbox('w-alive', at(59), 10)).map((i) => i.idempotencyKey)).to.deep.equal(['c']);
      // A holder never takes its own claims again.
      expect(await dead.claimOutbox('w-dead', at(59), 10)).to.deep.equal([]);
      const back = await alive.claimOutbox('w-alive', at(61), 10);
      expect(back.map((i) => [i.idempotencyKey, i.claimedBy, i.attempts])).to.deep.equal([
        ['a', 'w-alive', 2],
        ['b', 'w-alive', 2],
      ]);
      // A new claim starts a new lease: nothing is free until those run out too.
      expect(await dead.claimOutbox('w-other', at(100), 10)).to.deep.equal([]);
      expect((await dead.claimOutbox('w-other', at(122), 10)).map((i) => i.idempotencyKey)).to.deep.equal(['a', 'b', 'c']);
    });

    it('when two instances update one publisher at the same time, then no update is lost', async () => {
      const a = await instance();
      const b = await instance();
      await a.importBatch(sampleBatch(), audit, countBilled);
      const before = (await a.getPublisher('contoso'))!.version;
      const push = (s: PostgresStore, tag: string, n: number) => s.updatePublisher('contoso', (d) => void d.state.optedOut.push(`${tag}-${n}`));
      await Promise.all(Array.from({ length: 20 }, (_, n) => [push(a, 'a', n), push(b, 'b', n)]).flat());
      const doc = (await b.getPublisher('contoso'))!;
      expect(doc.state.optedOut).to.have.length(40);
      expect(new Set(doc.state.optedOut).size).to.equal(40);
      expect(doc.version).to.equal(before + 40);
    });

    it('when two instances create tickets at the same time, then every number is distinct and every ticket is kept', async () => {
      const a = await instance();
      const b = await instance();
      await a.importBatch(sampleBatch(), audit, countBilled);
      const at = new Date().toISOString();
      const fields = { publisherId: 'contoso', raisedBy: OWNER, category: 'other' as const, severity: 'normal' as const, offerId: null, description: 'Help', status: 'unassigned' as const, assignee: null, createdAt: at, updatedAt: at, notes: [] };
      const made = await Promise.all(Array.from({ length: 10 }, () => [a.createTicket(fields), b.createTicket(fields)]).flat());
      const ids = made.map((t) => t.id);
      expect(new Set(ids).size).to.equal(20);
      expect((await a.listTickets()).map((t) => t.id).sort()).to.deep.equal([...ids].sort());
    });

    it('when two instances write dialog state with the same eTag, then exactly one write wins', async () => {
      const a = await instance();
      const b = await instance();
      const [eTag] = Object.values(await a.kvWrite({ 'state/c': { value: { step: 0 } } }));
      const results = await Promise.allSettled([a.kvWrite({ 'state/c': { value: { step: 'a' }, eTag } }), b.kvWrite({ 'state/c': { value: { step: 'b' }, eTag } })]);
      expect(results.map((r) => r.status).sort()).to.deep.equal(['fulfilled', 'rejected']);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect((lost.reason as StoreError).code).to.equal('conflict');
      const won = results.indexOf(results.find((r) => r.status === 'fulfilled')!);
      expect((await b.kvRead(['state/c']))['state/c']?.value).to.deep.equal({ step: won === 0 ? 'a' : 'b' });
    });

    it('when an import fails after some of its rows were written, then nothing of it remains', async () => {
      const s = await instance();
      await s.importBatch(sampleBatch(), audit, countBilled);
      const doc = await s.getPublisher('contoso');
      const ledger = await s.readTransactions('contoso');
      const next = bigBatch(3, 4_000);
      next.transactions.push({ id: 't1', offerId: 'contoso-saas', date: '2020-04-01', billedUsd: 5, seats: 0, status: 'billed' });
      let calls = 0;
      try {
        // Progress is reported after rows are written: failing there rolls back written rows.
        await s.importBatch(next, audit, countBilled, () => {
          if (++calls === 2) throw new Error('disk full');
        });
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as Error).message).to.equal('disk full');
      }
      expect(calls).to.equal(2);
      expect(await s.listPublisherIds()).to.deep.equal(['contoso']);
      expect(await s.getPublisher('contoso')).to.deep.equal(doc);
      expect(await s.readTransactions('contoso')).to.deep.equal(ledger);
      expect(await s.readTransactions('pub-0')).to.deep.equal([]);
      expect(await s.listStaff()).to.have.length(1);
      expect(await s.readAudit()).to.have.length(1);
      expect((await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM transactions'))[0]!.n).to.equal(2);
    });

    it('when a large import runs, then it is written in batches with progress, and totals match the ledger', async () => {
      const s = await instance();
      const batch = bigBatch(3, 4_000);
      const seen: Array<[number, number]> = [];
      const counts = await s.importBatch(batch, audit, countBilled, (done, total) => seen.push([done, total]));
      expect(counts.publishers.created).to.equal(3);
      expect(counts.transactions.created).to.equal(12_000);
      expect(seen.length).to.be.greaterThan(2);
      expect(seen.at(-1)).to.deep.equal([6, 6]);
      for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).to.be.at.least(seen[i - 1]![0]);
      for (let p = 0; p < 3; p++) {
        const d = (await s.getPublisher(`pub-${p}`))!;
        const ledger = await s.readTransactions(`pub-${p}`);
        expect(d.transactionCount).to.equal(4_000);
        expect(ledger.map((t) => t.id)).to.deep.equal(batch.transactions.filter((t) => t.offerId === `offer-${p}`).map((t) => t.id));
        expect(d.aggregates.billed).to.equal(ledger.reduce((sum, t) => sum + t.billedUsd, 0));
      }
    });

    it('when the database cannot be reached, then open fails with a message that does not show the password', async () => {
      const u = new URL(url);
      u.password = 'sekret-pw';
      u.port = '1';
      const s = new PostgresStore(u.toString());
      try {
        await s.open();
        expect.fail('should have thrown');
      } catch (err) {
        expect(err).to.be.instanceOf(StoreError);
        expect((err as Error).message).to.contain('cannot connect to PostgreSQL').and.not.contain('sekret-pw');
      }
    });
  });
});

/** `publishers` publishers with one offer each and `perPublisher` billed transactions each. */
function bigBatch(publishers: number, perPublisher: number): ImportBatch {
  const base = sampleBatch();
  const batch: ImportBatch = { publishers: [], offers: [], transactions: [], mau: [], staff: [] };
  for (let p = 0; p < publishers; p++) {
    batch.publishers.push({ ...base.publishers[0]!, id: `pub-${p}`, users: [] });
    batch.offers.push({ ...base.offers[0]!, id: `offer-${p}`, publisherId: `pub-${p}` });
    for (let n = 0; n < perPublisher; n++) {
      batch.transactions.push({ id: `tx-${p}-${n}`, offerId: `offer-${p}`, date: '2021-01-01', billedUsd: (n % 7) + 1, seats: 0, status: 'billed' });
    }
  }
  return batch;
}

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import { StoreBotStorage } from '../../src/adapters/store/bot-storage.js';
import { StoreError, type AggregateReducer } from '../../src/adapters/store/store.js';
import { OWNER, TENANT, STAFF, sampleBatch } from '../fixtures/sample.js';

const countBilled: AggregateReducer = (doc, changes) => {
  const v = (t: { status: string; billedUsd: number } | undefined) => (t && t.status === 'billed' ? t.billedUsd : 0);
  for (const { before, after } of changes) doc.aggregates.billed = Number(doc.aggregates.billed ?? 0) - v(before) + v(after);
};
const audit = { at: new Date().toISOString(), actor: 'test', action: 'import', details: {} };

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'rewards-store-'));
}

describe('lowdb store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when data is imported and the store reopened, then everything is read back from disk', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    const counts = await a.importBatch(sampleBatch(), audit, countBilled);
    expect(counts.publishers.created).to.equal(1);
    expect(counts.transactions.created).to.equal(2);
    await a.updatePublisher('contoso', (d) => {
      d.state.optedOut.push('contoso-saas');
    });
    await a.saveConversationRef('user/x', { conversation: { id: 'c1' } });
    await a.close();

    const b = new LowdbStore(dir);
    await b.open();
    const doc = await b.getPublisher('contoso');
    expect(doc?.offers.map((o) => o.id)).to.deep.equal(['contoso-saas']);
    expect(doc?.state.optedOut).to.deep.equal(['contoso-saas']);
    expect(doc?.aggregates.billed).to.equal(1000);
    expect(doc?.transactionCount).to.equal(2);
    expect((await b.readTransactions('contoso')).map((t) => t.id).sort()).to.deep.equal(['t1', 't2']);
    expect((await b.getConversationRef('user/x'))?.reference).to.deep.equal({ conversation: { id: 'c1' } });
    expect(await b.resolveIdentity(TENANT, OWNER)).to.include({ kind: 'publisher', publisherId: 'contoso' });
    expect((await b.resolveIdentity(TENANT, STAFF))?.kind).to.equal('staff');
    expect(await b.resolveIdentity(TENANT, '99999999-0000-0000-0000-000000000000')).to.equal(undefined);
    expect((await b.readAudit()).map((e) => e.action)).to.deep.equal(['import']);
    await b.close();
  });

  it('when the same ids are imported again, then they are updated and totals follow the new values', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    await s.importBatch(sampleBatch(), audit, countBilled);
    const again = sampleBatch();
    again.transactions[0]!.billedUsd = 250;
    again.transactions[1]!.status = 'billed';
    again.publishers[0]!.name = 'Contoso Ltd';
    const counts = await s.importBatch(again, audit, countBilled);
    expect(counts.publishers).to.deep.equal({ created: 0, updated: 1 });
    expect(counts.transactions).to.deep.equal({ created: 0, updated: 2 });
    const doc = await s.getPublisher('contoso');
    expect(doc?.publisher.name).to.equal('Contoso Ltd');
    expect(doc?.aggregates.billed).to.equal(750);
    expect(doc?.transactionCount).to.equal(2);
    expect((await s.readTransactions('contoso')).find((t) => t.id === 't1')?.billedUsd).to.equal(250);
    await s.close();
  });

  it('when an import references an unknown offer, then it is refused and nothing is written', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    const bad = sampleBatch();
    bad.transactions.push({ id: 't3', offerId: 'nope', date: '2020-01-01', billedUsd: 1, seats: 0, status: 'billed' });
    try {
      await s.importBatch(bad, audit, countBilled);
      expect.fail('should have thrown');
    } catch (err) {
      expect(err).to.be.instanceOf(StoreError);
      expect((err as Error).message).to.contain('transactions[2]').and.contain('nope');
      // The row, so an import can say where it is in its file (a CSV line, a JSON line and column).
      expect((err as StoreError).row).to.deep.include({ collection: 'transactions', index: 2, field: 'offerId' });
    }
    expect(await s.listPublisherIds()).to.deep.equal([]);
    expect(await readdir(join(dir, 'publishers'))).to.deep.equal([]);
    await s.close();
  });

  it('when a reader changes a publisher document it was given, then it throws and the stored document is unchanged', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    const batch = sampleBatch();
    await s.importBatch(batch, audit, countBilled);
    const doc = (await s.getPublisher('contoso'))!;
    const before = JSON.stringify(doc);
    expect(() => {
      doc.publisher.name = 'Hacked';
    }).to.throw(TypeError);
    expect(() => doc.state.optedOut.push('contoso-saas')).to.throw(TypeError);
    expect(() => {
      (doc.aggregates as Record<string, unknown>).billed = 0;
    }).to.throw(TypeError);
    expect(JSON.stringify(await s.getPublisher('contoso'))).to.equal(before);
    // What callers handed to the store stays theirs to change.
    batch.publishers[0]!.name = 'Still mine';
    batch.offers[0]!.name = 'Mine too';
    expect((await s.getPublisher('contoso'))!.publisher.name).to.not.equal('Still mine');
    let kept: unknown;
    await s.updatePublisher('contoso', (d) => {
      kept = d.state;
      d.state = { ...d.state, optedOut: ['contoso-saas'] };
    });
    expect(Object.isFrozen(kept)).to.equal(false);
    // A document read before an update is a snapshot: it does not change under its reader.
    expect(JSON.stringify(doc)).to.equal(before);
    expect((await s.getPublisher('contoso'))!.state.optedOut).to.deep.equal(['contoso-saas']);
    await s.close();

    const reopened = new LowdbStore(dir);
    await reopened.open();
    expect(Object.isFrozen((await reopened.getPublisher('contoso'))!.state.optedOut)).to.equal(true);
    await reopened.close();
  });

  it('when a change throws, then the publisher document is unchanged', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    await s.importBatch(sampleBatch(), audit, countBilled);
    const before = await s.getPublisher('contoso');
    try {
      await s.updatePublisher('contoso', (d) => {
        d.state.optedOut.push('contoso-saas');
        throw new Error('rule broken');
      });
    } catch {
      /* expected */
    }
    expect(await s.getPublisher('contoso')).to.deep.equal(before);
    await s.close();
  });

  it('when a second process opens a store in use, then it is refused', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    await writeFile(join(dir, '.lock'), '1'); // pid 1 is always alive
    const b = new LowdbStore(dir);
    try {
      await b.open();
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as StoreError).code).to.equal('locked');
    }
    await rm(join(dir, '.lock'));
    await a.close();
  });

  for (const [name, content] of [
    ['truncated', (t: string) => t.slice(0, Math.floor(t.length / 2))],
    ['not JSON', () => '\u0000\u0000garbage'],
    ['schema-invalid', (t: string) => t.replace('"transact"', '"barter"')],
  ] as const) {
    it(`when a publisher file is ${name}, then opening stops with a clear message and the file is left untouched`, async () => {
      const a = new LowdbStore(dir);
      await a.open();
      await a.importBatch(sampleBatch(), audit, countBilled);
      await a.close();
      const file = join(dir, 'publishers', 'contoso.json');
      const bad = content(await readFile(file, 'utf8'));
      await writeFile(file, bad);
      const b = new LowdbStore(dir);
      try {
        await b.open();
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('corrupt');
        expect((err as Error).message).to.contain('contoso.json').and.contain('left untouched');
      }
      expect(await readFile(file, 'utf8')).to.equal(bad);
    });
  }

  it('when a folder that is not a store is given, then it is refused and not written', async () => {
    await writeFile(join(dir, 'notes.txt'), 'hello');
    try {
      await new LowdbStore(dir).open();
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as StoreError).code).to.equal('corrupt');
    }
    expect(await readdir(dir)).to.deep.equal(['notes.txt']);
  });

  it('when an import crashed after its journal was written, then opening replays it and marks totals stale', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    await a.close();
    const batch = sampleBatch();
    await writeFile(join(dir, 'import-journal.json'), JSON.stringify({ batch, audit }));
    const b = new LowdbStore(dir);
    await b.open();
    const doc = await b.getPublisher('contoso');
    expect(doc?.offers).to.have.length(1);
    expect(doc?.aggregates.stale).to.equal(true);
    expect(await readdir(dir)).to.not.include('import-journal.json');
    await b.close();
  });

  it('when an unchanged conversation reference is saved again, then nothing is rewritten', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    await s.saveConversationRef('user:t:a', { conversation: { id: 'c1' } });
    const files = await readdir(join(dir, 'kv'));
    const inodes = async () => Promise.all(files.map(async (f) => (await stat(join(dir, 'kv', f))).ino));
    const before = await inodes();
    await s.saveConversationRef('user:t:a', { conversation: { id: 'c1' } });
    expect(await inodes()).to.deep.equal(before);
    await s.saveConversationRef('user:t:a', { conversation: { id: 'c2' } });
    expect(await inodes()).to.not.deep.equal(before);
    // Stored as JSON: fields holding undefined are dropped, and do not count as a change.
    await s.saveConversationRef('user:t:b', { conversation: { id: 'c3', name: undefined }, locale: undefined });
    expect((await s.getConversationRef('user:t:b'))?.reference).to.deep.equal({ conversation: { id: 'c3' } });
    const afterB = await inodes();
    expect(await s.saveConversationRef('user:t:b', { locale: undefined, conversation: { id: 'c3' } })).to.deep.equal({ created: false });
    expect(await inodes()).to.deep.equal(afterB);
    await s.close();
  });

  it('when outbox items are enqueued twice, claimed and completed, then keys dedupe and state survives a restart', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    const now = new Date().toISOString();
    const item = (k: string) => ({ idempotencyKey: k, conversationKey: `user:${k}`, payload: { text: k }, dueAt: now });
    expect(await a.enqueueOutbox([item('a'), item('b'), item('a')])).to.deep.equal({ enqueued: 2, duplicates: 1 });
    expect(await a.enqueueOutbox([item('b'), item('c')])).to.deep.equal({ enqueued: 1, duplicates: 1 });
    const claimed = await a.claimOutbox('w1', now, 2);
    expect(claimed).to.have.length(2);
    expect(await a.claimOutbox('w1', now, 10)).to.have.length(1); // the third only: no double claim
    await a.completeOutbox(claimed[0]!.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: now });
    await a.close();
    const b = new LowdbStore(dir);
    await b.open();
    expect((await b.listOutbox({ status: 'sent' })).map((i) => i.idempotencyKey)).to.deep.equal([claimed[0]!.idempotencyKey]);
    // Items a crashed worker left 'sending' are claimed again by the next worker, with the attempt counted.
    const again = await b.claimOutbox('w2', now, 10);
    expect(again.map((i) => i.attempts).sort()).to.deep.equal([2, 2]);
    expect(await b.enqueueOutbox([item('a')])).to.deep.equal({ enqueued: 0, duplicates: 1 });
    await b.close();
  });

  it('when claims are released, then only the releasing worker’s unsent items go back as they were, and that survives a restart', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    const now = new Date().toISOString();
    const item = (k: string) => ({ idempotencyKey: k, conversationKey: `user:${k}`, payload: { text: k }, dueAt: now });
    await a.enqueueOutbox([item('a'), item('b'), item('c')]);
    const mine = await a.claimOutbox('w1', now, 2);
    await a.completeOutbox(mine[1]!.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: now });
    // Another worker id cannot give back w1's claim; w1 gives back only what is still 'sending'.
    expect(await a.releaseOutbox('w2', [mine[0]!.id])).to.equal(0);
    expect(await a.releaseOutbox('w1', [mine[0]!.id, mine[1]!.id, 'no-such-id'])).to.equal(1);
    await a.close();
    const b = new LowdbStore(dir);
    await b.open();
    const byKey = Object.fromEntries((await b.listOutbox()).map((i) => [i.idempotencyKey, i]));
    expect(byKey[mine[0]!.idempotencyKey]).to.include({ status: 'queued', attempts: 0, claimedBy: null, dueAt: now });
    expect(byKey[mine[1]!.idempotencyKey]).to.include({ status: 'sent', attempts: 1 });
    expect(byKey.c).to.include({ status: 'queued', attempts: 0 });
    await b.close();
  });

  it('when tickets are created, then numbers are sequential, survive a restart and are never reused', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    await a.importBatch(sampleBatch(), audit, countBilled);
    const at = new Date().toISOString();
    const fields = { publisherId: 'contoso', raisedBy: OWNER, category: 'other' as const, severity: 'normal' as const, offerId: null, description: 'Help', status: 'unassigned' as const, assignee: null, createdAt: at, updatedAt: at, notes: [] };
    const t1 = await a.createTicket(fields);
    const t2 = await a.createTicket({ ...fields, severity: 'urgent' });
    expect([t1.id, t2.id]).to.deep.equal(['RW-1001', 'RW-1002']);
    await a.updateTicket('RW-1001', (t) => void (t.status = 'assigned'));
    try {
      await a.updateTicket('RW-1002', (t) => {
        t.status = 'resolved';
        throw new Error('refused');
      });
    } catch {
      /* expected */
    }
    await a.close();
    const b = new LowdbStore(dir);
    await b.open();
    expect((await b.getTicket('RW-1001'))?.status).to.equal('assigned');
    expect((await b.getTicket('RW-1002'))?.status).to.equal('unassigned');
    expect((await b.listTickets({ status: ['unassigned'] })).map((t) => t.id)).to.deep.equal(['RW-1002']);
    expect((await b.listTickets({ publisherId: 'contoso' })).map((t) => t.id)).to.deep.equal(['RW-1001', 'RW-1002']);
    expect((await b.createTicket(fields)).id).to.equal('RW-1003');
    await b.close();
  });

  it('when botbuilder state is written with a stale eTag, then the write is refused and nothing changes', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    const storage = new StoreBotStorage(s);
    await storage.write({ 'conv/1': { step: 1 } });
    const first = await storage.read(['conv/1']);
    const eTag = first['conv/1'].eTag as string;
    await storage.write({ 'conv/1': { step: 2, eTag } });
    try {
      await storage.write({ 'conv/1': { step: 3, eTag } });
      expect.fail('should have thrown');
    } catch (err) {
      expect((err as StoreError).code).to.equal('conflict');
    }
    expect((await storage.read(['conv/1']))['conv/1'].step).to.equal(2);
    await storage.delete(['conv/1']);
    expect(await storage.read(['conv/1'])).to.deep.equal({});
    await s.close();
  });

  it('when a writer is killed with SIGKILL at random moments, then the store loads and holds every acknowledged write', async function () {
    this.timeout(120_000);
    const setup = new LowdbStore(dir);
    await setup.open();
    await setup.importBatch(sampleBatch(), audit, countBilled);
    await setup.close();
    const acked = { doc: new Set<number>(), audit: new Set<number>(), kv: new Map<string, number>() };
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', join(import.meta.dirname, '../fixtures/store-writer.ts'), dir, String(round * 1_000_000)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let buf = '';
      let acksThisRound = 0;
      const killAfter = 20 + Math.floor(Math.random() * 200);
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          buf += chunk.toString();
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const [word, kind, n] = line.split(' ');
            if (word !== 'ack') continue;
            acksThisRound++;
            if (kind === 'doc') acked.doc.add(Number(n));
            if (kind === 'audit') acked.audit.add(Number(n));
            if (kind === 'kv') acked.kv.set(`state/k${Number(n) % 100}`, Number(n));
            if (acksThisRound === killAfter) child.kill('SIGKILL');
          }
        });
        child.on('exit', () => resolve());
      });
      const check = new LowdbStore(dir);
      await check.open();
      const doc = await check.getPublisher('contoso');
      const opted = new Set(doc!.state.optedOut.map((o) => Number(o.slice(1))));
      for (const n of acked.doc) expect(opted.has(n), `acknowledged doc write ${n} lost`).to.equal(true);
      const audits = new Set((await check.readAudit()).filter((e) => e.action === 'tick').map((e) => e.details.n as number));
      for (const n of acked.audit) expect(audits.has(n), `acknowledged audit entry ${n} lost`).to.equal(true);
      const kv = await check.kvRead([...acked.kv.keys()]);
      for (const [k, n] of acked.kv) expect((kv[k]?.value as { n: number }).n).to.be.at.least(n);
      await check.close();
    }
  });
});

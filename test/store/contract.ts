/**
 * What every store backend promises, run once per backend (lowdb-store.test.ts,
 * postgres-store.test.ts). A backend gives fresh, empty storage per test and new instances on it
 * (a restart is closing one instance and opening another).
 */
import { expect } from 'chai';
import { StoreBotStorage } from '../../src/adapters/store/bot-storage.js';
import { StoreError, type AggregateReducer, type Store } from '../../src/services/ports/index.js';
import { OWNER, TENANT, STAFF, sampleBatch } from '../fixtures/sample.js';

export interface StoreBackend {
  /** A new, unopened instance on this test's storage. */
  create(): Store;
  /** A value that changes whenever a conversation reference is written (files, rows). */
  conversationWrites(): Promise<unknown>;
  dispose(): Promise<void>;
}

export const countBilled: AggregateReducer = (doc, changes) => {
  const v = (t: { status: string; billedUsd: number } | undefined) => (t && t.status === 'billed' ? t.billedUsd : 0);
  for (const { before, after } of changes) doc.aggregates.billed = Number(doc.aggregates.billed ?? 0) - v(before) + v(after);
};
export const audit = { at: new Date().toISOString(), actor: 'test', action: 'import', details: {} };

export function storeContract(name: string, backend: () => Promise<StoreBackend>): void {
  describe(`${name}: store contract`, () => {
    let b: StoreBackend;
    const opened: Store[] = [];
    /** A new instance, opened; closed after the test if the test did not. */
    const open = async () => {
      const s = b.create();
      await s.open();
      opened.push(s);
      return s;
    };
    beforeEach(async () => {
      b = await backend();
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close();
      await b.dispose();
    });

    it('when data is imported and the store reopened, then everything is read back', async () => {
      const a = await open();
      const counts = await a.importBatch(sampleBatch(), audit, countBilled);
      expect(counts.publishers.created).to.equal(1);
      expect(counts.transactions.created).to.equal(2);
      await a.updatePublisher('contoso', (d) => {
        d.state.optedOut.push('contoso-saas');
      });
      await a.saveConversationRef('user/x', { conversation: { id: 'c1' } });
      await a.close();

      const s = await open();
      const doc = await s.getPublisher('contoso');
      expect(doc?.offers.map((o) => o.id)).to.deep.equal(['contoso-saas']);
      expect(doc?.state.optedOut).to.deep.equal(['contoso-saas']);
      expect(doc?.aggregates.billed).to.equal(1000);
      expect(doc?.transactionCount).to.equal(2);
      expect(doc?.version).to.equal(2);
      expect((await s.readTransactions('contoso')).map((t) => t.id)).to.deep.equal(['t1', 't2']);
      expect((await s.getConversationRef('user/x'))?.reference).to.deep.equal({ conversation: { id: 'c1' } });
      expect(await s.resolveIdentity(TENANT, OWNER)).to.include({ kind: 'publisher', publisherId: 'contoso' });
      expect(await s.resolveIdentity(TENANT.toUpperCase(), OWNER.toUpperCase())).to.include({ kind: 'publisher', publisherId: 'contoso' });
      expect((await s.resolveIdentity(TENANT, STAFF))?.kind).to.equal('staff');
      expect(await s.resolveIdentity(TENANT, '99999999-0000-0000-0000-000000000000')).to.equal(undefined);
      expect(await s.publisherOfOffer('contoso-saas')).to.equal('contoso');
      expect(await s.publisherOfOffer('nope')).to.equal(undefined);
      expect((await s.listStaff()).map((x) => x.aadObjectId)).to.deep.equal([STAFF]);
      expect(await s.listPublisherIds()).to.deep.equal(['contoso']);
      expect(await s.health()).to.deep.equal({ ok: true, publishers: 1 });
      expect(await s.isEmpty()).to.equal(false);
      expect((await s.readAudit()).map((e) => e.action)).to.deep.equal(['import']);
      expect((await s.readAudit()).at(0)?.details.counts).to.deep.include({ transactions: { created: 2, updated: 0 } });
    });

    it('when the same ids are imported again, then they are updated and totals follow the new values', async () => {
      const s = await open();
      await s.importBatch(sampleBatch(), audit, countBilled);
      const again = sampleBatch();
      again.transactions[0]!.billedUsd = 250;
      again.transactions[1]!.status = 'billed';
      again.publishers[0]!.name = 'Contoso Ltd';
      const counts = await s.importBatch(again, audit, countBilled);
      expect(counts.publishers).to.deep.equal({ created: 0, updated: 1 });
      expect(counts.transactions).to.deep.equal({ created: 0, updated: 2 });
      expect(counts.staff).to.deep.equal({ created: 0, updated: 1 });
      const doc = await s.getPublisher('contoso');
      expect(doc?.publisher.name).to.equal('Contoso Ltd');
      expect(doc?.aggregates.billed).to.equal(750);
      expect(doc?.transactionCount).to.equal(2);
      expect((await s.readTransactions('contoso')).find((t) => t.id === 't1')?.billedUsd).to.equal(250);
      expect(await s.listStaff()).to.have.length(1);
    });

    it('when an unchanged batch is imported again, then the totals are not counted twice', async () => {
      const s = await open();
      await s.importBatch(sampleBatch(), audit, countBilled);
      await s.importBatch(sampleBatch(), audit, countBilled);
      expect((await s.getPublisher('contoso'))?.aggregates.billed).to.equal(1000);
      expect((await s.getPublisher('contoso'))?.transactionCount).to.equal(2);
    });

    it('when an import references an unknown offer, then it is refused and nothing is written', async () => {
      const s = await open();
      const bad = sampleBatch();
      bad.transactions.push({ id: 't3', offerId: 'nope', date: '2020-01-01', billedUsd: 1, seats: 0, status: 'billed' });
      try {
        await s.importBatch(bad, audit, countBilled);
        expect.fail('should have thrown');
      } catch (err) {
        expect(err).to.be.instanceOf(StoreError);
        expect((err as StoreError).code).to.equal('invalid');
        expect((err as Error).message).to.contain('transactions[2]').and.contain('nope');
        // The row, so an import can say where it is in its file (a CSV line, a JSON line and column).
        expect((err as StoreError).row).to.deep.include({ collection: 'transactions', index: 2, field: 'offerId' });
      }
      expect(await s.listPublisherIds()).to.deep.equal([]);
      expect(await s.isEmpty()).to.equal(true);
      expect(await s.readAudit()).to.deep.equal([]);
    });

    it('when an import moves an offer to another publisher, then it is refused', async () => {
      const s = await open();
      await s.importBatch(sampleBatch(), audit, countBilled);
      const other = sampleBatch();
      other.publishers[0]!.id = 'fabrikam';
      other.offers[0]!.publisherId = 'fabrikam';
      other.transactions = [];
      other.staff = [];
      try {
        await s.importBatch(other, audit, countBilled);
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as Error).message).to.contain('offers[0]').and.contain('already belongs to publisher contoso');
      }
      expect(await s.listPublisherIds()).to.deep.equal(['contoso']);
    });

    it('when a reader changes a publisher document it was given, then it throws and the stored document is unchanged', async () => {
      const s = await open();
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

      const reopened = await open();
      expect(Object.isFrozen((await reopened.getPublisher('contoso'))!.state.optedOut)).to.equal(true);
    });

    it('when a change throws or breaks the schema, then the publisher document is unchanged', async () => {
      const s = await open();
      await s.importBatch(sampleBatch(), audit, countBilled);
      const before = await s.getPublisher('contoso');
      try {
        await s.updatePublisher('contoso', (d) => {
          d.state.optedOut.push('contoso-saas');
          throw new Error('rule broken');
        });
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as Error).message).to.equal('rule broken');
      }
      try {
        await s.updatePublisher('contoso', (d) => {
          d.state.optedOut.push('not an id!');
        });
        expect.fail('should have thrown');
      } catch (err) {
        expect(err).to.not.be.instanceOf(StoreError);
      }
      expect(await s.getPublisher('contoso')).to.deep.equal(before);
      try {
        await s.updatePublisher('nobody', () => undefined);
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('not_found');
      }
    });

    it('when a publisher’s users and offers change, then identities and offer owners follow', async () => {
      const s = await open();
      await s.importBatch(sampleBatch(), audit, countBilled);
      await s.updatePublisher('contoso', (d) => {
        d.publisher.users = d.publisher.users.filter((u) => u.aadObjectId !== OWNER);
      });
      expect(await s.resolveIdentity(TENANT, OWNER)).to.equal(undefined);
      const next = sampleBatch();
      next.offers.push({ ...next.offers[0]!, id: 'contoso-vm', offerType: 'azure_vm' });
      await s.importBatch(next, audit, countBilled);
      expect(await s.resolveIdentity(TENANT, OWNER)).to.include({ publisherId: 'contoso' });
      expect(await s.publisherOfOffer('contoso-vm')).to.equal('contoso');
    });

    it('when an unchanged conversation reference is saved again, then nothing is rewritten', async () => {
      const s = await open();
      expect(await s.saveConversationRef('user:t:a', { conversation: { id: 'c1' } })).to.deep.equal({ created: true });
      const before = await b.conversationWrites();
      expect(await s.saveConversationRef('user:t:a', { conversation: { id: 'c1' } })).to.deep.equal({ created: false });
      expect(await b.conversationWrites()).to.deep.equal(before);
      expect(await s.saveConversationRef('user:t:a', { conversation: { id: 'c2' } })).to.deep.equal({ created: false });
      expect(await b.conversationWrites()).to.not.deep.equal(before);
      expect((await s.getConversationRef('user:t:a'))?.reference).to.deep.equal({ conversation: { id: 'c2' } });
      // Stored as JSON: fields holding undefined are dropped, and do not count as a change.
      await s.saveConversationRef('user:t:b', { conversation: { id: 'c3', name: undefined }, locale: undefined });
      expect((await s.getConversationRef('user:t:b'))?.reference).to.deep.equal({ conversation: { id: 'c3' } });
      const afterB = await b.conversationWrites();
      expect(await s.saveConversationRef('user:t:b', { locale: undefined, conversation: { id: 'c3' } })).to.deep.equal({ created: false });
      expect(await b.conversationWrites()).to.deep.equal(afterB);
      expect(await s.getConversationRef('user:t:none')).to.equal(undefined);
    });

    it('when outbox items are enqueued twice, claimed and completed, then keys dedupe and state survives a restart', async () => {
      const a = await open();
      const now = new Date().toISOString();
      const item = (k: string) => ({ idempotencyKey: k, conversationKey: `user:${k}`, payload: { text: k }, dueAt: now });
      expect(await a.enqueueOutbox([item('a'), item('b'), item('a')])).to.deep.equal({ enqueued: 2, duplicates: 1 });
      expect(await a.enqueueOutbox([item('b'), item('c')])).to.deep.equal({ enqueued: 1, duplicates: 1 });
      const claimed = await a.claimOutbox('w1', now, 2);
      expect(claimed.map((i) => i.idempotencyKey)).to.deep.equal(['a', 'b']); // oldest first
      expect(claimed[0]).to.include({ status: 'sending', claimedBy: 'w1', attempts: 1 });
      expect(await a.claimOutbox('w1', now, 10)).to.have.length(1); // the third only: no double claim
      await a.completeOutbox(claimed[0]!.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: now, activityId: 'act-1' });
      await a.close();
      const s = await open();
      const sent = await s.listOutbox({ status: 'sent' });
      expect(sent.map((i) => i.idempotencyKey)).to.deep.equal(['a']);
      expect(sent[0]).to.include({ activityId: 'act-1', lastStatus: 200, dueAt: now, payload: sent[0]!.payload });
      expect((await s.findOutbox('a'))?.payload).to.deep.equal({ text: 'a' });
      expect(await s.findOutbox('zzz')).to.equal(undefined);
      // Items a dead worker left 'sending' are claimed again by another worker (at the latest once
      // a claim's lease has run out), with the attempt counted.
      const later = new Date(Date.parse(now) + 24 * 3600_000).toISOString();
      const again = await s.claimOutbox('w2', later, 10);
      expect(again.map((i) => i.attempts).sort()).to.deep.equal([2, 2]);
      expect(await s.enqueueOutbox([item('a')])).to.deep.equal({ enqueued: 0, duplicates: 1 });
      try {
        await s.completeOutbox('no-such-id', { status: 'sent', lastStatus: 200, lastError: null, dueAt: now });
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('not_found');
      }
    });

    it('when an item is due later or queued again for a retry, then it is claimed only once due', async () => {
      const s = await open();
      const now = '2030-01-01T00:00:00.000Z';
      const soon = '2030-01-01T00:00:05.000Z';
      await s.enqueueOutbox([{ idempotencyKey: 'later', conversationKey: 'user:x', payload: {}, dueAt: soon }]);
      expect(await s.claimOutbox('w1', now, 10)).to.deep.equal([]);
      const [it] = await s.claimOutbox('w1', soon, 10);
      await s.completeOutbox(it!.id, { status: 'queued', lastStatus: 429, lastError: 'throttled', dueAt: '2030-01-01T00:00:09.000Z' });
      expect(await s.findOutbox('later')).to.include({ status: 'queued', claimedBy: null, attempts: 1, lastStatus: 429 });
      expect(await s.claimOutbox('w1', '2030-01-01T00:00:08.000Z', 10)).to.deep.equal([]);
      expect((await s.claimOutbox('w1', '2030-01-01T00:00:09.000Z', 10)).map((i) => i.attempts)).to.deep.equal([2]);
    });

    it('when claims are capped per tenant and some tenants are skipped, then the others are shared out oldest first', async () => {
      const s = await open();
      const now = new Date().toISOString();
      const A = 'aaaaaaaa-1111-1111-1111-111111111111';
      const B = 'bbbbbbbb-1111-1111-1111-111111111111';
      await s.saveConversationRef('user:a', { conversation: { id: 'ca', tenantId: A } });
      await s.saveConversationRef('user:b', { conversation: { id: 'cb', tenantId: B } });
      const item = (k: string, conv: string) => ({ idempotencyKey: k, conversationKey: conv, payload: {}, dueAt: now });
      await s.enqueueOutbox([item('a1', 'user:a'), item('a2', 'user:a'), item('b1', 'user:b'), item('a3', 'user:a'), item('n1', 'user:none'), item('b2', 'user:b'), item('n2', 'user:none')]);
      expect((await s.findOutbox('a1'))?.tenantId).to.equal(A);
      expect((await s.findOutbox('n1'))?.tenantId).to.equal(null);
      const first = await s.claimOutbox('w1', now, 10, { perTenant: 2, skipTenants: [B] });
      expect(first.map((i) => i.idempotencyKey)).to.deep.equal(['a1', 'a2', 'n1', 'n2']);
      const second = await s.claimOutbox('w1', now, 2, { perTenant: 1 });
      expect(second.map((i) => i.idempotencyKey)).to.deep.equal(['b1', 'a3']);
      expect((await s.claimOutbox('w1', now, 10)).map((i) => i.idempotencyKey)).to.deep.equal(['b2']);
    });

    it('when claims are released, then only the releasing worker’s unsent items go back as they were, and that survives a restart', async () => {
      const a = await open();
      const now = new Date().toISOString();
      const item = (k: string) => ({ idempotencyKey: k, conversationKey: `user:${k}`, payload: { text: k }, dueAt: now });
      await a.enqueueOutbox([item('a'), item('b'), item('c')]);
      const mine = await a.claimOutbox('w1', now, 2);
      await a.completeOutbox(mine[1]!.id, { status: 'sent', lastStatus: 200, lastError: null, dueAt: now });
      // Another worker id cannot give back w1's claim; w1 gives back only what is still 'sending'.
      expect(await a.releaseOutbox('w2', [mine[0]!.id])).to.equal(0);
      expect(await a.releaseOutbox('w1', [mine[0]!.id, mine[1]!.id, 'no-such-id'])).to.equal(1);
      await a.close();
      const s = await open();
      const byKey = Object.fromEntries((await s.listOutbox()).map((i) => [i.idempotencyKey, i]));
      expect(byKey[mine[0]!.idempotencyKey]).to.include({ status: 'queued', attempts: 0, claimedBy: null, dueAt: now });
      expect(byKey[mine[1]!.idempotencyKey]).to.include({ status: 'sent', attempts: 1 });
      expect(byKey.c).to.include({ status: 'queued', attempts: 0 });
      expect((await s.claimOutbox('w3', now, 10)).map((i) => i.idempotencyKey)).to.deep.equal(['a', 'c']);
    });

    it('when tickets are created, then numbers are sequential, survive a restart and are never reused', async () => {
      const a = await open();
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
      try {
        await a.createTicket({ ...fields, publisherId: 'nobody' });
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('not_found');
      }
      await a.close();
      const s = await open();
      expect((await s.getTicket('RW-1001'))?.status).to.equal('assigned');
      expect((await s.getTicket('RW-1002'))?.status).to.equal('unassigned');
      expect(await s.getTicket('RW-9999')).to.equal(undefined);
      expect((await s.listTickets({ status: ['unassigned'] })).map((t) => t.id)).to.deep.equal(['RW-1002']);
      expect((await s.listTickets({ publisherId: 'contoso' })).map((t) => t.id)).to.deep.equal(['RW-1001', 'RW-1002']);
      expect((await s.getPublisher('contoso'))?.tickets.map((t) => t.id)).to.deep.equal(['RW-1001', 'RW-1002']);
      expect((await s.createTicket(fields)).id).to.equal('RW-1003');
      try {
        await s.updateTicket('RW-1003', (t) => void (t.publisherId = 'fabrikam'));
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('invalid');
      }
      try {
        await s.updateTicket('RW-9999', () => undefined);
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('not_found');
      }
    });

    it('when botbuilder state is written with a stale eTag, then the write is refused and nothing changes', async () => {
      const s = await open();
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
      // A conflict on one key of a write changes none of its keys.
      try {
        await s.kvWrite({ 'state/conv/2': { value: { n: 1 } }, 'state/conv/1': { value: { step: 9 }, eTag: 'stale' } });
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('conflict');
      }
      expect(await s.kvRead(['state/conv/2'])).to.deep.equal({});
      expect((await storage.read(['conv/1']))['conv/1'].step).to.equal(2);
      await storage.write({ 'conv/1': { step: 4, eTag: '*' } });
      expect((await storage.read(['conv/1']))['conv/1'].step).to.equal(4);
      await storage.delete(['conv/1']);
      expect(await storage.read(['conv/1'])).to.deep.equal({});
    });

    it('when audit entries are appended, then they are read back in order, by publisher and the last few', async () => {
      const s = await open();
      const at = new Date().toISOString();
      await s.appendAudit([
        { at, actor: 'a', action: 'one', publisherId: 'p1' },
        { at, actor: 'a', action: 'two', publisherId: 'p2' },
        { at, actor: 'a', action: 'three', publisherId: 'p1', details: { x: 1 } },
      ]);
      expect((await s.readAudit()).map((e) => e.action)).to.deep.equal(['one', 'two', 'three']);
      expect((await s.readAudit({ publisherId: 'p1' })).map((e) => e.action)).to.deep.equal(['one', 'three']);
      expect((await s.readAudit({ limit: 2 })).map((e) => e.action)).to.deep.equal(['two', 'three']);
      expect((await s.readAudit({ publisherId: 'p1', limit: 1 }))[0]).to.deep.include({ action: 'three', details: { x: 1 } });
    });

    it('when the store is closed, then writes are refused', async () => {
      const s = await open();
      await s.close();
      try {
        await s.updatePublisher('contoso', () => undefined);
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as StoreError).code).to.equal('closed');
      }
    });
  });
}

import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import type { StoreError } from '../../src/services/ports/index.js';
import { sampleBatch } from '../fixtures/sample.js';
import { audit, countBilled, storeContract } from './contract.js';

async function tempDir() {
  return mkdtemp(join(tmpdir(), 'rewards-store-'));
}

storeContract('lowdb', async () => {
  const dir = await tempDir();
  return {
    create: () => new LowdbStore(dir),
    // Every write replaces a shard file: its inode changes.
    conversationWrites: async () => {
      const files = (await readdir(join(dir, 'kv'))).sort();
      return Promise.all(files.map(async (f) => (await stat(join(dir, 'kv', f))).ino));
    },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('lowdb store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when an import is refused, then no publisher file is written', async () => {
    const s = new LowdbStore(dir);
    await s.open();
    const bad = sampleBatch();
    bad.transactions.push({ id: 't3', offerId: 'nope', date: '2020-01-01', billedUsd: 1, seats: 0, status: 'billed' });
    await s.importBatch(bad, audit, countBilled).catch(() => undefined);
    expect(await readdir(join(dir, 'publishers'))).to.deep.equal([]);
    await s.close();
  });

  it('when a process restarts, then the items its predecessor left sending are claimed again at once (one process per store)', async () => {
    const a = new LowdbStore(dir);
    await a.open();
    const now = new Date().toISOString();
    await a.enqueueOutbox([{ idempotencyKey: 'a', conversationKey: 'user:a', payload: {}, dueAt: now }]);
    expect(await a.claimOutbox('w1', now, 10)).to.have.length(1);
    expect(await a.claimOutbox('w1', now, 10)).to.have.length(0); // its own claim, still in flight
    await a.close();
    const b = new LowdbStore(dir);
    await b.open();
    expect((await b.claimOutbox('w2', now, 10)).map((i) => i.attempts)).to.deep.equal([2]);
    await b.close();
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

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { runCli } from '../../src/adapters/cli/rewards.js';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import { sampleBatch } from '../fixtures/sample.js';

async function run(dir: string, ...argv: string[]) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (c: Buffer) => (text += c.toString()));
  const code = await runCli(argv, out, new PassThrough(), { DATA_DIR: join(dir, 'data'), NODE_ENV: 'test' });
  return { code, text };
}

describe('rewards evaluate / mark-transaction / recompute (CLI)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-eval-'));
    const b = sampleBatch();
    // $24,999.99 counted + $5,000 fraud: one cent below tier 2.
    b.transactions = [
      { id: 't1', offerId: 'contoso-saas', date: '2020-04-01', billedUsd: 24_999.99, seats: 0, status: 'billed' },
      { id: 't2', offerId: 'contoso-saas', date: '2020-05-01', billedUsd: 5_000, seats: 0, status: 'fraud' },
      { id: 't3', offerId: 'contoso-saas', date: '2020-06-01', billedUsd: 0.01, seats: 0, status: 'cancelled_before_use' },
    ];
    await writeFile(join(dir, 'in.json'), JSON.stringify(b));
    await run(dir, 'import', join(dir, 'in.json'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a publisher is evaluated with --json, then tier, counted sales, next tier and benefits are given', async () => {
    const r = await run(dir, 'evaluate', 'contoso', '--as-of', '2021-01-01', '--json');
    const e = JSON.parse(r.text) as { tier: number; countedBilledSalesUsd: number; nextTier: { tier: number }; offers: Array<{ benefits: Array<{ id: string; name: string; category: string; state: string; reasons: string[] }> }> };
    expect(e.tier).to.equal(1);
    expect(e.countedBilledSalesUsd).to.equal(24_999.99);
    expect(e.nextTier.tier).to.equal(2);
    const b = e.offers[0]!.benefits;
    expect(b.length).to.be.greaterThan(5);
    for (const x of b) expect(x).to.have.keys(['id', 'name', 'category', 'state', 'reasons', 'notes', 'use', ...('sponsorshipUsd' in x ? ['sponsorshipUsd'] : []), ...('activationId' in x ? ['activationId'] : [])]);
  });

  it('when the cancelled transaction is marked billed, then the tier is corrected upward and the ledger keeps it', async () => {
    const r = await run(dir, 'mark-transaction', 'contoso', 't3', 'billed');
    expect(r.text).to.contain('Tier 1 → 2');
    const e = JSON.parse((await run(dir, 'evaluate', 'contoso', '--json')).text) as { tier: number; countedBilledSalesUsd: number };
    expect(e.tier).to.equal(2);
    expect(e.countedBilledSalesUsd).to.equal(25_000);
    const s = new LowdbStore(join(dir, 'data'));
    await s.open();
    expect((await s.readTransactions('contoso')).find((t) => t.id === 't3')?.status).to.equal('billed');
    expect((await s.readAudit()).map((a) => a.action)).to.include('mark_transaction');
    await s.close();
  });

  it('when totals are recomputed from the ledger, then the evaluation is the same as from the running totals', async () => {
    const before = (await run(dir, 'evaluate', 'contoso', '--as-of', '2021-01-01', '--json')).text;
    const r = await run(dir, 'recompute');
    expect(r.text).to.contain('1 publisher');
    const after = (await run(dir, 'evaluate', 'contoso', '--as-of', '2021-01-01', '--json')).text;
    expect(after).to.equal(before);
  });

  it('when an unknown publisher is evaluated, then it is a clear error', async () => {
    try {
      await run(dir, 'evaluate', 'ghost');
      expect.fail('should throw');
    } catch (err) {
      expect((err as Error).message).to.contain('No publisher ghost');
    }
  });
});

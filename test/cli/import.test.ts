import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sampleBatch } from '../fixtures/sample.js';
import { run, storeContents } from './harness.js';

describe('rewards import (CLI)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a good JSON file is imported, then everything is stored, counted and audited', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify(sampleBatch()));
    const r = await run(dir, 'import', file);
    expect(r.error).to.equal(undefined);
    expect(r.code).to.equal(0);
    expect(r.out).to.contain('publishers    1 created, 0 updated').and.contain('transactions  2 created, 0 updated').and.contain('staff         1 created');
    const c = await storeContents(dir);
    expect(c.ids).to.deep.equal(['contoso']);
    expect(c.docs[0]!.offers).to.have.length(1);
    expect(c.staff).to.have.length(1);
    expect(c.audit).to.have.length(1);
    expect(c.audit[0]).to.include({ action: 'import', subject: file });
    expect(c.audit[0]!.actor).to.match(/^cli:/);
    // totals: t1 (billed, $1000) counts, t2 (fraud) does not
    const agg = c.docs[0]!.aggregates as { offers: Record<string, Record<string, { cents: number }>> };
    const cents = Object.values(agg.offers['contoso-saas']!).reduce((s, d) => s + d.cents, 0);
    expect(cents).to.equal(100_000);
  });

  it('when the same file is imported twice with changes, then the ids are updated, not duplicated', async () => {
    const file = join(dir, 'good.json');
    await writeFile(file, JSON.stringify(sampleBatch()));
    await run(dir, 'import', file);
    const changed = sampleBatch();
    changed.offers[0]!.name = 'Contoso SaaS Pro';
    await writeFile(file, JSON.stringify(changed));
    const r = await run(dir, 'import', file);
    expect(r.out).to.contain('offers        0 created, 1 updated');
    const c = await storeContents(dir);
    expect(c.docs[0]!.offers.map((o) => o.name)).to.deep.equal(['Contoso SaaS Pro']);
    expect(c.docs[0]!.transactionCount).to.equal(2);
  });

  const badJson: Array<[string, (b: ReturnType<typeof sampleBatch>) => unknown, string]> = [
    ['a publisher with a malformed MPN ID', (b) => ((b.publishers[0]!.mpnId = 'abc'), b), 'publishers[0].mpnId'],
    ['a publisher user with an unknown role', (b) => ((b.publishers[0]!.users[0]!.role = 'boss' as never), b), 'publishers[0].users[0].role'],
    ['an offer with an unknown listing type', (b) => ((b.offers[0]!.listingType = 'barter' as never), b), 'offers[0].listingType'],
    ['a transaction with a negative amount', (b) => ((b.transactions[1]!.billedUsd = -5), b), 'transactions[1].billedUsd'],
    ['a transaction with a bad date', (b) => ((b.transactions[0]!.date = '2020-13-45'), b), 'transactions[0].date'],
    ['a transaction with an unknown status', (b) => ((b.transactions[0]!.status = 'refunded' as never), b), 'transactions[0].status'],
    ['MAU for a bad month', (b) => ((b.mau = [{ offerId: 'contoso-saas', month: '2020-1', mau: 5 }]), b), 'mau[0].month'],
    ['staff with an unknown role', (b) => ((b.staff[0]!.roles = ['boss' as never]), b), 'staff[0].roles[0]'],
    ['an unknown top-level key', (b) => ({ ...b, customers: [] }), 'customers'],
    ['a duplicate transaction id', (b) => ((b.transactions[1]!.id = 't1'), b), '(transactions[1].id): duplicate of transactions[0]'],
    ['a transaction for an unknown offer', (b) => ((b.transactions[1]!.offerId = 'ghost'), b), '(transactions[1].offerId): "ghost" is not a known offer'],
    ['an offer of an unknown publisher', (b) => ((b.offers[0]!.publisherId = 'ghost'), b), '(offers[0].publisherId): "ghost" is not a known publisher'],
  ];
  for (const [what, mutate, expected] of badJson) {
    it(`when a JSON file has ${what}, then the error names ${expected} and nothing is imported`, async () => {
      const file = join(dir, 'bad.json');
      await writeFile(file, JSON.stringify(mutate(sampleBatch())));
      const r = await run(dir, 'import', file);
      expect(r.error?.message).to.contain(expected);
      const c = await storeContents(dir);
      expect(c.ids).to.deep.equal([]);
      expect(c.staff).to.deep.equal([]);
      expect(c.audit).to.deep.equal([]);
      expect(await readdir(join(dir, 'data', 'ledger'))).to.deep.equal([]);
    });
  }

  it('when a file is not JSON at all, then it is refused with the parse error', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{"publishers": [');
    const r = await run(dir, 'import', file);
    expect(r.error?.message).to.contain('not valid JSON');
  });

  describe('CSV of transactions', () => {
    beforeEach(async () => {
      const file = join(dir, 'base.json');
      const b = sampleBatch();
      b.transactions = [];
      await writeFile(file, JSON.stringify(b));
      await run(dir, 'import', file);
    });

    it('when a good CSV is imported, then its transactions are stored and counted', async () => {
      const file = join(dir, 'tx.csv');
      await writeFile(file, 'id,offerId,date,billedUsd,seats,status\nc1,contoso-saas,2021-01-01,100.5,0,billed\n"c2",contoso-saas,2021-01-02,200,3,cancelled_accidental\n');
      const r = await run(dir, 'import', file);
      expect(r.code).to.equal(0);
      expect(r.out).to.contain('transactions  2 created');
      const c = await storeContents(dir);
      expect(c.docs[0]!.transactionCount).to.equal(2);
    });

    for (const [what, csv, expected] of [
      ['a bad amount on line 3', 'id,offerId,date,billedUsd,seats,status\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,contoso-saas,2021-01-02,lots,0,billed\n', 'line 3, field billedUsd'],
      ['a missing column in the header', 'id,offerId,billedUsd\nc1,contoso-saas,100\n', 'line 1: the header lacks date'],
      ['a row with too many fields', 'id,offerId,date,billedUsd,seats,status\nc1,contoso-saas,2021-01-01,100,0,billed,extra\n', 'line 2: expected 6 fields'],
      ['an unknown offer', 'id,offerId,date,billedUsd,seats,status\nc1,nope,2021-01-01,100,0,billed\n', 'line 2, field offerId: "nope" is not a known offer'],
    ] as const) {
      it(`when a CSV has ${what}, then it is refused naming it and nothing is imported`, async () => {
        const file = join(dir, 'tx.csv');
        await writeFile(file, csv);
        const r = await run(dir, 'import', file);
        expect(r.error?.message).to.contain(expected);
        const c = await storeContents(dir);
        expect(c.docs[0]!.transactionCount).to.equal(0);
      });
    }
  });

  it('when the schema is asked for, then it prints a JSON Schema of the import file', async () => {
    const r = await run(dir, 'schema');
    const schema = JSON.parse(r.out) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).to.include.members(['publishers', 'offers', 'transactions', 'mau', 'staff']);
  });
});

/**
 * Import errors a person can act on (issue 10 §5): every refusal names the file, the line (and
 * the column or field), what is wrong and what is expected, and leaves the store as it was.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { sampleBatch } from '../fixtures/sample.js';
import { expectRefused, run, runProcess, storeContents } from './harness.js';

const HEADER = 'id,offerId,date,billedUsd,seats,status';
const BOM = '\uFEFF';

/** 1-based line and column of a UTF-16 offset (ASCII test texts, \n line ends), worked out independently of the code under test. */
function positionAt(text: string, offset: number) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/** The offset of `at` where it follows `before` (the first such place), checked to exist. */
function offsetOf(text: string, before: string, at: string) {
  const i = text.indexOf(before + at);
  if (i < 0) throw new Error(`${JSON.stringify(before + at)} is not in the test text`);
  return i + before.length;
}

describe('import errors a person can act on', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-import-errors-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('CSV of transactions', () => {
    beforeEach(async () => {
      const b = sampleBatch();
      b.transactions = [];
      await writeFile(join(dir, 'base.json'), JSON.stringify(b));
      expect((await run(dir, 'import', join(dir, 'base.json'))).code).to.equal(0);
    });
    const csv = async (text: string | Buffer) => {
      const file = join(dir, 'tx.csv');
      await writeFile(file, text);
      return file;
    };

    it('when a quoted field holds a line break, then the record is read whole', async () => {
      // The last cell of line 3 is quoted and ends with a line break, as spreadsheets write it.
      const r = await run(dir, 'import', await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,contoso-saas,2021-01-02,200,1,"billed\n"\nc3,contoso-saas,2021-01-03,300,2,fraud\n`));
      expect(r.error).to.equal(undefined);
      expect((await storeContents(dir)).transactions.map((t) => [t.id, t.status])).to.deep.equal([
        ['c1', 'billed'],
        ['c2', 'billed'],
        ['c3', 'fraud'],
      ]);
    });

    it('when a quoted field spans lines, then errors name the field, and later records their physical line', async () => {
      await expectRefused(dir, await csv(`${HEADER}\nc1,"contoso-\nsaas",2021-01-01,100,0,billed\n`), 'tx.csv: line 2, field offerId', 'got "contoso-\\nsaas"', 'expected an offer id');
      await expectRefused(dir, await csv(`${HEADER}\n"c1","contoso-saas","2021-01-01","100","0","billed\n\n"\nc2,contoso-saas,2021-01-02,lots,0,billed\n`), 'tx.csv: line 5, field billedUsd', 'got "lots"');
    });

    it('when a transaction names an unknown offer, then the error names its CSV line, not transactions[n]', async () => {
      const message = await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\n\nc2,contoso-saas,2021-01-02,100,0,billed\nc3,ghost,2021-01-03,100,0,billed\n`), 'tx.csv: line 5, field offerId: "ghost" is not a known offer');
      expect(message).not.to.contain('transactions[');
    });

    it('when a transaction id appears twice, then the error names both lines', async () => {
      const message = await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,contoso-saas,2021-01-01,100,0,billed\nc1,contoso-saas,2021-01-02,100,0,billed\n`), 'tx.csv: line 4, field id: "c1" is already on line 2');
      expect(message).not.to.contain('transactions[');
    });

    const notAmounts: Array<[string, string]> = [
      ['0x10', '"0x10"'],
      ['1e3', '"1e3"'],
      ['Infinity', '"Infinity"'],
      ['NaN', '"NaN"'],
      ['-5', '"-5"'],
      ['$100', '"$100"'],
      ['"1,000"', '"1,000"'],
      ['12.', '"12."'],
    ];
    for (const [cell, shown] of notAmounts) {
      it(`when billedUsd is ${cell}, then it is refused as not a plain decimal number of dollars`, async () => {
        await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,${cell},0,billed\n`), `tx.csv: line 2, field billedUsd: got ${shown}; expected an amount of dollars as a plain decimal number`);
      });
    }

    it('when billedUsd is empty, then the error says the field is empty and what it needs', async () => {
      await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,contoso-saas,2021-01-01, ,0,billed\n`), 'tx.csv: line 3, field billedUsd: the field is empty; expected an amount of dollars');
    });

    it('when seats is not a whole decimal number, then it is refused naming the line', async () => {
      await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0x2,billed\n`), 'tx.csv: line 2, field seats: got "0x2"; expected a whole number of seats');
      await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,1.5,billed\n`), 'tx.csv: line 2, field seats: got "1.5"');
    });

    it('when amounts are plain decimals (with spaces around, optional cells empty), then they are imported exactly', async () => {
      const r = await run(dir, 'import', await csv(`${HEADER}\nc1,contoso-saas,2021-01-01, 1234.56 ,,\nc2,contoso-saas,2021-01-02,0010,3,fraud\n`));
      expect(r.error).to.equal(undefined);
      expect((await storeContents(dir)).transactions.map((t) => [t.billedUsd, t.seats, t.status])).to.deep.equal([
        [1234.56, 0, 'billed'],
        [10, 3, 'fraud'],
      ]);
    });

    it('when a quoted field is never closed, then the error names the line where it opens', async () => {
      await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,"contoso-saas,2021-01-01,100,0,billed\nc3,contoso-saas,2021-01-01,100,0,billed\n`), 'tx.csv: line 3: a quoted field that starts on this line is never closed');
    });

    it('when a quote sits inside an unquoted field, then the error says how to write it', async () => {
      await expectRefused(dir, await csv(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,cont"oso,2021-01-01,100,0,billed\n`), 'tx.csv: line 3:', 'write the " as ""');
    });

    it('when the header has an unknown or repeated column, then the error names the column', async () => {
      await expectRefused(dir, await csv(`id,offerId,date,billedUSD,seats\nc1,contoso-saas,2021-01-01,100,0\n`), 'tx.csv: line 1, column 4: unknown column "billedUSD"', `expected ${HEADER}`);
      await expectRefused(dir, await csv(`id,offerId,date,billedUsd,date\nc1,contoso-saas,2021-01-01,100,2021-01-01\n`), 'tx.csv: line 1, column 5: the column date appears twice');
    });

    it('when the file is empty or starts with an empty line, then the error asks for the header on line 1', async () => {
      await expectRefused(dir, await csv(BOM), 'tx.csv: line 1: the file is empty; expected the header id,offerId,date,billedUsd,seats,status');
      await expectRefused(dir, await csv(`\n${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\n`), 'tx.csv: line 1: the first line is empty; it must be the header');
    });

    it('when the file is not UTF-8, then it is refused with the line and column of the first bad byte', async () => {
      // "café" in Windows-1252: é is the single byte 0xE9.
      const bytes = Buffer.concat([Buffer.from(`${HEADER}\nc1,contoso-saas,2021-01-01,100,0,billed\nc2,caf`), Buffer.from([0xe9]), Buffer.from(',2021-01-01,100,0,billed\n')]);
      await expectRefused(dir, await csv(bytes), 'tx.csv: line 3, column 7: byte 0xE9 is not valid UTF-8', 'save it as UTF-8');
    });

    it('when the CSV starts with a byte-order mark, then it is imported', async () => {
      const r = await run(dir, 'import', await csv(`${BOM}${HEADER}\r\nc1,contoso-saas,2021-01-01,100,0,billed\r\n`));
      expect(r.error).to.equal(undefined);
      expect((await storeContents(dir)).transactions).to.have.length(1);
    });
  });

  describe('JSON file', () => {
    const json = async (text: string | Buffer) => {
      const file = join(dir, 'data.json');
      await writeFile(file, text);
      return file;
    };
    const pretty = (v: unknown) => JSON.stringify(v, null, 2);

    it('when the JSON starts with a byte-order mark, then it is imported', async () => {
      const r = await run(dir, 'import', await json(BOM + pretty(sampleBatch())));
      expect(r.error).to.equal(undefined);
      expect((await storeContents(dir)).ids).to.deep.equal(['contoso']);
    });

    // [what, change to a good file, the text before the error and at it ('' at: the end of the file), message]
    const syntax: Array<[string, (good: string) => string, string, string, string]> = [
      ['a trailing comma', (g) => g.replace('"status": "billed"\n', '"status": "billed",\n'), '"billed",\n    ', '}', 'a comma before } (JSON allows no trailing comma)'],
      ['a missing comma', (g) => g.replace('"name": "Contoso",', '"name": "Contoso"'), '"Contoso"\n      ', '"mpnId"', 'expected "," or "}" after a member, found "mpnId"'],
      ['a string not closed on its line', (g) => g.replace('"Contoso SaaS"', '"Contoso SaaS'), '"name": ', '"Contoso SaaS', 'a string that starts here is not closed before the end of its line'],
      ['single quotes', (g) => g.replace('"live"', "'live'"), '"status": ', "'live'", 'strings and names must be in double quotes'],
      ['a hexadecimal number', (g) => g.replace('"billedUsd": 1000', '"billedUsd": 0x10'), '"billedUsd": ', '0x10', '"0x10" is not a JSON number (write numbers in decimal, such as 1234.56)'],
      ['a truncated file', (g) => g.slice(0, g.indexOf('"offers"')), '', '', 'the file ends before the JSON is complete: expected a property name in double quotes'],
    ];
    for (const [what, mutate, before, at, message] of syntax) {
      it(`when the JSON has ${what}, then the error gives its line and column, not a character offset`, async () => {
        const text = mutate(pretty(sampleBatch()));
        const pos = positionAt(text, at === '' ? text.length : offsetOf(text, before, at));
        const msg = await expectRefused(dir, await json(text), `data.json: line ${pos.line}, column ${pos.column}: the file is not valid JSON: ${message}`);
        expect(msg).not.to.match(/position \d+/);
      });
    }

    it('when a value is invalid, then the error gives the line and column of the value and its path', async () => {
      const b = sampleBatch();
      b.publishers[0]!.mpnId = 'abc';
      const text = pretty(b);
      const pos = positionAt(text, offsetOf(text, '"mpnId": ', '"abc"'));
      await expectRefused(dir, await json(text), `data.json: line ${pos.line}, column ${pos.column} (publishers[0].mpnId): expected 5 to 10 digits`);
    });

    it('when a required key is missing, then the error points at the object that lacks it', async () => {
      const b = sampleBatch() as { transactions: Array<Partial<ReturnType<typeof sampleBatch>['transactions'][number]>> };
      delete b.transactions[1]!.date;
      const text = pretty(b);
      const pos = positionAt(text, text.lastIndexOf('{', text.indexOf('"id": "t2"')));
      await expectRefused(dir, await json(text), `data.json: line ${pos.line}, column ${pos.column} (transactions[1].date): the object has no "date"`);
    });

    it('when a key is unknown, then the error points at the key', async () => {
      const text = pretty({ ...sampleBatch(), customers: [] });
      const pos = positionAt(text, offsetOf(text, '', '"customers"'));
      await expectRefused(dir, await json(text), `data.json: line ${pos.line}, column ${pos.column} (customers): unknown key "customers" (expected publishers, offers, transactions, mau or staff)`);
    });

    it('when an id appears twice, then the error gives the line and column of the second and the line of the first', async () => {
      const b = sampleBatch();
      b.transactions[1]!.id = 't1';
      const text = pretty(b);
      const firstId = text.indexOf('"t1"');
      const first = positionAt(text, text.lastIndexOf('{', firstId));
      const second = positionAt(text, text.indexOf('"t1"', firstId + 1));
      await expectRefused(dir, await json(text), `data.json: line ${second.line}, column ${second.column} (transactions[1].id): duplicate of transactions[0] on line ${first.line} (t1)`);
    });

    it('when a transaction names an unknown offer, then the error gives the line and column of the offer id', async () => {
      const b = sampleBatch();
      b.transactions[1]!.offerId = 'ghost';
      const text = pretty(b);
      const pos = positionAt(text, offsetOf(text, '"offerId": ', '"ghost"'));
      await expectRefused(dir, await json(text), `data.json: line ${pos.line}, column ${pos.column} (transactions[1].offerId): "ghost" is not a known offer`);
    });

    it('when the JSON is not UTF-8, then it is refused with the line and column of the first bad byte', async () => {
      const text = pretty(sampleBatch());
      const offset = offsetOf(text, '"name": "Contos', 'o"'); // "Contosö" in Latin-1: ö is the single byte 0xF6
      const bytes = Buffer.concat([Buffer.from(text.slice(0, offset)), Buffer.from([0xf6]), Buffer.from(text.slice(offset + 1))]);
      const pos = positionAt(text, offset);
      await expectRefused(dir, await json(bytes), `data.json: line ${pos.line}, column ${pos.column}: byte 0xF6 is not valid UTF-8`);
    });
  });
  describe('the file itself', () => {
    it('when the path is a directory, then the CLI says so in one line, without a stack trace', async () => {
      const folder = join(dir, 'exports');
      await mkdir(folder);
      const inProcess = await run(dir, 'import', folder);
      expect(inProcess.error?.message).to.equal(`${folder} is a directory; give the path of a .json or .csv file`);
      const r = await runProcess(dir, 'import', folder);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`error: ${folder} is a directory; give the path of a .json or .csv file\nNothing was imported.\n`);
    });

    it('when the file does not exist, then the CLI says where it looked, in one line', async () => {
      const r = await runProcess(dir, 'import', 'missing.csv');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal(`error: missing.csv: no such file (looked for ${join(dir, 'missing.csv')})\nNothing was imported.\n`);
    });
  });
});

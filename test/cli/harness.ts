/** Runs the rewards CLI on a temporary data directory. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { runCli } from '../../src/adapters/cli/rewards.js';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';

function sink() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (c: Buffer) => (text += c.toString()));
  return { stream: s, text: () => text };
}

const envFor = (dir: string) => ({ DATA_DIR: join(dir, 'data'), NODE_ENV: 'test' });

/** `runCli` in this process: the exit code, or the error it threw. */
export async function run(dir: string, ...argv: string[]) {
  const out = sink();
  const err = sink();
  let code: number | undefined;
  let error: Error | undefined;
  try {
    code = await runCli(argv, out.stream, err.stream, envFor(dir));
  } catch (e) {
    error = e as Error;
  }
  return { code, error, out: out.text(), err: err.text() };
}

export async function storeContents(dir: string) {
  const s = new LowdbStore(join(dir, 'data'));
  await s.open();
  const ids = await s.listPublisherIds();
  const docs = await Promise.all(ids.map((id) => s.getPublisher(id)));
  const audit = await s.readAudit();
  const staff = await s.listStaff();
  const ledgers = await readdir(join(dir, 'data', 'ledger')).catch(() => []);
  const transactions = (await Promise.all(ids.map((id) => s.readTransactions(id)))).flat();
  await s.close();
  return { ids, docs, audit, staff, ledgers, transactions };
}

/** Imports `file` and expects it refused with a message containing each of `parts`, the store unchanged. */
export async function expectRefused(dir: string, file: string, ...parts: string[]) {
  const before = await storeContents(dir);
  const r = await run(dir, 'import', file);
  expect(r.code, 'the import should have been refused').to.equal(undefined);
  expect(r.error?.name).to.equal('ImportError');
  for (const p of parts) expect(r.error!.message).to.contain(p);
  expect(r.error!.message, 'one line').not.to.contain('\n');
  expect(await storeContents(dir)).to.deep.equal(before);
  return r.error!.message;
}

/** Runs the rewards CLI on a temporary data directory, in process or as the operator would. */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { runCli } from '../../src/adapters/cli/rewards.js';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';

const ROOT = join(import.meta.dirname, '../..');
/** tsx's loader by URL: the child runs in the test's directory, where `tsx` alone does not resolve. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

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

/** The CLI as a separate process (what `npm run rewards -- …` runs): exit code and output. */
export function runProcess(dir: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', TSX, '--no-deprecation', join(ROOT, 'src/adapters/cli/rewards.ts'), ...argv],
      { cwd: dir, env: { ...process.env, ...envFor(dir), LOG_LEVEL: 'silent' } },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
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

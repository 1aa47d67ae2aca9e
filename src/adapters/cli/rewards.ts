/**
 * `npm run rewards -- <command>`: operator commands on the configured store (DATABASE_URL or DATA_DIR).
 *   import FILE        load a JSON import file or a CSV of transactions (all or nothing)
 *   schema             print the import format as JSON Schema
 *   evaluate ID        a publisher's tier, metrics and benefits [--as-of YYYY-MM-DD] [--json]
 *   recompute [ID]     rebuild running sales totals from the ledgers (all publishers by default)
 *   mark-transaction PUBLISHER TX STATUS [--note TEXT]   Rewards-team correction (fraud, cancellation)
 *   copy-store --to URL  copy the embedded store in DATA_DIR into an empty PostgreSQL database
 * The bot must not be running on the same DATA_DIR (one writer per embedded store); the store refuses.
 * On PostgreSQL the commands may run while the bot runs.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, loadDotEnv, type Config } from '../../config.js';
import { createStore } from '../store/create-store.js';
import { copyStore } from '../store/copy-store.js';
import { LowdbStore } from '../store/lowdb/lowdb-store.js';
import { PostgresStore, redactUrl } from '../store/postgres/postgres-store.js';
import { StoreError, type Store } from '../../services/ports/index.js';
import { AppError } from '../../services/errors.js';
import { ImportError, ImportFile, importFile } from '../../services/import.js';
import { recompute, salesReducer } from '../../services/ledger.js';
import { ProgramService, loadEdition } from '../../services/program.js';
import { IsoDate, TransactionStatus } from '../../domain/model.js';
import type { Evaluation } from '../../domain/program/index.js';

const USAGE = `usage: npm run rewards -- <command>
  import FILE                  load publishers, offers, transactions, MAU and staff (.json) or transactions (.csv)
  schema                       print the JSON import format as JSON Schema
  evaluate PUBLISHER_ID        tier, counted sales/seats/MAU, next tier, benefits per offer
           [--as-of YYYY-MM-DD] [--json]
  recompute [PUBLISHER_ID]     rebuild running sales totals from the ledgers
  mark-transaction PUBLISHER_ID TRANSACTION_ID STATUS [--note TEXT]
                               STATUS: billed, fraud, cancelled_accidental, cancelled_before_use
  copy-store --to DATABASE_URL copy the embedded store in DATA_DIR into an empty PostgreSQL database
                               (the bot stopped), verifying the counts before the copy commits`;

/** `--name value` options and positional arguments. */
function parseArgs(args: string[]): { positional: string[]; options: Record<string, string | true> } {
  const positional: string[] = [];
  const options: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) positional.push(a);
    else if (a === '--json') options.json = true;
    else {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) throw new AppError('invalid_input', `${a} needs a value`);
      options[a.slice(2)] = v;
      i++;
    }
  }
  return { positional, options };
}

/** An import file's bytes; a missing file, a directory or an unreadable file is one clear line. */
async function readImportFile(file: string): Promise<Buffer> {
  const refuse = (e: unknown): never => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImportError(`${file}: no such file (looked for ${resolve(file)})`, { file });
    if (code === 'EISDIR') throw new ImportError(`${file} is a directory; give the path of a .json or .csv file`, { file });
    if (code === 'EACCES' || code === 'EPERM') throw new ImportError(`${file}: permission denied; the file must be readable by ${userInfo().username}`, { file });
    throw e;
  };
  const info = await stat(file).catch(refuse);
  if (info.isDirectory()) refuse(Object.assign(new Error('EISDIR'), { code: 'EISDIR' }));
  if (!info.isFile()) throw new ImportError(`${file} is not a regular file; give the path of a .json or .csv file`, { file });
  return readFile(file).catch(refuse);
}

async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = createStore(config);
  await store.open();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function printEvaluation(e: Evaluation, out: NodeJS.WritableStream) {
  const usd = (n: number) => `$${n.toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
  out.write(`${e.publisherId} on ${e.asOf} (edition ${e.edition})\n`);
  out.write(`  tier: ${e.tier ?? '-'} ${e.tierName}\n`);
  out.write(`  counted billed sales: ${usd(e.countedBilledSalesUsd)}${e.salesFrom ? ` since ${e.salesFrom}` : ''}\n`);
  if (e.countedSeats !== null) out.write(`  counted seats: ${e.countedSeats}\n`);
  if (e.countedMau !== null) out.write(`  counted MAU: ${e.countedMau}\n`);
  if (e.nextTier) out.write(`  next tier ${e.nextTier.tier}: ${JSON.stringify(e.nextTier.gaps)}\n`);
  out.write(`  enrolled: ${e.enrolled ? 'yes' : 'no'}, marketing contact: ${e.hasContact ? 'yes' : 'no'}\n`);
  for (const o of e.offers) {
    out.write(`  offer ${o.offerId} (${o.listingType}, ${o.status}${o.optedOut ? ', opted out' : ''})\n`);
    for (const b of o.benefits) {
      out.write(`    ${b.state.padEnd(11)} ${b.name}${b.sponsorshipUsd ? ` (${usd(b.sponsorshipUsd)})` : ''}${b.reasons.length ? ` — ${b.reasons.join('; ')}` : ''}\n`);
    }
  }
}

/** Runs one CLI command; returns the exit code. Output goes to the given streams. */
export async function runCli(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env = process.env): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'schema') {
    out.write(`${JSON.stringify(z.toJSONSchema(ImportFile, { io: 'input' }), null, 2)}\n`);
    return 0;
  }
  if (command === 'evaluate' || command === 'recompute' || command === 'mark-transaction') {
    const { positional, options } = parseArgs(args);
    const config = loadConfig(env);
    const edition = loadEdition(config.programEdition);
    return withStore(config, async (store) => {
      const program = new ProgramService(store, edition);
      if (command === 'evaluate') {
        const [id] = positional;
        if (!id) throw new AppError('invalid_input', 'evaluate needs a publisher id');
        const asOf = options['as-of'];
        if (asOf !== undefined && !IsoDate.safeParse(asOf).success) throw new AppError('invalid_input', '--as-of expects a date as YYYY-MM-DD');
        const e = await program.evaluate(id, typeof asOf === 'string' ? asOf : undefined);
        if (options.json) out.write(`${JSON.stringify(e, null, 2)}\n`);
        else printEvaluation(e, out);
        return 0;
      }
      if (command === 'recompute') {
        const ids = positional.length > 0 ? positional : await store.listPublisherIds();
        for (const [i, id] of ids.entries()) {
          await recompute(store, id);
          if ((i + 1) % 1000 === 0) err.write(`recomputed ${i + 1}/${ids.length}\n`);
        }
        out.write(`Recomputed the sales totals of ${ids.length} publisher(s).\n`);
        return 0;
      }
      const [publisherId, txId, status] = positional;
      const parsedStatus = TransactionStatus.safeParse(status);
      if (!publisherId || !txId || !parsedStatus.success) throw new AppError('invalid_input', `usage: mark-transaction PUBLISHER_ID TRANSACTION_ID ${TransactionStatus.options.join('|')}`);
      const operator = { aadObjectId: `cli:${userInfo().username}`, roles: ['rewards' as const] };
      const r = await program.markTransaction(operator, publisherId, txId, parsedStatus.data, typeof options.note === 'string' ? options.note : '');
      if (!r.result.ok) throw new AppError('rule', r.result.error.message);
      if (!r.result.changed) {
        out.write(`Transaction ${txId} is already ${parsedStatus.data}; nothing changed.\n`);
        return 0;
      }
      out.write(`Transaction ${txId} marked ${parsedStatus.data}. Tier ${r.before?.tier ?? '-'} → ${r.after?.tier ?? '-'}.\n`);
      for (const a of r.revoked) out.write(`  revoked (tier corrected): ${a.benefitId} on ${a.offerId}\n`);
      return 0;
    });
  }
  if (command === 'copy-store') {
    const { options } = parseArgs(args);
    if (typeof options.to !== 'string') throw new AppError('invalid_input', 'copy-store needs --to postgres://user:password@host:5432/database');
    // The target is validated like DATABASE_URL; the source is always the embedded store in DATA_DIR.
    const config = loadConfig({ ...env, DATABASE_URL: options.to });
    const target = redactUrl(config.databaseUrl!);
    if (!existsSync(join(config.dataDir, 'meta.json'))) throw new AppError('invalid_input', `${config.dataDir} holds no embedded store (no meta.json): nothing to copy (set DATA_DIR)`);
    const from = new LowdbStore(config.dataDir);
    await from.open();
    try {
      const to = new PostgresStore(config.databaseUrl!);
      await to.open();
      try {
        err.write(`copying ${config.dataDir} to ${target}\n`);
        let last = 0;
        const counts = await copyStore(from, to, (done, total) => {
          const now = Date.now();
          if (now - last > 500 || done === total) {
            last = now;
            err.write(`publishers ${done}/${total}\n`);
          }
        }).catch((e: unknown) => {
          if (e instanceof StoreError) throw e;
          throw new StoreError(`the copy failed, nothing was kept: ${(e as Error).message}`, 'invalid');
        });
        const rows = (Object.keys(counts) as Array<keyof typeof counts>).map((k) => `  ${k.padEnd(14)} ${counts[k]}`);
        out.write(`Copied ${config.dataDir} to ${target}; counts verified:\n${rows.join('\n')}\n`);
      } finally {
        await to.close();
      }
    } finally {
      await from.close();
    }
    return 0;
  }
  if (command !== 'import' || args.length !== 1) {
    err.write(`${USAGE}\n`);
    return command === undefined || command === 'help' ? 0 : 2;
  }
  const file = args[0]!;
  const config = loadConfig(env);
  const bytes = await readImportFile(file);
  const store = createStore(config);
  await store.open();
  try {
    let last = 0;
    const counts = await importFile(store, bytes, {
      format: extname(file).toLowerCase() === '.csv' ? 'csv' : 'json',
      source: file,
      actor: `cli:${userInfo().username}`,
      reduce: salesReducer,
      progress: (phase, done, total) => {
        const now = Date.now();
        if (now - last > 500 || done === total) {
          last = now;
          err.write(`${phase === 'parse' ? 'reading' : 'writing'} ${done}/${total}\n`);
        }
      },
    });
    const line = (k: keyof typeof counts) => `  ${k.padEnd(13)} ${counts[k].created} created, ${counts[k].updated} updated`;
    out.write(`Imported ${file}:\n${(Object.keys(counts) as Array<keyof typeof counts>).map(line).join('\n')}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  loadDotEnv();
  runCli(process.argv.slice(2), process.stdout, process.stderr).then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof AppError || e instanceof StoreError || e instanceof ConfigError) {
        process.stderr.write(`error: ${e.message}\n${process.argv[2] === 'import' ? 'Nothing was imported.\n' : ''}`);
        process.exit(1);
      }
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        process.exit(1);
      }
      throw e;
    },
  );
}

/**
 * `npm run rewards -- <command>`: operator commands on the embedded store.
 *   import FILE        load a JSON import file or a CSV of transactions (all or nothing)
 *   schema             print the import format as JSON Schema
 * The bot must not be running on the same DATA_DIR (one writer per store); the store refuses.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { extname } from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfig, loadDotEnv } from '../../config.js';
import { LowdbStore } from '../store/lowdb/lowdb-store.js';
import { StoreError } from '../store/store.js';
import { AppError } from '../../services/errors.js';
import { ImportFile, importText } from '../../services/import.js';
import { salesReducer } from '../../services/ledger.js';

const USAGE = `usage: npm run rewards -- <command>
  import FILE   load publishers, offers, transactions, MAU and staff (.json) or transactions (.csv)
  schema        print the JSON import format as JSON Schema`;

/** Runs one CLI command; returns the exit code. Output goes to the given streams. */
export async function runCli(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env = process.env): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'schema') {
    out.write(`${JSON.stringify(z.toJSONSchema(ImportFile, { io: 'input' }), null, 2)}\n`);
    return 0;
  }
  if (command !== 'import' || args.length !== 1) {
    err.write(`${USAGE}\n`);
    return command === undefined || command === 'help' ? 0 : 2;
  }
  const file = args[0]!;
  const config = loadConfig(env);
  const text = await readFile(file, 'utf8');
  const store = new LowdbStore(config.dataDir);
  await store.open();
  try {
    let last = 0;
    const counts = await importText(store, text, {
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
        process.stderr.write(`error: ${e.message}\nNothing was imported.\n`);
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

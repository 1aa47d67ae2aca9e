/**
 * Import of publishers, offers, transactions, MAU and staff (JSON), or transactions alone (CSV).
 * All or nothing: the whole file is decoded, parsed and checked first; the first problem is
 * reported with the file, line, column or field, what is wrong and what is expected, and nothing
 * is written.
 */
import { StoreError, type AggregateReducer, type ImportBatch, type ImportCounts, type LedgerPort } from './ports/index.js';
import { parseCsvImport } from './import/csv.js';
import { ImportError } from './import/errors.js';
import { ImportFile, jsonErrorAt, parseJsonImport } from './import/json.js';
import { decodeImport } from './import/text.js';

export { CSV_COLUMNS } from './import/csv.js';
export { ImportError, formatPath } from './import/errors.js';
export { ImportFile };

export interface ImportOptions {
  format: 'json' | 'csv';
  /** The file's name as the operator gave it; every error message starts with it. */
  source: string;
  actor: string;
  reduce: AggregateReducer;
  progress?: (phase: string, done: number, total: number) => void;
}

/** Decodes, parses and checks an import file's bytes, then applies them atomically. */
export async function importFile(store: LedgerPort, bytes: Uint8Array, opts: ImportOptions): Promise<ImportCounts> {
  const file = opts.source;
  const text = decodeImport(bytes, file);
  let batch: ImportBatch;
  /** Says where an invalid row (found by the store, against what it holds) is in the file. */
  let pointAt: (row: NonNullable<StoreError['row']>) => ImportError;
  if (opts.format === 'csv') {
    const csv = parseCsvImport(text, file, (d, t) => opts.progress?.('parse', d, t));
    batch = csv.batch;
    pointAt = (row) => {
      const line = csv.lines[row.index]!;
      return new ImportError(`${file}: line ${line}, field ${row.field}: ${row.problem}`, { file, line, field: row.field });
    };
  } else {
    batch = parseJsonImport(text, file);
    pointAt = (row) => jsonErrorAt(text, file, [row.collection, row.index, row.field], row.problem);
  }
  try {
    return await store.importBatch(
      batch,
      { at: new Date().toISOString(), actor: opts.actor, action: 'import', subject: file, details: {} },
      opts.reduce,
      (d, t) => opts.progress?.('write', d, t),
    );
  } catch (err) {
    if (err instanceof StoreError && err.code === 'invalid') throw err.row ? pointAt(err.row) : new ImportError(`${file}: ${err.message}`, { file });
    throw err;
  }
}

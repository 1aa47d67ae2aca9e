/**
 * Import of publishers, offers, transactions, MAU and staff (JSON), or transactions alone (CSV).
 * All or nothing: the whole file is parsed and checked first; the first bad row is reported with
 * its path or line and field, and nothing is written.
 */
import { z } from 'zod';
import { MauMetric, Offer, Publisher, Staff, Transaction } from '../domain/model.js';
import type { AggregateReducer, ImportBatch, ImportCounts, Store } from '../adapters/store/store.js';
import { AppError } from './errors.js';

/** The import file format (`npm run rewards -- schema` prints it as JSON Schema). */
export const ImportFile = z
  .object({
    publishers: z.array(Publisher).default([]),
    offers: z.array(Offer).default([]),
    transactions: z.array(Transaction).default([]),
    mau: z.array(MauMetric).default([]),
    staff: z.array(Staff).default([]),
  })
  .strict();
export type ImportFile = z.infer<typeof ImportFile>;

export const CSV_COLUMNS = ['id', 'offerId', 'date', 'billedUsd', 'seats', 'status'] as const;

/** `transactions[3].billedUsd` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

export class ImportError extends AppError {
  constructor(message: string) {
    super('import_invalid', message);
  }
}

export function parseJsonImport(text: string): ImportBatch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ImportError(`the file is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ImportFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ImportError(`${formatPath(issue.path) || '(file)'}: ${issue.message}`);
  }
  checkUnique(parsed.data);
  return parsed.data;
}

function checkUnique(b: ImportBatch) {
  const dup = <T>(rows: T[], key: (r: T) => string, what: string) => {
    const seen = new Map<string, number>();
    rows.forEach((r, i) => {
      const k = key(r);
      const first = seen.get(k);
      if (first !== undefined) throw new ImportError(`${what}[${i}]: duplicate of ${what}[${first}] (${k})`);
      seen.set(k, i);
    });
  };
  dup(b.publishers, (p) => p.id, 'publishers');
  dup(b.offers, (o) => o.id, 'offers');
  dup(b.transactions, (t) => t.id, 'transactions');
  dup(b.mau, (m) => `${m.offerId} ${m.month}`, 'mau');
  dup(b.staff, (s) => `${s.tenantId} ${s.aadObjectId}`, 'staff');
}

/** Splits one CSV line (RFC 4180 quoting). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Transactions as CSV with the header `id,offerId,date,billedUsd,seats,status`. */
export function parseCsvImport(text: string, progress?: (done: number, total: number) => void): ImportBatch {
  const lines = text.split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const missing = CSV_COLUMNS.filter((c) => c !== 'seats' && c !== 'status' && !header.includes(c));
  if (missing.length > 0) throw new ImportError(`line 1: the header lacks ${missing.join(', ')} (expected ${CSV_COLUMNS.join(',')})`);
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length > 0) throw new ImportError(`line 1: unknown column ${unknown.join(', ')} (expected ${CSV_COLUMNS.join(',')})`);
  const transactions: Transaction[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const cells = splitCsvLine(line);
    if (cells.length !== header.length) throw new ImportError(`line ${i + 1}: expected ${header.length} fields, found ${cells.length}`);
    const row: Record<string, unknown> = {};
    header.forEach((h, j) => {
      const v = cells[j]!.trim();
      if (v === '') return;
      row[h] = h === 'billedUsd' || h === 'seats' ? (Number.isNaN(Number(v)) ? v : Number(v)) : v;
    });
    const parsed = Transaction.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ImportError(`line ${i + 1}, field ${formatPath(issue.path) || '(row)'}: ${issue.message}`);
    }
    transactions.push(parsed.data);
    if (progress && i % 50_000 === 0) progress(i, lines.length - 1);
  }
  const batch: ImportBatch = { publishers: [], offers: [], transactions, mau: [], staff: [] };
  checkUnique(batch);
  return batch;
}

export interface ImportResult {
  counts: ImportCounts;
}

/** Parses by extension, then applies atomically. */
export async function importText(
  store: Store,
  text: string,
  opts: { format: 'json' | 'csv'; source: string; actor: string; reduce: AggregateReducer; progress?: (phase: string, done: number, total: number) => void },
): Promise<ImportCounts> {
  const batch = opts.format === 'csv' ? parseCsvImport(text, (d, t) => opts.progress?.('parse', d, t)) : parseJsonImport(text);
  try {
    return await store.importBatch(
      batch,
      { at: new Date().toISOString(), actor: opts.actor, action: 'import', subject: opts.source, details: {} },
      opts.reduce,
      (d, t) => opts.progress?.('write', d, t),
    );
  } catch (err) {
    if (err instanceof Error && 'code' in err && (err as { code: string }).code === 'invalid') throw new ImportError(err.message);
    throw err;
  }
}

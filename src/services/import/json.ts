/**
 * The JSON import file: parsed by JSON.parse (fast), and only when something is wrong, scanned
 * again to say on which line and column.
 */
import { z } from 'zod';
import { MauMetric, Offer, Publisher, Staff, Transaction } from '../../domain/model.js';
import type { ImportBatch } from '../ports/index.js';
import { ImportError, formatPath } from './errors.js';
import { findJsonSyntaxError, locateJsonPath } from './json-scan.js';
import { lineAndColumn } from './text.js';

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

/** `file: line 3, column 7` for an offset into the text. */
function where(text: string, offset: number, file: string) {
  const { line, column } = lineAndColumn(text, offset);
  return { prefix: `${file}: line ${line}, column ${column}`, line, column };
}

/** An error about the value at `path`, pointing at its line and column in the file. */
export function jsonErrorAt(text: string, file: string, path: ReadonlyArray<PropertyKey>, message: string, opts: { atKey?: boolean } = {}): ImportError {
  const loc = locateJsonPath(text, path);
  const offset = opts.atKey && loc.depth === path.length && loc.keyOffset !== undefined ? loc.keyOffset : loc.offset;
  const w = where(text, offset, file);
  const field = formatPath(path);
  // A required key that is absent: point at the object that lacks it, and say so.
  const last = path[path.length - 1];
  const said = loc.depth === path.length - 1 && typeof last === 'string' ? `the object has no ${JSON.stringify(last)} (${message})` : message;
  return new ImportError(`${w.prefix}${field ? ` (${field})` : ''}: ${said}`, { file, line: w.line, column: w.column, field });
}

export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const problem = findJsonSyntaxError(text);
    if (!problem) throw new ImportError(`${file}: the file is not valid JSON: ${(err as Error).message}`, { file });
    const w = where(text, problem.offset, file);
    const first = /\S/.exec(text)?.index;
    // A CSV (or anything else) under a name that does not end in .csv is read as JSON.
    const hint = problem.offset === first ? '; the file is read as JSON because its name does not end in .csv' : '';
    throw new ImportError(`${w.prefix}: the file is not valid JSON: ${problem.message}${hint}`, { file, line: w.line, column: w.column });
  }
}

/** Parses and checks the import file against its schema; the first problem is reported where it is. */
export function parseJsonImport(text: string, file: string): ImportBatch {
  const json = parseJsonText(text, file);
  const parsed = ImportFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      throw jsonErrorAt(text, file, [...issue.path, key], `unknown key ${JSON.stringify(key)}${issue.path.length === 0 ? ' (expected publishers, offers, transactions, mau or staff)' : ''}`, { atKey: true });
    }
    throw jsonErrorAt(text, file, issue.path, issue.message);
  }
  const batch = parsed.data;
  const dup = <T>(rows: T[], key: (r: T) => string, what: keyof ImportBatch, field: string) => {
    const seen = new Map<string, number>();
    rows.forEach((r, i) => {
      const k = key(r);
      const first = seen.get(k);
      if (first !== undefined) {
        const firstAt = lineAndColumn(text, locateJsonPath(text, [what, first]).offset);
        throw jsonErrorAt(text, file, [what, i, field], `duplicate of ${what}[${first}] on line ${firstAt.line} (${k}); each may appear once in a file`);
      }
      seen.set(k, i);
    });
  };
  dup(batch.publishers, (p) => p.id, 'publishers', 'id');
  dup(batch.offers, (o) => o.id, 'offers', 'id');
  dup(batch.transactions, (t) => t.id, 'transactions', 'id');
  dup(batch.mau, (m) => `${m.offerId} ${m.month}`, 'mau', 'month');
  dup(batch.staff, (s) => `${s.tenantId} ${s.aadObjectId}`, 'staff', 'aadObjectId');
  return batch;
}

/**
 * Transactions as CSV (`id,offerId,date,billedUsd,seats,status`), read with csv-parse: quoted
 * fields may hold commas, doubled quotes and line breaks. Every error names the physical line of
 * the file (as an editor numbers it) where the offending record starts.
 */
import { parse } from 'csv-parse/sync';
import { Transaction } from '../../domain/model.js';
import type { ImportBatch } from '../ports/index.js';
import { ImportError, shown } from './errors.js';

export const CSV_COLUMNS = ['id', 'offerId', 'date', 'billedUsd', 'seats', 'status'] as const;
type Column = (typeof CSV_COLUMNS)[number];
const OPTIONAL: ReadonlySet<Column> = new Set(['seats', 'status']);

/** What each column must hold, as the error messages say it. */
const EXPECTED: Record<Column, string> = {
  id: 'a transaction id: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  offerId: 'an offer id: 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit',
  date: 'a date as YYYY-MM-DD, such as 2021-03-31',
  billedUsd: 'an amount of dollars as a plain decimal number, such as 1234.56 (no sign, currency symbol, thousands separator or exponent)',
  seats: 'a whole number of seats, such as 12 (or empty for 0)',
  status: 'billed, fraud, cancelled_accidental or cancelled_before_use (or empty for billed)',
};
/** Dollars and seats are written out in decimal; `0x10`, `1e3`, `Infinity` and `NaN` are not amounts. */
const DECIMAL = /^\d+(?:\.\d+)?$/;
const WHOLE = /^\d+$/;

/** A parsed CSV import: the batch, and the line each transaction starts on. */
export interface CsvImport {
  batch: ImportBatch;
  /** `lines[i]` is the line of `batch.transactions[i]`. */
  lines: number[];
}

const OPTIONS = {
  record_delimiter: ['\r\n', '\n', '\r'],
  relax_column_count: true, // counted below, with a message that names the columns
  cast: false,
};

export function parseCsvImport(text: string, file: string, progress?: (done: number, total: number) => void): CsvImport {
  const at = (line: number, field?: string) => `${file}: line ${line}${field ? `, field ${field}` : ''}`;
  let records: string[][];
  try {
    // Whole arrays, no per-record callback: csv-parse's on_record builds a context per record and
    // halves the rate. Lines are counted below instead.
    records = parse(text, OPTIONS);
  } catch (err) {
    throw csvSyntaxError(err, startOfFailingRecord(text), file);
  }
  if (records.length === 0) throw new ImportError(`${file}: line 1: the file is empty; expected the header ${CSV_COLUMNS.join(',')}`, { file, line: 1 });
  const header = readHeader(records[0]!, file);
  const columns = header.length;
  const index = Object.fromEntries(CSV_COLUMNS.map((c) => [c, header.indexOf(c)])) as Record<Column, number>;
  const transactions: Transaction[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  // Empty records are kept, so each record starts on the line after the previous one ends, and
  // only a quoted field can hold a line break.
  const breaks = text.includes('"') ? lineBreaksIn : () => 0;
  let start = 1 + 1 + breaks(records[0]!);
  for (let r = 1; r < records.length; r++) {
    const cells = records[r]!;
    const line = start;
    start = line + 1 + breaks(cells);
    if (cells.length === 1 && cells[0]!.trim() === '') continue; // a blank line
    if (cells.length !== columns) throw new ImportError(`${at(line)}: expected ${columns} fields (${header.join(',')}), found ${cells.length}`, { file, line });
    // One object shape for every row, and no closures per row: this loop is most of the import's time.
    const row = {
      id: cellOf(cells, index, 'id', file, line),
      offerId: cellOf(cells, index, 'offerId', file, line),
      date: cellOf(cells, index, 'date', file, line),
      billedUsd: numberOf(cells, index, 'billedUsd', file, line),
      seats: numberOf(cells, index, 'seats', file, line),
      status: cellOf(cells, index, 'status', file, line) || undefined,
    };
    const parsed = Transaction.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const h = String(issue.path[0] ?? '') as Column;
      throw new ImportError(`${at(line, h || undefined)}: got ${shown(row[h as keyof typeof row] ?? '')}; expected ${EXPECTED[h] ?? issue.message}`, { file, line, field: h });
    }
    const first = seen.get(parsed.data.id);
    if (first !== undefined) {
      throw new ImportError(`${at(line, 'id')}: ${shown(parsed.data.id)} is already on line ${first}; each transaction id may appear once in a file`, { file, line, field: 'id' });
    }
    seen.set(parsed.data.id, line);
    transactions.push(parsed.data);
    lines.push(line);
    if (progress && r % 50_000 === 0) progress(r, records.length - 1);
  }
  progress?.(records.length - 1, records.length - 1);
  return { batch: { publishers: [], offers: [], transactions, mau: [], staff: [] }, lines };
}

/** The trimmed cell of column `h`; empty only when the column is optional. */
function cellOf(cells: string[], index: Record<Column, number>, h: Column, file: string, line: number): string {
  const j = index[h];
  const v = j < 0 ? '' : cells[j]!.trim();
  if (v === '' && !OPTIONAL.has(h)) throw new ImportError(`${file}: line ${line}, field ${h}: the field is empty; expected ${EXPECTED[h]}`, { file, line, field: h });
  return v;
}

/** Dollars or seats, written out in decimal (undefined when an optional cell is empty). */
function numberOf(cells: string[], index: Record<Column, number>, h: 'billedUsd' | 'seats', file: string, line: number): number | undefined {
  const v = cellOf(cells, index, h, file, line);
  if (v === '') return undefined;
  if (!(h === 'seats' ? WHOLE : DECIMAL).test(v)) throw new ImportError(`${file}: line ${line}, field ${h}: got ${shown(v)}; expected ${EXPECTED[h]}`, { file, line, field: h });
  return Number(v);
}

/** Line breaks inside a record's (quoted) fields: \r\n, \n and a lone \r, as csv-parse counts them. */
function lineBreaksIn(cells: string[]): number {
  let n = 0;
  for (const c of cells) {
    if (c.indexOf('\n') < 0 && c.indexOf('\r') < 0) continue;
    for (let i = 0; i < c.length; i++) {
      const ch = c.charCodeAt(i);
      if (ch === 10 || (ch === 13 && c.charCodeAt(i + 1) !== 10)) n++;
    }
  }
  return n;
}

/** Only after a syntax error: parses again, noting where each record starts, to find the failing one. */
function startOfFailingRecord(text: string): number {
  let start = 1;
  try {
    parse(text, {
      ...OPTIONS,
      on_record: (cells: string[], ctx: { lines: number }) => {
        start = ctx.lines + 1;
        return cells;
      },
    });
  } catch {
    // the error being explained
  }
  return start;
}

function readHeader(cells: string[], file: string): Column[] {
  const where = `${file}: line 1`;
  const names = cells.map((h) => h.trim());
  const expected = `expected ${CSV_COLUMNS.join(',')}`;
  if (names.every((h) => h === '')) throw new ImportError(`${where}: the first line is empty; it must be the header (${expected})`, { file, line: 1 });
  const unknown = names.findIndex((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown >= 0) throw new ImportError(`${where}, column ${unknown + 1}: unknown column ${shown(names[unknown])} (${expected})`, { file, line: 1, column: unknown + 1 });
  const twice = names.findIndex((h, i) => names.indexOf(h) !== i);
  if (twice >= 0) throw new ImportError(`${where}, column ${twice + 1}: the column ${names[twice]} appears twice (${expected})`, { file, line: 1, column: twice + 1 });
  const missing = CSV_COLUMNS.filter((c) => !OPTIONAL.has(c) && !names.includes(c));
  if (missing.length > 0) throw new ImportError(`${where}: the header lacks ${missing.join(', ')} (${expected})`, { file, line: 1 });
  return names as Column[];
}

/** csv-parse's errors, said with the line a person looks at and what to change there. */
function csvSyntaxError(err: unknown, recordStart: number, file: string): Error {
  const e = err as { code?: string; lines?: number; message?: string };
  const line = typeof e.lines === 'number' ? e.lines : recordStart;
  switch (e.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return new ImportError(`${file}: line ${recordStart}: a quoted field that starts on this line is never closed; add the closing " (and write a " inside a quoted field as "")`, { file, line: recordStart });
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new ImportError(`${file}: line ${line}: a quoted field is followed by other characters; a field in quotes must end at its closing " (write a " inside it as "")`, { file, line });
    case 'INVALID_OPENING_QUOTE':
      return new ImportError(`${file}: line ${line}: a " in the middle of an unquoted field; put the whole field in quotes and write the " as ""`, { file, line });
    default:
      return e.code ? new ImportError(`${file}: line ${line}: ${e.message ?? e.code}`, { file, line }) : (err as Error);
  }
}

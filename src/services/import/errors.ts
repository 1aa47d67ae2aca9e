/** The import's one error type: a message a person can act on, and where in the file it points. */
import { AppError } from '../errors.js';

/** Where an import error points: the file, and the line, column or field when known. */
export interface ImportLocation {
  file?: string;
  line?: number;
  column?: number;
  field?: string;
}

export class ImportError extends AppError {
  constructor(message: string, location: ImportLocation = {}) {
    super('import_invalid', message, { ...location });
    this.name = 'ImportError';
  }
}

/** `transactions[3].billedUsd` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
}

/** A cell or value as it appears in a message: quoted, escaped and cut to a readable length. */
export function shown(value: unknown): string {
  const s = typeof value === 'string' ? value : String(value);
  const cut = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  return JSON.stringify(cut);
}

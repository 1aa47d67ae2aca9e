/** The one error type every port throws for a store-level refusal. */
import type { ImportBatch } from './publishers.js';

/** The import row an `invalid` StoreError is about, so the import can say where it is in the file. */
export interface InvalidRow {
  collection: keyof ImportBatch;
  index: number;
  field: string;
  /** What is wrong, without the row's position (`"ghost" is not a known offer (…)`). */
  problem: string;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly code: 'corrupt' | 'conflict' | 'not_found' | 'invalid' | 'closed' | 'locked',
    readonly row?: InvalidRow,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

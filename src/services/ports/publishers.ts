/**
 * The publisher directory, each publisher's document and its ledger. A publisher's document (its
 * facts, program state and running totals) changes all-or-nothing through `updatePublisher`; the
 * ledger changes only through `importBatch`, which also folds the changes into the running totals,
 * so ledger and totals always agree.
 */
import { z } from 'zod';
import { IsoDateTime, MauMetric, Offer, ProgramState, Publisher, Ticket, type Staff, type Transaction } from '../../domain/model.js';
import type { AuditInput } from './audit.js';

/** Running totals kept beside a publisher so status lookups never rescan its ledger. */
export const AggregatesDoc = z.record(z.string(), z.unknown());

/** Everything about one publisher that a turn needs, stored together so one write is one small file. */
export const PublisherDoc = z.object({
  publisher: Publisher,
  offers: z.array(Offer).default([]),
  mau: z.array(MauMetric).default([]),
  state: ProgramState.default(() => ProgramState.parse({})),
  /** Opaque to the store: maintained by the program rules (see services). */
  aggregates: AggregatesDoc.default({}),
  transactionCount: z.number().int().min(0).default(0),
  /** The publisher's support tickets (numbers are global, allocated by the store). */
  tickets: z.array(Ticket).default([]),
  version: z.number().int().min(0).default(0),
  updatedAt: IsoDateTime.optional(),
});
export type PublisherDoc = z.infer<typeof PublisherDoc>;

/** What a turn's caller is, resolved from tenant + aadObjectId. */
export type Identity =
  | { kind: 'publisher'; publisherId: string; tenantId: string; aadObjectId: string }
  | { kind: 'staff'; staff: Staff }
  | { kind: 'both'; publisherId: string; tenantId: string; aadObjectId: string; staff: Staff };

/** One import, already validated: applied all-or-nothing. */
export interface ImportBatch {
  publishers: Publisher[];
  offers: Offer[];
  transactions: Transaction[];
  mau: MauMetric[];
  staff: Staff[];
}

export interface ImportCounts {
  publishers: { created: number; updated: number };
  offers: { created: number; updated: number };
  transactions: { created: number; updated: number };
  mau: { created: number; updated: number };
  staff: { created: number; updated: number };
}

/**
 * Folds changed transactions (previous version, if any, and new version) into a publisher's running
 * totals. Called once per publisher per import, inside the journaled import.
 */
export type AggregateReducer = (
  doc: PublisherDoc,
  changes: Array<{ before: Transaction | undefined; after: Transaction }>,
) => void;

/** The directory and the publishers' documents. */
export interface PublisherPort {
  resolveIdentity(tenantId: string, aadObjectId: string): Promise<Identity | undefined>;
  listPublisherIds(): Promise<string[]>;
  /** The publisher's document, read-only (frozen: change it with `updatePublisher`). */
  getPublisher(id: string): Promise<PublisherDoc | undefined>;
  /** The publisher that owns an offer, or undefined. */
  publisherOfOffer(offerId: string): Promise<string | undefined>;
  /**
   * Applies `change` to a copy of the publisher's document and stores it atomically; when `change`
   * throws, nothing is stored. Resolves with `change`'s result once durable.
   */
  updatePublisher<R>(id: string, change: (doc: PublisherDoc) => R): Promise<R>;
}

/**
 * The ledger (transactions), changed only through `importBatch`: a whole import, or a ledger
 * correction, is applied all-or-nothing (lowdb: journaled first and replayed on open after a
 * crash; PostgreSQL: one transaction). A rejected reference throws StoreError('invalid').
 */
export interface LedgerPort {
  readTransactions(publisherId: string): Promise<Transaction[]>;
  importBatch(batch: ImportBatch, audit: AuditInput, reduce: AggregateReducer, progress?: (done: number, total: number) => void): Promise<ImportCounts>;
}

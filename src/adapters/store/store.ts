/**
 * The repository interface every backend implements (lowdb today, PostgreSQL next). Callers see
 * only this file; every method is async so a networked backend fits without changing them.
 *
 * Atomicity: `updatePublisher` applies a change to one publisher's aggregate (its facts, program
 * state and running totals) all-or-nothing; `importBatch` applies a whole import (or a ledger
 * correction) all-or-nothing (lowdb: journaled first and replayed on open after a crash;
 * PostgreSQL: one transaction). A promise that resolves means the change is durable (fsync'd or
 * committed). test/store/contract.ts holds what both backends promise.
 */
import { z } from 'zod';
import {
  IsoDateTime,
  MauMetric,
  Offer,
  ProgramState,
  Publisher,
  Staff,
  Ticket,
  Transaction,
  type Staff as StaffT,
} from '../../domain/model.js';

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

export const AuditEntry = z.object({
  at: IsoDateTime,
  /** aadObjectId of a person, or `cli:<user>` / `system`. */
  actor: z.string(),
  action: z.string(),
  publisherId: z.string().optional(),
  subject: z.string().optional(),
  details: z.record(z.string(), z.unknown()).default({}),
  correlationId: z.string().optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export type AuditInput = z.input<typeof AuditEntry>;

/** What a turn's caller is, resolved from tenant + aadObjectId. */
export type Identity =
  | { kind: 'publisher'; publisherId: string; tenantId: string; aadObjectId: string }
  | { kind: 'staff'; staff: StaffT }
  | { kind: 'both'; publisherId: string; tenantId: string; aadObjectId: string; staff: StaffT };

/** A stored Bot Framework conversation reference (opaque JSON), keyed by user or channel. */
export const ConversationRefRecord = z.object({
  key: z.string(),
  reference: z.record(z.string(), z.unknown()),
  updatedAt: IsoDateTime,
});
export type ConversationRefRecord = z.infer<typeof ConversationRefRecord>;

export const OutboxItem = z.object({
  id: z.string(),
  /** Trigger or campaign + recipient: enqueueing the same key twice keeps one item. */
  idempotencyKey: z.string(),
  conversationKey: z.string(),
  /** The recipient's tenant (from its conversation reference when queued): claims are shared out per tenant. */
  tenantId: z.string().nullable().default(null),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'unreachable', 'cancelled']),
  dueAt: IsoDateTime,
  attempts: z.number().int().min(0).default(0),
  lastStatus: z.number().int().nullable().default(null),
  lastError: z.string().nullable().default(null),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  claimedBy: z.string().nullable().default(null),
  /** The id Teams gave the sent message (to update it in place later). */
  activityId: z.string().nullable().default(null),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export interface ClaimOptions {
  perTenant?: number;
  skipTenants?: readonly string[];
}

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

/** Key/value entries with optimistic concurrency, for botbuilder's Storage. */
export interface KvEntry {
  value: unknown;
  eTag: string;
}

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

export interface Store {
  readonly kind: 'lowdb' | 'postgres';
  /** Opens (and validates) the store. Throws StoreError('corrupt') and writes nothing if a file is bad. */
  open(): Promise<void>;
  /** Waits for in-flight writes, then releases files. */
  close(): Promise<void>;
  /** Cheap liveness: the store can still be read. */
  health(): Promise<{ ok: boolean; publishers: number }>;
  isEmpty(): Promise<boolean>;

  // directory
  resolveIdentity(tenantId: string, aadObjectId: string): Promise<Identity | undefined>;
  listPublisherIds(): Promise<string[]>;
  /** The publisher's document, read-only (frozen: change it with `updatePublisher`). */
  getPublisher(id: string): Promise<PublisherDoc | undefined>;
  /** The publisher that owns an offer, or undefined. */
  publisherOfOffer(offerId: string): Promise<string | undefined>;
  listStaff(): Promise<Staff[]>;

  /**
   * Applies `change` to a copy of the publisher's document and stores it atomically; when `change`
   * throws, nothing is stored. Resolves with `change`'s result once durable.
   */
  updatePublisher<R>(id: string, change: (doc: PublisherDoc) => R): Promise<R>;

  // ledger (changed only through importBatch, which journals, so ledger and totals agree)
  readTransactions(publisherId: string): Promise<Transaction[]>;
  importBatch(batch: ImportBatch, audit: AuditInput, reduce: AggregateReducer, progress?: (done: number, total: number) => void): Promise<ImportCounts>;

  // conversations
  /**
   * Stores a reference as its JSON form (fields holding `undefined` dropped); an unchanged one
   * costs no write. `created`: the key was new.
   */
  saveConversationRef(key: string, reference: Record<string, unknown>): Promise<{ created: boolean }>;
  getConversationRef(key: string): Promise<ConversationRefRecord | undefined>;

  // botbuilder Storage
  kvRead(keys: string[]): Promise<Record<string, KvEntry>>;
  /** Writes entries; an entry whose `eTag` is given and not '*' must match the stored one (else 'conflict'). */
  kvWrite(changes: Record<string, { value: unknown; eTag?: string }>): Promise<Record<string, string>>;
  kvDelete(keys: string[]): Promise<void>;

  // audit
  appendAudit(entries: AuditInput[]): Promise<void>;
  readAudit(filter?: { publisherId?: string; limit?: number }): Promise<AuditEntry[]>;

  // support tickets
  /** Allocates the next ticket number (`RW-1001`, …) and stores the ticket in its publisher's document. */
  createTicket(fields: Omit<z.input<typeof Ticket>, 'id'>): Promise<Ticket>;
  getTicket(id: string): Promise<Ticket | undefined>;
  /** Changes one ticket atomically (like updatePublisher); throwing changes nothing. */
  updateTicket<R>(id: string, change: (ticket: Ticket) => R): Promise<R>;
  listTickets(filter?: { publisherId?: string; status?: Ticket['status'][] }): Promise<Ticket[]>;

  // outbox
  enqueueOutbox(items: Array<Pick<OutboxItem, 'idempotencyKey' | 'conversationKey' | 'payload' | 'dueAt'>>): Promise<{ enqueued: number; duplicates: number }>;
  /**
   * Claims up to `limit` due items, oldest first: at most `perTenant` of any one tenant, and none of
   * `skipTenants` (tenants the worker cannot send to right now). Items without a tenant are one group.
   */
  claimOutbox(worker: string, now: string, limit: number, opts?: ClaimOptions): Promise<OutboxItem[]>;
  completeOutbox(id: string, result: Pick<OutboxItem, 'status' | 'lastStatus' | 'lastError' | 'dueAt'> & { activityId?: string | null }): Promise<void>;
  /**
   * Gives back claims that were never sent (a worker stopping): each item still 'sending' for
   * `worker` is queued again as it was before the claim (same due time, attempt not counted).
   * Returns how many were released.
   */
  releaseOutbox(worker: string, ids: string[]): Promise<number>;
  listOutbox(filter?: { status?: OutboxItem['status'] }): Promise<OutboxItem[]>;
  /** The item queued under an idempotency key, if any. */
  findOutbox(idempotencyKey: string): Promise<OutboxItem | undefined>;
}

/**
 * The references an import must satisfy, checked the same way by every backend before anything is
 * written: offers name a known publisher and never move to another; transactions and MAU name a
 * known offer. `isPublisher` and `offerOwner` describe what is already stored; `offerOwner` is
 * completed with the batch's offers and returned. Throws StoreError('invalid') naming the row.
 */
export function planImportReferences(batch: ImportBatch, isPublisher: (id: string) => boolean, offerOwner: Map<string, string>): Map<string, string> {
  const invalid = (collection: keyof ImportBatch, index: number, id: string | undefined, field: string, problem: string): never => {
    throw new StoreError(`${collection}[${index}]${id === undefined ? '' : ` (${id})`}.${field}: ${problem}`, 'invalid', { collection, index, field, problem });
  };
  const batchPublishers = new Set(batch.publishers.map((p) => p.id));
  batch.offers.forEach((o, i) => {
    if (!batchPublishers.has(o.publisherId) && !isPublisher(o.publisherId)) invalid('offers', i, o.id, 'publisherId', `${JSON.stringify(o.publisherId)} is not a known publisher (import it first, or correct the id)`);
    const owner = offerOwner.get(o.id);
    if (owner && owner !== o.publisherId) invalid('offers', i, o.id, 'publisherId', `the offer already belongs to publisher ${owner} (an offer cannot move to another publisher)`);
    offerOwner.set(o.id, o.publisherId);
  });
  batch.transactions.forEach((t, i) => {
    if (!offerOwner.has(t.offerId)) invalid('transactions', i, t.id, 'offerId', `${JSON.stringify(t.offerId)} is not a known offer (import it first, or correct the id)`);
  });
  batch.mau.forEach((m, i) => {
    if (!offerOwner.has(m.offerId)) invalid('mau', i, undefined, 'offerId', `${JSON.stringify(m.offerId)} is not a known offer (import it first, or correct the id)`);
  });
  return offerOwner;
}

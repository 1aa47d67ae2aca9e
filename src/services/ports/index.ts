/**
 * The ports the application needs from a store, one small interface per concern; services take
 * only the ports they use. A backend (lowdb, PostgreSQL) implements them all as one `Store`. Every
 * method is async so a networked backend fits without changing callers. A promise that resolves
 * means the change is durable (fsync'd or committed). test/store/contract.ts holds what both
 * backends promise.
 */
import type { AuditPort } from './audit.js';
import type { ConversationRefPort, KvPort } from './conversations.js';
import type { OutboxPort } from './outbox.js';
import type { LedgerPort, PublisherPort } from './publishers.js';
import type { StaffPort } from './staff.js';
import type { TicketPort } from './tickets.js';

export * from './audit.js';
export * from './conversations.js';
export * from './outbox.js';
export * from './publishers.js';
export * from './staff.js';
export * from './store-error.js';
export * from './tickets.js';

/** Opening, closing and probing a backend: the composition root's and the health checks' concern. */
export interface StoreLifecycle {
  readonly kind: 'lowdb' | 'postgres';
  /** Opens (and validates) the store. Throws StoreError('corrupt') and writes nothing if a file is bad. */
  open(): Promise<void>;
  /** Waits for in-flight writes, then releases files. */
  close(): Promise<void>;
  /** Cheap liveness: the store can still be read. */
  health(): Promise<{ ok: boolean; publishers: number }>;
  isEmpty(): Promise<boolean>;
}

/** Every port on one backend. */
export interface Store extends StoreLifecycle, PublisherPort, LedgerPort, StaffPort, ConversationRefPort, KvPort, AuditPort, TicketPort, OutboxPort {}

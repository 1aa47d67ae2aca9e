/**
 * The scale-out store: the same `Store` as the embedded one, on PostgreSQL, shared by several bot
 * instances. Every acknowledged write is one committed transaction.
 *
 *   publishers      one row per publisher: the whole document (facts, offers, MAU, program state,
 *                   running totals, tickets) as jsonb, changed under SELECT … FOR UPDATE
 *   publisher_users, offers, tickets   lookups kept in the same transaction as the document
 *   transactions    the ledger, changed only by importBatch, in the transaction that folds them
 *                   into the running totals
 *   outbox          claimed with FOR UPDATE SKIP LOCKED; a claim is a lease (claimed_at): the
 *                   'sending' items of an instance that died are claimed again once it runs out
 *
 * Nothing is cached in the process: every read sees what every instance committed.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { z } from 'zod';
import { Staff, Ticket, type Transaction } from '../../../domain/model.js';
import type { AuditEntry as AuditEntryT } from '../store.js';
import {
  AuditEntry,
  OutboxItem,
  PublisherDoc,
  StoreError,
  applyImportToDrafts,
  changeTicketIn,
  planImportReferences,
  type AggregateReducer,
  type AuditInput,
  type ClaimOptions,
  type ConversationRefRecord,
  type Identity,
  type ImportBatch,
  type ImportCounts,
  type KvEntry,
  type Store,
} from '../store.js';
import { deepFreeze, jsonEqual } from '../clone.js';
import { migrate } from './migrate.js';

/** Everything a store holds, read from another backend (copy-store). */
export interface StoreCopy {
  publisherIds: string[];
  publisher(id: string): Promise<PublisherDoc | undefined>;
  transactions(publisherId: string): Promise<Transaction[]>;
  staff: Staff[];
  kv: Array<[string, KvEntry]>;
  conversations: ConversationRefRecord[];
  audit: AuditEntryT[];
  outbox: OutboxItem[];
  /** The last ticket number handed out (1000: none yet). */
  lastTicketNumber: number;
  /** What the source holds, counted while it was read: checked against the copy before it commits. */
  counted(): StoreCounts;
}

/** How many of each thing a store holds (copy-store verifies a copy with these). */
export interface StoreCounts {
  publishers: number;
  transactions: number;
  staff: number;
  tickets: number;
  conversations: number;
  kv: number;
  audit: number;
  outbox: number;
}

export interface PostgresStoreOptions {
  /** How long a claim holds an item: a 'sending' item older than this is claimed again (default 2 min). */
  leaseMs?: number;
  /** Connections per instance (default 10). */
  poolSize?: number;
}

/** Rows per multi-row statement in imports and bulk enqueues. */
const CHUNK = 5_000;
/** Serialises imports across the fleet (pg_advisory_xact_lock key; any constant unlikely to clash). */
const IMPORT_LOCK = 0x52570001;

const userKey = (tenantId: string, aadObjectId: string) => [tenantId.toLowerCase(), aadObjectId.toLowerCase()] as const;
const nowIso = () => new Date().toISOString();
const json = (v: unknown) => JSON.stringify(v);

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(an unparsable URL)';
  }
}

interface OutboxRow {
  id: string;
  idempotency_key: string;
  conversation_key: string;
  tenant_id: string | null;
  payload: Record<string, unknown>;
  status: OutboxItem['status'];
  due_at: Date;
  attempts: number;
  last_status: number | null;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
  claimed_by: string | null;
  activity_id: string | null;
}

const toItem = (r: OutboxRow): OutboxItem => ({
  id: r.id,
  idempotencyKey: r.idempotency_key,
  conversationKey: r.conversation_key,
  tenantId: r.tenant_id,
  payload: r.payload,
  status: r.status,
  dueAt: r.due_at.toISOString(),
  attempts: r.attempts,
  lastStatus: r.last_status,
  lastError: r.last_error,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
  claimedBy: r.claimed_by,
  activityId: r.activity_id,
});

/** The lookup keys a document implies; rewritten only when they change. */
function indexKeys(doc: PublisherDoc) {
  return {
    users: doc.publisher.users.flatMap((u) => doc.publisher.tenantIds.map((t) => userKey(t, u.aadObjectId))),
    offers: doc.offers.map((o) => o.id),
    tickets: doc.tickets.map((t) => t.id),
  };
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  private pool: pg.Pool | null = null;
  private opened = false;
  private closed = false;
  private readonly leaseMs: number;
  private readonly poolSize: number;

  constructor(
    private readonly url: string,
    opts: PostgresStoreOptions = {},
  ) {
    this.leaseMs = opts.leaseMs ?? 120_000;
    this.poolSize = opts.poolSize ?? 10;
  }

  /** Connects and applies pending migrations (under node-pg-migrate's advisory lock). */
  async open(): Promise<void> {
    const pool = new pg.Pool({ connectionString: this.url, max: this.poolSize, application_name: 'rewards-bot' });
    // An idle connection that breaks (server restart) must not crash the process: the next query reports it.
    pool.on('error', () => undefined);
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new StoreError(`cannot connect to PostgreSQL at ${redactUrl(this.url)}: ${(err as Error).message}`, 'closed');
    }
    try {
      await migrate(client);
    } catch (err) {
      client.release();
      await pool.end().catch(() => undefined);
      throw err;
    }
    client.release();
    this.pool = pool;
    this.opened = true;
  }

  /** Refuses new work, waits for what is in flight (pg's pool ends once every client is back). */
  async close(): Promise<void> {
    if (!this.opened || this.closed) return;
    this.closed = true;
    await this.pool!.end();
  }

  private db(): pg.Pool {
    if (!this.opened) throw new StoreError('the store is not open', 'closed');
    if (this.closed) throw new StoreError('the store is closed', 'closed');
    return this.pool!;
  }

  private async query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<T>> {
    return this.db().query<T>(text, values);
  }

  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const c = await this.db().connect();
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      const result = await fn(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      await c.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      c.release(broken);
    }
  }

  async health() {
    const r = await this.query<{ n: number }>('SELECT count(*)::int AS n FROM publishers');
    return { ok: true, publishers: r.rows[0]!.n };
  }

  async isEmpty() {
    const r = await this.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM publishers) AND NOT EXISTS (SELECT 1 FROM staff) AS empty');
    return r.rows[0]!.empty;
  }

  // ---- directory --------------------------------------------------------------------------------

  async resolveIdentity(tenantId: string, aadObjectId: string): Promise<Identity | undefined> {
    const [t, a] = userKey(tenantId, aadObjectId);
    const r = await this.query<{ publisher_id: string | null; staff: Staff | null }>(
      `SELECT (SELECT publisher_id FROM publisher_users WHERE tenant_id = $1 AND aad_object_id = $2 ORDER BY publisher_id LIMIT 1) AS publisher_id,
              (SELECT doc FROM staff WHERE tenant_id = $1 AND aad_object_id = $2) AS staff`,
      [t, a],
    );
    const { publisher_id: publisherId, staff } = r.rows[0]!;
    const base = { tenantId: t, aadObjectId: a };
    if (publisherId && staff) return { kind: 'both', publisherId, staff, ...base };
    if (publisherId) return { kind: 'publisher', publisherId, ...base };
    if (staff) return { kind: 'staff', staff };
    return undefined;
  }

  async listPublisherIds() {
    const r = await this.query<{ id: string }>('SELECT id FROM publishers ORDER BY id COLLATE "C"');
    return r.rows.map((x) => x.id);
  }

  /** A fresh copy of the committed document, frozen like the embedded store's. */
  async getPublisher(id: string) {
    const r = await this.query<{ doc: PublisherDoc }>('SELECT doc FROM publishers WHERE id = $1', [id]);
    return r.rows[0] ? deepFreeze(r.rows[0].doc) : undefined;
  }

  async publisherOfOffer(offerId: string) {
    const r = await this.query<{ publisher_id: string }>('SELECT publisher_id FROM offers WHERE offer_id = $1', [offerId]);
    return r.rows[0]?.publisher_id;
  }

  async listStaff() {
    const r = await this.query<{ doc: Staff }>('SELECT doc FROM staff ORDER BY seq');
    return r.rows.map((x) => x.doc);
  }

  /**
   * The document locked for this transaction, changed by `change`, validated and stored with its
   * lookups. Other instances' updates of the same publisher wait for the lock, so none is lost.
   */
  private async mutate<R>(c: pg.PoolClient, id: string, change: (doc: PublisherDoc) => R): Promise<R> {
    const r = await c.query<{ doc: PublisherDoc }>('SELECT doc FROM publishers WHERE id = $1 FOR UPDATE', [id]);
    const doc = r.rows[0]?.doc;
    if (!doc) throw new StoreError(`no publisher ${id}`, 'not_found');
    const before = indexKeys(doc);
    const result = change(doc);
    PublisherDoc.parse(doc); // a change that breaks the schema is refused before it is stored
    doc.version += 1;
    doc.updatedAt = nowIso();
    await c.query('UPDATE publishers SET doc = $2::jsonb, version = $3, updated_at = now() WHERE id = $1', [id, json(doc), doc.version]);
    const after = indexKeys(doc);
    if (!jsonEqual(before, after)) await this.reindex(c, [[id, doc]]);
    return result;
  }

  /** Rewrites the lookup rows of these publishers (users, offers, tickets). */
  private async reindex(c: pg.PoolClient, docs: Array<[string, PublisherDoc]>) {
    for (const part of chunks(docs)) {
      const ids = part.map(([id]) => id);
      const users: string[][] = [[], [], []];
      const offers: string[][] = [[], []];
      const tickets: string[][] = [[], []];
      for (const [id, doc] of part) {
        const k = indexKeys(doc);
        for (const [t, a] of k.users) {
          users[0]!.push(t);
          users[1]!.push(a);
          users[2]!.push(id);
        }
        for (const o of k.offers) {
          offers[0]!.push(o);
          offers[1]!.push(id);
        }
        for (const t of k.tickets) {
          tickets[0]!.push(t);
          tickets[1]!.push(id);
        }
      }
      await c.query('DELETE FROM publisher_users WHERE publisher_id = ANY($1)', [ids]);
      await c.query('INSERT INTO publisher_users SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING', users);
      await c.query('DELETE FROM offers WHERE publisher_id = ANY($1)', [ids]);
      await c.query('INSERT INTO offers SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (offer_id) DO UPDATE SET publisher_id = excluded.publisher_id', offers);
      await c.query('INSERT INTO tickets SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO UPDATE SET publisher_id = excluded.publisher_id', tickets);
    }
  }

  async updatePublisher<R>(id: string, change: (doc: PublisherDoc) => R): Promise<R> {
    return this.tx((c) => this.mutate(c, id, change));
  }

  // ---- ledger -----------------------------------------------------------------------------------

  async readTransactions(publisherId: string): Promise<Transaction[]> {
    const r = await this.query<{ doc: Transaction }>('SELECT doc FROM transactions WHERE publisher_id = $1 ORDER BY seq', [publisherId]);
    return r.rows.map((x) => x.doc);
  }

  /**
   * One transaction: checks, documents, ledger rows, running totals, staff and the audit entry
   * commit together or not at all. Imports wait for each other (an advisory lock), so two never
   * interleave, on this instance or another.
   */
  async importBatch(batch: ImportBatch, audit: AuditInput, reduce: AggregateReducer, progress?: (done: number, total: number) => void): Promise<ImportCounts> {
    const entry = AuditEntry.parse(audit);
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
      const counts: ImportCounts = {
        publishers: { created: 0, updated: 0 },
        offers: { created: 0, updated: 0 },
        transactions: { created: 0, updated: 0 },
        mau: { created: 0, updated: 0 },
        staff: { created: 0, updated: 0 },
      };
      const offerOwner = await this.plan(c, batch);

      // Every document this import changes, locked.
      const ids = new Set<string>([...batch.publishers.map((p) => p.id), ...batch.offers.map((o) => o.publisherId)]);
      for (const t of batch.transactions) ids.add(offerOwner.get(t.offerId)!);
      for (const m of batch.mau) ids.add(offerOwner.get(m.offerId)!);
      const current = new Map<string, PublisherDoc>();
      for (const part of chunks([...ids].sort())) {
        const r = await c.query<{ id: string; doc: PublisherDoc }>('SELECT id, doc FROM publishers WHERE id = ANY($1) ORDER BY id FOR UPDATE', [part]);
        for (const row of r.rows) current.set(row.id, row.doc);
      }
      const touched = new Map<string, PublisherDoc>();
      const draftOf = (id: string): PublisherDoc => {
        let d = touched.get(id);
        if (!d) {
          d = current.get(id);
          if (!d) throw new StoreError(`no publisher ${id}`, 'not_found');
          touched.set(id, d);
        }
        return d;
      };
      const txByPublisher = applyImportToDrafts(batch, offerOwner, (id) => current.has(id), draftOf, touched, counts);

      // Ledger: compare with what is stored, fold what changed into the totals.
      const existing = new Map<string, Transaction>(); // publisher|id → stored version
      // Only publishers that existed before this import have a ledger to compare with.
      const pairs = batch.transactions.map((t) => ({ p: offerOwner.get(t.offerId)!, i: t.id })).filter((x) => current.has(x.p));
      for (const part of chunks(pairs)) {
        const r = await c.query<{ publisher_id: string; id: string; doc: Transaction }>(
          'SELECT t.publisher_id, t.id, t.doc FROM transactions t JOIN jsonb_to_recordset($1::jsonb) AS u(p text, i text) ON t.publisher_id = u.p AND t.id = u.i',
          [json(part)],
        );
        for (const row of r.rows) existing.set(`${row.publisher_id}|${row.id}`, row.doc);
      }
      const rows = new Map<string, { pid: string; tx: Transaction }>(); // first-seen order, last version wins
      for (const [pid, txs] of txByPublisher) {
        const d = draftOf(pid);
        const changes: Array<{ before: Transaction | undefined; after: Transaction }> = [];
        let created = 0;
        for (const t of txs) {
          const key = `${pid}|${t.id}`;
          const before = existing.get(key);
          if (before && jsonEqual(before, t)) {
            counts.transactions.updated++;
            continue; // an unchanged re-import
          }
          if (before) counts.transactions.updated++;
          else {
            counts.transactions.created++;
            created++;
          }
          existing.set(key, t);
          rows.set(key, { pid, tx: t });
          changes.push({ before, after: t });
        }
        // The reducer sees the count before this batch, as the totals it folds into do.
        reduce(d, changes);
        d.transactionCount += created;
      }

      const at = nowIso();
      for (const d of touched.values()) {
        PublisherDoc.parse(d);
        d.version += 1;
        d.updatedAt = at;
      }
      const total = touched.size + txByPublisher.size;
      let done = 0;
      for (const part of chunks([...touched])) {
        await c.query(
          `INSERT INTO publishers (id, doc, version) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::int[])
           ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, version = excluded.version, updated_at = now()`,
          [part.map(([id]) => id), part.map(([, d]) => json(d)), part.map(([, d]) => d.version)],
        );
        done += part.length;
        progress?.(done, total);
      }
      await this.reindex(c, [...touched]);
      // Ledger rows after their publishers (foreign key); progress counts publishers whose rows are in.
      const remaining = new Map([...txByPublisher].map(([pid, txs]) => [pid, new Set(txs.map((t) => t.id))]));
      const finish = (pid: string, id: string) => {
        const left = remaining.get(pid);
        if (left?.delete(id) && left.size === 0) {
          remaining.delete(pid);
          done++;
        }
      };
      for (const part of chunks([...rows.values()])) {
        await c.query(
          `INSERT INTO transactions (publisher_id, id, doc)
           SELECT e.x->>0, e.x->1->>'id', e.x->1 FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n) ORDER BY e.n
           ON CONFLICT (publisher_id, id) DO UPDATE SET doc = excluded.doc`,
          [json(part.map((r) => [r.pid, r.tx]))],
        );
        for (const r of part) finish(r.pid, r.tx.id);
        progress?.(done, total);
      }
      // Publishers whose transactions were all unchanged.
      if (remaining.size > 0) {
        done += remaining.size;
        progress?.(done, total);
      }

      if (batch.staff.length > 0) {
        const keys = batch.staff.map((s) => userKey(s.tenantId, s.aadObjectId));
        const r = await c.query<{ k: string }>(
          `SELECT s.tenant_id || '|' || s.aad_object_id AS k FROM staff s JOIN unnest($1::text[], $2::text[]) AS u(t, a) ON s.tenant_id = u.t AND s.aad_object_id = u.a`,
          [keys.map((k) => k[0]), keys.map((k) => k[1])],
        );
        const known = new Set(r.rows.map((x) => x.k));
        for (const [t, a] of keys) {
          if (known.has(`${t}|${a}`)) counts.staff.updated++;
          else {
            counts.staff.created++;
            known.add(`${t}|${a}`);
          }
        }
        // One row per person: the last occurrence in the batch wins, as in the embedded store.
        const last = new Map(batch.staff.map((s, i) => [`${keys[i]![0]}|${keys[i]![1]}`, { key: keys[i]!, s }]));
        const list = [...last.values()];
        await c.query(
          `INSERT INTO staff (tenant_id, aad_object_id, doc) SELECT u.t, u.a, u.d FROM unnest($1::text[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS u(t, a, d, n) ORDER BY u.n
           ON CONFLICT (tenant_id, aad_object_id) DO UPDATE SET doc = excluded.doc`,
          [list.map((x) => x.key[0]), list.map((x) => x.key[1]), list.map((x) => json(x.s))],
        );
      }
      const withCounts = { ...entry, details: { ...entry.details, counts } };
      await c.query('INSERT INTO audit (publisher_id, entry) VALUES ($1, $2::jsonb)', [withCounts.publisherId ?? null, json(withCounts)]);
      return counts;
    });
  }

  /** Checks references across the batch and the database; throws StoreError('invalid') naming the row. */
  private async plan(c: pg.PoolClient, batch: ImportBatch): Promise<Map<string, string>> {
    const referenced = [...new Set(batch.offers.map((o) => o.publisherId))];
    const known = new Set((await c.query<{ id: string }>('SELECT id FROM publishers WHERE id = ANY($1)', [referenced])).rows.map((r) => r.id));
    for (const p of batch.publishers) known.add(p.id);
    const offerIds = [...new Set([...batch.offers.map((o) => o.id), ...batch.transactions.map((t) => t.offerId), ...batch.mau.map((m) => m.offerId)])];
    const offerOwner = new Map<string, string>();
    for (const part of chunks(offerIds)) {
      const r = await c.query<{ offer_id: string; publisher_id: string }>('SELECT offer_id, publisher_id FROM offers WHERE offer_id = ANY($1)', [part]);
      for (const row of r.rows) offerOwner.set(row.offer_id, row.publisher_id);
    }
    return planImportReferences(batch, (id) => known.has(id), offerOwner);
  }

  // ---- conversations and botbuilder Storage -----------------------------------------------------

  /**
   * One statement, run on every turn: an unchanged reference (jsonb equality, key order ignored,
   * like jsonEqual) matches the WHERE of the upsert, so no row is rewritten and none returned.
   */
  async saveConversationRef(key: string, reference: Record<string, unknown>) {
    const r = await this.query<{ created: boolean }>(
      `INSERT INTO conversations (key, reference, updated_at) VALUES ($1, $2::jsonb, now())
       ON CONFLICT (key) DO UPDATE SET reference = excluded.reference, updated_at = excluded.updated_at
         WHERE conversations.reference IS DISTINCT FROM excluded.reference
       RETURNING (xmax = 0) AS created`,
      [key, json(reference)],
    );
    return { created: r.rows[0]?.created ?? false };
  }

  async getConversationRef(key: string): Promise<ConversationRefRecord | undefined> {
    const r = await this.query<{ reference: Record<string, unknown>; updated_at: Date }>('SELECT reference, updated_at FROM conversations WHERE key = $1', [key]);
    const row = r.rows[0];
    return row ? { key, reference: row.reference, updatedAt: row.updated_at.toISOString() } : undefined;
  }

  async kvRead(keys: string[]) {
    const r = await this.query<{ key: string; value: unknown; etag: string }>('SELECT key, value, etag FROM kv WHERE key = ANY($1)', [keys]);
    const out: Record<string, KvEntry> = {};
    for (const row of r.rows) out[row.key] = { value: row.value, eTag: row.etag };
    return out;
  }

  async kvWrite(changes: Record<string, { value: unknown; eTag?: string }>) {
    const keys = Object.keys(changes).sort();
    return this.tx(async (c) => {
      // Lock what exists and check every eTag before writing anything, so a conflict changes nothing.
      const r = await c.query<{ key: string; etag: string }>('SELECT key, etag FROM kv WHERE key = ANY($1) ORDER BY key FOR UPDATE', [keys]);
      const have = new Map(r.rows.map((x) => [x.key, x.etag]));
      for (const k of keys) {
        const want = changes[k]!.eTag;
        if (want !== undefined && want !== '*' && want !== have.get(k)) {
          throw new StoreError(`eTag conflict on ${k}: the state was changed by another turn`, 'conflict');
        }
      }
      const eTags: Record<string, string> = {};
      for (const k of keys) eTags[k] = randomUUID();
      await c.query(
        `INSERT INTO kv (key, value, etag) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[])
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, etag = excluded.etag`,
        [keys, keys.map((k) => json(changes[k]!.value ?? null)), keys.map((k) => eTags[k])],
      );
      return eTags;
    });
  }

  async kvDelete(keys: string[]) {
    await this.query('DELETE FROM kv WHERE key = ANY($1)', [keys]);
  }

  // ---- audit ------------------------------------------------------------------------------------

  async appendAudit(entries: AuditInput[]) {
    const parsed = entries.map((e) => AuditEntry.parse(e));
    if (parsed.length === 0) return;
    await this.query(
      'INSERT INTO audit (publisher_id, entry) SELECT u.p, u.e FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS u(p, e, n) ORDER BY u.n',
      [parsed.map((e) => e.publisherId ?? null), parsed.map(json)],
    );
  }

  async readAudit(filter: { publisherId?: string; limit?: number } = {}) {
    const r = await this.query<{ entry: unknown }>(
      `SELECT entry FROM (SELECT seq, entry FROM audit WHERE ($1::text IS NULL OR publisher_id = $1) ORDER BY seq DESC LIMIT $2) AS last ORDER BY seq`,
      [filter.publisherId ?? null, filter.limit || null],
    );
    return r.rows.map((x) => AuditEntry.parse(x.entry));
  }

  // ---- support tickets --------------------------------------------------------------------------

  /** The number comes from a sequence: never handed out twice, even when the transaction rolls back. */
  async createTicket(fields: Omit<z.input<typeof Ticket>, 'id'>): Promise<Ticket> {
    return this.tx(async (c) => {
      const exists = await c.query('SELECT 1 FROM publishers WHERE id = $1', [fields.publisherId]);
      if (exists.rowCount === 0) throw new StoreError(`no publisher ${fields.publisherId}`, 'not_found');
      const n = (await c.query<{ n: string }>("SELECT nextval('ticket_number') AS n")).rows[0]!.n;
      const ticket = Ticket.parse({ ...fields, id: `RW-${n}` });
      await this.mutate(c, fields.publisherId, (d) => void d.tickets.push(ticket));
      return ticket;
    });
  }

  async getTicket(id: string) {
    const r = await this.query<{ t: Ticket }>(
      `SELECT t FROM tickets i JOIN publishers p ON p.id = i.publisher_id CROSS JOIN LATERAL jsonb_array_elements(p.doc->'tickets') AS t
       WHERE i.id = $1 AND t->>'id' = $1`,
      [id],
    );
    return r.rows[0]?.t;
  }

  async updateTicket<R>(id: string, change: (ticket: Ticket) => R): Promise<R> {
    const owner = await this.query<{ publisher_id: string }>('SELECT publisher_id FROM tickets WHERE id = $1', [id]);
    const pid = owner.rows[0]?.publisher_id;
    if (!pid) throw new StoreError(`no ticket ${id}`, 'not_found');
    return this.updatePublisher(pid, (d) => changeTicketIn(d, id, pid, change));
  }

  async listTickets(filter: { publisherId?: string; status?: Ticket['status'][] } = {}) {
    const r = await this.query<{ tickets: Ticket[] }>(
      `SELECT p.doc->'tickets' AS tickets FROM publishers p
       WHERE p.id IN (SELECT publisher_id FROM tickets) AND ($1::text IS NULL OR p.id = $1) ORDER BY p.id COLLATE "C"`,
      [filter.publisherId ?? null],
    );
    const out: Ticket[] = [];
    for (const row of r.rows) for (const t of row.tickets) if (!filter.status || filter.status.includes(t.status)) out.push(t);
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  // ---- outbox -----------------------------------------------------------------------------------

  /** The tenant is read from the stored conversation reference, in the statement that queues the item. */
  async enqueueOutbox(items: Array<Pick<OutboxItem, 'idempotencyKey' | 'conversationKey' | 'payload' | 'dueAt'>>) {
    const at = nowIso();
    const parsed = items.map((it) => OutboxItem.parse({ ...it, id: randomUUID(), status: 'queued', createdAt: at, updatedAt: at }));
    let enqueued = 0;
    for (const part of chunks(parsed)) {
      const r = await this.query(
        `INSERT INTO outbox (id, idempotency_key, conversation_key, tenant_id, payload, status, due_at, attempts, created_at, updated_at)
         SELECT u.id, u.k, u.c,
                (SELECT CASE WHEN jsonb_typeof(r.reference->'conversation'->'tenantId') = 'string'
                             THEN nullif(r.reference->'conversation'->>'tenantId', '') END
                   FROM conversations r WHERE r.key = u.c),
                u.p, 'queued', u.due, 0, $6, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::timestamptz[]) WITH ORDINALITY AS u(id, k, c, p, due, n)
          ORDER BY u.n
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [part.map((i) => i.id), part.map((i) => i.idempotencyKey), part.map((i) => i.conversationKey), part.map((i) => json(i.payload)), part.map((i) => i.dueAt), at],
      );
      enqueued += r.rowCount ?? 0;
    }
    return { enqueued, duplicates: items.length - enqueued };
  }

  /**
   * Walks due items oldest first, locking with SKIP LOCKED so instances claiming at the same time
   * never take the same item; a tenant at its cap is left out of the next page of the walk.
   */
  async claimOutbox(worker: string, now: string, limit: number, opts: ClaimOptions = {}) {
    if (limit <= 0) return [];
    const perTenant = opts.perTenant ?? Infinity;
    const leaseCutoff = new Date(Date.parse(now) - this.leaseMs).toISOString();
    return this.tx(async (c) => {
      const exclude = new Set(opts.skipTenants ?? []);
      const taken = new Map<string, number>();
      const ids: string[] = [];
      const page = Math.max(2 * limit, 100);
      let after = '0';
      for (;;) {
        const r = await c.query<{ id: string; seq: string; tenant: string }>(
          `SELECT id, seq, coalesce(tenant_id, '') AS tenant FROM outbox
            WHERE status IN ('queued', 'sending') AND seq > $1 AND due_at <= $2
              AND (status = 'queued' OR (claimed_by IS DISTINCT FROM $3 AND (claimed_at IS NULL OR claimed_at <= $4)))
              AND coalesce(tenant_id, '') <> ALL($5::text[])
            ORDER BY seq LIMIT $6
            FOR UPDATE SKIP LOCKED`,
          [after, now, worker, leaseCutoff, [...exclude], page],
        );
        for (const row of r.rows) {
          after = row.seq;
          const n = taken.get(row.tenant) ?? 0;
          if (n >= perTenant) continue;
          ids.push(row.id);
          taken.set(row.tenant, n + 1);
          if (n + 1 >= perTenant) exclude.add(row.tenant);
          if (ids.length >= limit) break;
        }
        if (ids.length >= limit || r.rows.length < page) break;
      }
      if (ids.length === 0) return [];
      const u = await c.query<OutboxRow & { seq: string }>(
        `UPDATE outbox SET status = 'sending', claimed_by = $2, claimed_at = $3, attempts = attempts + 1, updated_at = $3
          WHERE id = ANY($1) RETURNING *`,
        [ids, worker, now],
      );
      return u.rows.sort((a, b) => Number(a.seq) - Number(b.seq)).map(toItem);
    });
  }

  async findOutbox(idempotencyKey: string) {
    const r = await this.query<OutboxRow>('SELECT * FROM outbox WHERE idempotency_key = $1', [idempotencyKey]);
    return r.rows[0] ? toItem(r.rows[0]) : undefined;
  }

  async completeOutbox(id: string, result: Pick<OutboxItem, 'status' | 'lastStatus' | 'lastError' | 'dueAt'> & { activityId?: string | null }) {
    const r = await this.query(
      `UPDATE outbox SET status = $2, last_status = $3, last_error = $4, due_at = $5,
              activity_id = CASE WHEN $6 THEN $7 ELSE activity_id END, updated_at = $8,
              claimed_by = CASE WHEN $2 = 'queued' THEN NULL ELSE claimed_by END,
              claimed_at = CASE WHEN $2 = 'queued' THEN NULL ELSE claimed_at END
        WHERE id = $1`,
      [id, result.status, result.lastStatus, result.lastError, result.dueAt, result.activityId !== undefined, result.activityId ?? null, nowIso()],
    );
    if (r.rowCount === 0) throw new StoreError(`no outbox item ${id}`, 'not_found');
  }

  async releaseOutbox(worker: string, ids: string[]) {
    const r = await this.query(
      `UPDATE outbox SET status = 'queued', claimed_by = NULL, claimed_at = NULL, attempts = greatest(0, attempts - 1), updated_at = $3
        WHERE id = ANY($1) AND status = 'sending' AND claimed_by = $2`,
      [ids, worker, nowIso()],
    );
    return r.rowCount ?? 0;
  }

  async listOutbox(filter: { status?: OutboxItem['status'] } = {}) {
    const r = await this.query<OutboxRow>('SELECT * FROM outbox WHERE ($1::text IS NULL OR status = $1) ORDER BY seq', [filter.status ?? null]);
    return r.rows.map(toItem);
  }
  // ---- copy-store -------------------------------------------------------------------------------

  async counts(): Promise<StoreCounts> {
    return this.countWith(this.db());
  }

  private async countWith(q: pg.Pool | pg.PoolClient): Promise<StoreCounts> {
    const r = await q.query<StoreCounts>(
      `SELECT (SELECT count(*)::int FROM publishers) AS publishers, (SELECT count(*)::int FROM transactions) AS transactions,
              (SELECT count(*)::int FROM staff) AS staff, (SELECT count(*)::int FROM tickets) AS tickets,
              (SELECT count(*)::int FROM conversations) AS conversations, (SELECT count(*)::int FROM kv) AS kv,
              (SELECT count(*)::int FROM audit) AS audit, (SELECT count(*)::int FROM outbox) AS outbox`,
    );
    return r.rows[0]!;
  }

  /**
   * Fills this empty database with a copy of another store, in one transaction: a copy that fails
   * leaves the database empty, ready for another try. Refuses a database that holds anything.
   */
  async restore(copy: StoreCopy, progress?: (done: number, total: number) => void): Promise<StoreCounts> {
    return this.tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [IMPORT_LOCK]);
      const held = await this.countWith(c);
      const nonEmpty = Object.entries(held).filter(([, n]) => n > 0);
      if (nonEmpty.length > 0) {
        throw new StoreError(`the database is not empty (${nonEmpty.map(([k, n]) => `${n} ${k}`).join(', ')}): copy-store fills only an empty database`, 'invalid');
      }
      const total = copy.publisherIds.length;
      let done = 0;
      let rows: Array<[string, Transaction]> = [];
      const flush = async () => {
        if (rows.length === 0) return;
        await c.query(
          `INSERT INTO transactions (publisher_id, id, doc)
           SELECT e.x->>0, e.x->1->>'id', e.x->1 FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n) ORDER BY e.n`,
          [json(rows)],
        );
        rows = [];
      };
      for (const ids of chunks(copy.publisherIds, 500)) {
        const docs: Array<[string, PublisherDoc]> = [];
        for (const id of ids) {
          const doc = await copy.publisher(id);
          if (doc) docs.push([id, doc]);
        }
        await c.query('INSERT INTO publishers (id, doc, version) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::int[])', [
          docs.map(([id]) => id),
          docs.map(([, d]) => json(d)),
          docs.map(([, d]) => d.version),
        ]);
        await this.reindex(c, docs);
        for (const [id] of docs) {
          for (const t of await copy.transactions(id)) rows.push([id, t]);
          if (rows.length >= CHUNK) await flush();
        }
        await flush();
        done += ids.length;
        progress?.(done, total);
      }
      const staff = copy.staff.map((s) => ({ key: userKey(s.tenantId, s.aadObjectId), s }));
      await c.query(
        'INSERT INTO staff (tenant_id, aad_object_id, doc) SELECT u.t, u.a, u.d FROM unnest($1::text[], $2::text[], $3::jsonb[]) WITH ORDINALITY AS u(t, a, d, n) ORDER BY u.n',
        [staff.map((x) => x.key[0]), staff.map((x) => x.key[1]), staff.map((x) => json(x.s))],
      );
      for (const part of chunks(copy.kv)) {
        await c.query('INSERT INTO kv (key, value, etag) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::text[])', [
          part.map(([k]) => k),
          part.map(([, e]) => json(e.value ?? null)),
          part.map(([, e]) => e.eTag),
        ]);
      }
      for (const part of chunks(copy.conversations)) {
        await c.query('INSERT INTO conversations (key, reference, updated_at) SELECT * FROM unnest($1::text[], $2::jsonb[], $3::timestamptz[])', [
          part.map((r) => r.key),
          part.map((r) => json(r.reference)),
          part.map((r) => r.updatedAt),
        ]);
      }
      for (const part of chunks(copy.audit)) {
        await c.query('INSERT INTO audit (publisher_id, entry) SELECT u.p, u.e FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS u(p, e, n) ORDER BY u.n', [
          part.map((e) => e.publisherId ?? null),
          part.map(json),
        ]);
      }
      // A 'sending' item comes over without a claim time: the first claim after the copy takes it again.
      for (const part of chunks(copy.outbox)) {
        const col = <K extends keyof OutboxItem>(k: K) => part.map((i) => i[k]);
        await c.query(
          `INSERT INTO outbox (id, idempotency_key, conversation_key, tenant_id, payload, status, due_at, attempts, last_status, last_error, created_at, updated_at, claimed_by, activity_id)
           SELECT u.id, u.k, u.c, u.t, u.p, u.s, u.due, u.a, u.ls, u.le, u.ca, u.ua, u.cb, u.act
             FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::timestamptz[], $8::int[], $9::int[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::text[], $14::text[])
                  WITH ORDINALITY AS u(id, k, c, t, p, s, due, a, ls, le, ca, ua, cb, act, n)
            ORDER BY u.n`,
          [
            col('id'),
            col('idempotencyKey'),
            col('conversationKey'),
            col('tenantId'),
            part.map((i) => json(i.payload)),
            col('status'),
            col('dueAt'),
            col('attempts'),
            col('lastStatus'),
            col('lastError'),
            col('createdAt'),
            col('updatedAt'),
            col('claimedBy'),
            col('activityId'),
          ],
        );
      }
      if (copy.lastTicketNumber > 1000) await c.query("SELECT setval('ticket_number', $1)", [copy.lastTicketNumber]);
      const copied = await this.countWith(c);
      const source = copy.counted();
      const off = (Object.keys(source) as Array<keyof StoreCounts>).filter((k) => source[k] !== copied[k]);
      if (off.length > 0) {
        throw new StoreError(`the copy does not match its source (${off.map((k) => `${k}: ${source[k]} read, ${copied[k]} written`).join('; ')}): nothing was kept`, 'corrupt');
      }
      return copied;
    });
  }

}

/**
 * The embedded store: lowdb documents under DATA_DIR, laid out so one write touches one small file.
 *
 *   meta.json                 format version
 *   staff.json                Rewards team and support staff
 *   publishers/<id>.json      one publisher: facts, offers, MAU, program state, running totals
 *   ledger/<id>.jsonl         that publisher's transactions, appended (last version of an id wins)
 *   kv/<nn>.json              conversation references and dialog state, in 64 shards by key hash
 *   outbox.json               proactive messages waiting or sent
 *   audit.jsonl               who changed what, appended
 *   import-journal.json       present only while an import is being applied (replayed on open)
 *
 * One process writes (see README). Publisher documents are all loaded and validated on open, so a
 * bad file stops start-up before anything is written.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { MauMetric, Offer, Publisher, Staff, Ticket, Transaction } from '../../../domain/model.js';
import {
  AuditEntry,
  ConversationRefRecord,
  OutboxItem,
  PublisherDoc,
  StoreError,
  type AggregateReducer,
  type ClaimOptions,
  applyImportToDrafts,
  changeTicketIn,
  planImportReferences,
  type AuditInput,
  type ImportBatch,
  type ImportCounts,
  type Identity,
  type KvEntry,
  type Store,
} from '../store.js';
import { cloneJson, jsonEqual } from '../clone.js';
import { AppendLog } from './append-log.js';
import { Doc, ensureDir, readJsonFile, writeFileDurable } from './durable-file.js';

const FORMAT = 1;
const Meta = z.object({ format: z.literal(FORMAT), createdAt: z.string() });
const StaffFile = z.object({ staff: z.array(Staff) });
const KvShard = z.object({ entries: z.record(z.string(), z.object({ value: z.unknown(), eTag: z.string() })) });
type KvShard = z.infer<typeof KvShard>;
/** The outbox is an append-only log of item versions (last version of an id wins), compacted on open. */
const OutboxRecord = OutboxItem;
const Counters = z.object({ ticket: z.number().int().min(1000) });
const Journal = z.object({
  batch: z.object({
    publishers: z.array(Publisher),
    offers: z.array(Offer),
    transactions: z.array(Transaction),
    mau: z.array(MauMetric),
    staff: z.array(Staff),
  }),
  audit: AuditEntry,
});

const KV_SHARDS = 64;
const SHARD_MEMO = 100_000;
const CONV_PREFIX = 'conversation/';

const userKey = (tenantId: string, aadObjectId: string) => `${tenantId.toLowerCase()}|${aadObjectId.toLowerCase()}`;
const nowIso = () => new Date().toISOString();

export class LowdbStore implements Store {
  readonly kind = 'lowdb' as const;
  private readonly docs = new Map<string, Doc<PublisherDoc>>();
  private readonly ledgers = new Map<string, AppendLog>();
  private readonly users = new Map<string, string>(); // tenant|aad → publisherId
  private readonly offers = new Map<string, string>(); // offerId → publisherId
  private readonly indexed = new Map<string, { users: string[]; offers: string[] }>();
  private staffDoc!: Doc<z.infer<typeof StaffFile>>;
  private outboxLog!: AppendLog;
  private readonly outbox = new Map<string, OutboxItem>();
  private readonly outboxKeys = new Map<string, string>(); // idempotency key → item id
  /** Items still to send (queued or sending), so claims do not walk the whole history. */
  private readonly outboxPending = new Set<string>();
  private counters!: Doc<z.infer<typeof Counters>>;
  private readonly ticketOwner = new Map<string, string>(); // ticket id → publisherId
  private readonly kv = new Map<number, Doc<KvShard>>();
  private readonly shardOf = new Map<string, number>(); // key → shard, a bounded memo
  private audit!: AppendLog;
  private opened = false;
  private closed = false;
  /** Serialises imports (and replays) so two never interleave. */
  private importChain: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  private path(...parts: string[]) {
    return join(this.dir, ...parts);
  }

  async open(): Promise<void> {
    await ensureDir(this.dir);
    const meta = await readJsonFile(this.path('meta.json'), Meta);
    if (!meta) {
      const entries = (await readdir(this.dir)).filter((f) => !f.startsWith('.'));
      if (entries.length > 0) {
        throw new StoreError(
          `${this.dir} is not empty but has no meta.json: refusing to use it as a store (nothing was written).`,
          'corrupt',
        );
      }
    }
    await this.lock();
    await Promise.all([ensureDir(this.path('publishers')), ensureDir(this.path('ledger')), ensureDir(this.path('kv'))]);

    // Load and validate everything before the first write, so a bad file stops start-up untouched.
    this.staffDoc = new Doc(this.path('staff.json'), StaffFile, { staff: [] });
    await this.staffDoc.load();
    this.outboxLog = new AppendLog(this.path('outbox.jsonl'));
    const versions = await this.outboxLog.readAll(OutboxRecord);
    for (const v of versions) {
      this.outbox.set(v.id, v);
      this.outboxKeys.set(v.idempotencyKey, v.id);
    }
    for (const it of this.outbox.values()) if (it.status === 'queued' || it.status === 'sending') this.outboxPending.add(it.id);
    this.counters = new Doc(this.path('counters.json'), Counters, { ticket: 1000 });
    await this.counters.load();
    for (let i = 0; i < KV_SHARDS; i++) {
      const d = new Doc(this.path('kv', `${String(i).padStart(2, '0')}.json`), KvShard, { entries: {} });
      await d.load();
      this.kv.set(i, d);
    }
    const files = (await readdir(this.path('publishers'))).filter((f) => f.endsWith('.json') && !f.startsWith('.'));
    await mapLimit(files, 32, async (f) => {
      const id = f.slice(0, -'.json'.length);
      const file = this.path('publishers', f);
      const data = await readJsonFile(file, PublisherDoc);
      if (!data) return; // removed while listing
      const doc = new Doc<PublisherDoc>(file, PublisherDoc, data, { frozen: true, adopt: true });
      if (doc.data.publisher.id !== id) {
        throw new StoreError(`${this.path('publishers', f)} holds publisher ${doc.data.publisher.id}; the file was left untouched.`, 'corrupt');
      }
      this.docs.set(id, doc);
    });
    for (const [id, doc] of this.docs) this.index(id, doc.data);
    this.audit = new AppendLog(this.path('audit.jsonl'));
    const journal = await readJsonFile(this.path('import-journal.json'), Journal);

    if (!meta) await writeFileDurable(this.path('meta.json'), JSON.stringify({ format: FORMAT, createdAt: nowIso() }));
    // Compact the outbox log when old versions dominate (one durable rewrite, then appends again).
    if (versions.length > 2 * this.outbox.size + 1000) {
      const lines = [...this.outbox.values()].map((i) => JSON.stringify(i)).join('\n');
      await writeFileDurable(this.path('outbox.jsonl'), lines ? `${lines}\n` : '');
      this.outboxLog = new AppendLog(this.path('outbox.jsonl'));
    }
    this.opened = true;
    if (journal) await this.applyJournal(journal.batch, journal.audit, null);
  }

  async close(): Promise<void> {
    if (!this.opened || this.closed) return;
    this.closed = true;
    await this.importChain.catch(() => undefined);
    const docs: Array<Doc<unknown>> = [...this.docs.values(), ...this.kv.values(), this.staffDoc, this.counters] as Array<Doc<unknown>>;
    await Promise.all([...docs.map((d) => d.settle()), ...[...this.ledgers.values(), this.audit, this.outboxLog].map((l) => l.settle())]);
    await unlink(this.path('.lock')).catch(() => undefined);
  }

  /** One writer per data folder: a second process (the CLI while the bot runs) is refused. */
  private async lock(): Promise<void> {
    const path = this.path('.lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await writeFile(path, String(process.pid), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new StoreError(`${this.dir} is in use by process ${pid} (only one process may write the embedded store; stop it first)`, 'locked');
      }
      await unlink(path).catch(() => undefined); // left by a process that died
    }
    throw new StoreError(`could not lock ${this.dir}`, 'locked');
  }

  private live(): void {
    if (!this.opened) throw new StoreError('the store is not open', 'closed');
    if (this.closed) throw new StoreError('the store is closed', 'closed');
  }

  async health() {
    this.live();
    return { ok: true, publishers: this.docs.size };
  }

  async isEmpty() {
    return this.docs.size === 0 && this.staffDoc.data.staff.length === 0;
  }

  private index(id: string, doc: PublisherDoc) {
    const prev = this.indexed.get(id);
    for (const k of prev?.users ?? []) if (this.users.get(k) === id) this.users.delete(k);
    for (const k of prev?.offers ?? []) if (this.offers.get(k) === id) this.offers.delete(k);
    const users = doc.publisher.users.flatMap((u) => doc.publisher.tenantIds.map((t) => userKey(t, u.aadObjectId)));
    const offers = doc.offers.map((o) => o.id);
    for (const k of users) this.users.set(k, id);
    for (const k of offers) this.offers.set(k, id);
    for (const t of doc.tickets) this.ticketOwner.set(t.id, id);
    this.indexed.set(id, { users, offers });
  }

  async resolveIdentity(tenantId: string, aadObjectId: string): Promise<Identity | undefined> {
    const key = userKey(tenantId, aadObjectId);
    const publisherId = this.users.get(key);
    const staff = this.staffDoc.data.staff.find((s) => userKey(s.tenantId, s.aadObjectId) === key);
    const base = { tenantId: tenantId.toLowerCase(), aadObjectId: aadObjectId.toLowerCase() };
    if (publisherId && staff) return { kind: 'both', publisherId, staff, ...base };
    if (publisherId) return { kind: 'publisher', publisherId, ...base };
    if (staff) return { kind: 'staff', staff };
    return undefined;
  }

  async listPublisherIds() {
    return [...this.docs.keys()].sort();
  }

  /** The stored document itself: frozen, so it is handed out without a copy. */
  async getPublisher(id: string) {
    return this.docs.get(id)?.data;
  }

  async publisherOfOffer(offerId: string) {
    return this.offers.get(offerId);
  }

  async listStaff() {
    return cloneJson(this.staffDoc.data.staff);
  }

  async updatePublisher<R>(id: string, change: (doc: PublisherDoc) => R): Promise<R> {
    this.live();
    const doc = this.docs.get(id);
    if (!doc) throw new StoreError(`no publisher ${id}`, 'not_found');
    const result = await doc.update((d) => {
      const r = change(d);
      PublisherDoc.parse(d); // a change that breaks the schema is refused before it is stored
      d.version += 1;
      d.updatedAt = nowIso();
      return r;
    });
    this.index(id, doc.data);
    return result;
  }

  private ledger(publisherId: string): AppendLog {
    let l = this.ledgers.get(publisherId);
    if (!l) {
      l = new AppendLog(this.path('ledger', `${publisherId}.jsonl`));
      this.ledgers.set(publisherId, l);
    }
    return l;
  }

  async readTransactions(publisherId: string): Promise<Transaction[]> {
    const all = await this.ledger(publisherId).readAll(Transaction);
    const latest = new Map<string, Transaction>();
    for (const t of all) latest.set(t.id, t);
    return [...latest.values()];
  }

  importBatch(batch: ImportBatch, audit: AuditInput, reduce: AggregateReducer, progress?: (done: number, total: number) => void): Promise<ImportCounts> {
    this.live();
    const run = this.importChain.then(async () => {
      const entry = AuditEntry.parse(audit);
      // Plan first: any inconsistency throws here, before a byte is written.
      this.plan(batch);
      await writeFileDurable(this.path('import-journal.json'), JSON.stringify({ batch, audit: entry }));
      return this.applyJournal(batch, entry, reduce, progress);
    });
    this.importChain = run.catch(() => undefined);
    return run;
  }

  /** Checks references across the batch and the store; throws StoreError('invalid') naming the row. */
  private plan(batch: ImportBatch) {
    return planImportReferences(batch, (id) => this.docs.has(id), new Map(this.offers));
  }

  /** Applies a journaled import. Idempotent, so a replay after a crash converges. */
  private async applyJournal(batch: ImportBatch, audit: AuditEntry, reduce: AggregateReducer | null, progress?: (done: number, total: number) => void): Promise<ImportCounts> {
    const counts: ImportCounts = {
      publishers: { created: 0, updated: 0 },
      offers: { created: 0, updated: 0 },
      transactions: { created: 0, updated: 0 },
      mau: { created: 0, updated: 0 },
      staff: { created: 0, updated: 0 },
    };
    const offerOwner = this.plan(batch);
    const touched = new Map<string, PublisherDoc>();
    const draftOf = (id: string): PublisherDoc => {
      let d = touched.get(id);
      if (!d) {
        const cur = this.docs.get(id)?.data;
        if (!cur) throw new StoreError(`no publisher ${id}`, 'not_found');
        d = cloneJson(cur);
        touched.set(id, d);
      }
      return d;
    };
    const txByPublisher = applyImportToDrafts(batch, offerOwner, (id) => this.docs.has(id), draftOf, touched, counts);
    const total = touched.size + txByPublisher.size;
    let done = 0;
    // Ledgers: append what is new or changed, fold into the drafts' totals.
    await mapLimit([...txByPublisher], 16, async ([pid, txs]) => {
      const d = draftOf(pid);
      const existing = new Map((await this.readTransactions(pid)).map((t) => [t.id, t]));
      const changed: Transaction[] = [];
      const changes: Array<{ before: Transaction | undefined; after: Transaction }> = [];
      let created = 0;
      // A replayed import cannot know which changes reached the totals before the crash: mark
      // them stale so the next read recomputes them from the ledger.
      if (!reduce) d.aggregates = { ...d.aggregates, stale: true };
      for (const t of txs) {
        const before = existing.get(t.id);
        if (before && JSON.stringify(before) === JSON.stringify(t)) {
          counts.transactions.updated++;
          continue; // a replay or an unchanged re-import
        }
        if (before) counts.transactions.updated++;
        else {
          counts.transactions.created++;
          created++;
        }
        existing.set(t.id, t);
        changed.push(t);
        changes.push({ before, after: t });
      }
      // The reducer sees the count before this batch, as the totals it folds into do.
      reduce?.(d, changes);
      d.transactionCount += created;
      await this.ledger(pid).append(changed);
      progress?.(++done, total);
    });
    const at = nowIso();
    await mapLimit([...touched], 16, async ([id, draft]) => {
      PublisherDoc.parse(draft);
      draft.version += 1;
      draft.updatedAt = at;
      const doc = this.docs.get(id);
      if (doc) await doc.replace(draft);
      else {
        const created = new Doc<PublisherDoc>(this.path('publishers', `${id}.json`), PublisherDoc, draft, { frozen: true });
        this.docs.set(id, created);
        await created.flush();
      }
      this.index(id, draft);
      if (!txByPublisher.has(id)) progress?.(++done, total);
    });
    if (batch.staff.length > 0) {
      await this.staffDoc.update((s) => {
        for (const st of batch.staff) {
          const i = s.staff.findIndex((x) => userKey(x.tenantId, x.aadObjectId) === userKey(st.tenantId, st.aadObjectId));
          if (i >= 0) {
            counts.staff.updated++;
            s.staff[i] = st;
          } else {
            counts.staff.created++;
            s.staff.push(st);
          }
        }
      });
    }
    await this.audit.append([{ ...audit, details: { ...audit.details, counts } }]);
    await unlink(this.path('import-journal.json')).catch(() => undefined);
    return counts;
  }

  // ---- conversations and botbuilder Storage -----------------------------------------------------

  /**
   * The shard holding a key: the first two bytes of its SHA-1, modulo 64 (fixed: the files depend
   * on it). A SHA-1 through createHash costs several µs and every turn looks up its conversation,
   * so recent keys' shards are remembered (the memo is dropped whole when it grows past its cap).
   */
  private shard(key: string): Doc<KvShard> {
    let h = this.shardOf.get(key);
    if (h === undefined) {
      h = createHash('sha1').update(key).digest().readUInt16BE(0) % KV_SHARDS;
      if (this.shardOf.size >= SHARD_MEMO) this.shardOf.clear();
      this.shardOf.set(key, h);
    }
    return this.kv.get(h)!;
  }

  async saveConversationRef(key: string, reference: Record<string, unknown>) {
    this.live();
    const k = CONV_PREFIX + key;
    const shard = this.shard(k);
    const cur = shard.data.entries[k]?.value as ConversationRefRecord | undefined;
    if (cur && jsonEqual(cur.reference, reference)) return { created: false }; // unchanged: no write
    const json = JSON.parse(JSON.stringify(reference)) as Record<string, unknown>;
    await shard.update((s) => {
      s.entries[k] = { value: { key, reference: json, updatedAt: nowIso() }, eTag: randomUUID() };
    });
    return { created: cur === undefined };
  }

  async getConversationRef(key: string) {
    const v = this.shard(CONV_PREFIX + key).data.entries[CONV_PREFIX + key]?.value;
    return v ? ConversationRefRecord.parse(v) : undefined;
  }

  async kvRead(keys: string[]) {
    const out: Record<string, KvEntry> = {};
    for (const k of keys) {
      const e = this.shard(k).data.entries[k];
      if (e) out[k] = cloneJson(e);
    }
    return out;
  }

  async kvWrite(changes: Record<string, { value: unknown; eTag?: string }>) {
    this.live();
    const byShard = new Map<Doc<KvShard>, string[]>();
    for (const k of Object.keys(changes)) {
      const s = this.shard(k);
      byShard.set(s, [...(byShard.get(s) ?? []), k]);
    }
    // Check every eTag before writing anything, so a conflict changes nothing.
    for (const [s, keys] of byShard) {
      for (const k of keys) {
        const want = changes[k]!.eTag;
        const have = s.data.entries[k]?.eTag;
        if (want !== undefined && want !== '*' && want !== have) {
          throw new StoreError(`eTag conflict on ${k}: the state was changed by another turn`, 'conflict');
        }
      }
    }
    const eTags: Record<string, string> = {};
    await Promise.all(
      [...byShard].map(([s, keys]) =>
        s.update((d) => {
          for (const k of keys) {
            const eTag = randomUUID();
            d.entries[k] = { value: changes[k]!.value, eTag };
            eTags[k] = eTag;
          }
        }),
      ),
    );
    return eTags;
  }

  async kvDelete(keys: string[]) {
    this.live();
    await Promise.all(
      keys.map((k) =>
        this.shard(k).update((d) => {
          delete d.entries[k];
        }),
      ),
    );
  }

  // ---- audit ------------------------------------------------------------------------------------

  async appendAudit(entries: AuditInput[]) {
    this.live();
    await this.audit.append(entries.map((e) => AuditEntry.parse(e)));
  }

  async readAudit(filter: { publisherId?: string; limit?: number } = {}) {
    let all = await this.audit.readAll(AuditEntry);
    if (filter.publisherId) all = all.filter((e) => e.publisherId === filter.publisherId);
    return filter.limit ? all.slice(-filter.limit) : all;
  }

  // ---- support tickets -------------------------------------------------------------------------

  async createTicket(fields: Omit<z.input<typeof Ticket>, 'id'>): Promise<Ticket> {
    this.live();
    if (!this.docs.has(fields.publisherId)) throw new StoreError(`no publisher ${fields.publisherId}`, 'not_found');
    // The number is durable before it is used, so a crash can skip a number but never reuse one.
    const n = await this.counters.update((c) => ++c.ticket);
    const ticket = Ticket.parse({ ...fields, id: `RW-${n}` });
    await this.updatePublisher(fields.publisherId, (d) => void d.tickets.push(ticket));
    return cloneJson(ticket);
  }

  async getTicket(id: string) {
    const pid = this.ticketOwner.get(id);
    const t = pid ? this.docs.get(pid)?.data.tickets.find((x) => x.id === id) : undefined;
    return t ? cloneJson(t) : undefined;
  }

  async updateTicket<R>(id: string, change: (ticket: Ticket) => R): Promise<R> {
    const pid = this.ticketOwner.get(id);
    if (!pid) throw new StoreError(`no ticket ${id}`, 'not_found');
    return this.updatePublisher(pid, (d) => changeTicketIn(d, id, pid, change));
  }

  async listTickets(filter: { publisherId?: string; status?: Ticket['status'][] } = {}) {
    const docs = filter.publisherId ? [this.docs.get(filter.publisherId)].filter((d) => d !== undefined) : [...this.docs.values()];
    const out: Ticket[] = [];
    for (const d of docs) for (const t of d.data.tickets) if (!filter.status || filter.status.includes(t.status)) out.push(cloneJson(t));
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  // ---- outbox -----------------------------------------------------------------------------------

  async enqueueOutbox(items: Array<Pick<OutboxItem, 'idempotencyKey' | 'conversationKey' | 'payload' | 'dueAt'>>) {
    this.live();
    const at = nowIso();
    const fresh: OutboxItem[] = [];
    let duplicates = 0;
    for (const it of items) {
      if (this.outboxKeys.has(it.idempotencyKey)) {
        duplicates++;
        continue;
      }
      const item = OutboxItem.parse({ ...it, id: randomUUID(), tenantId: this.tenantOfConversation(it.conversationKey), status: 'queued', createdAt: at, updatedAt: at });
      this.outboxKeys.set(it.idempotencyKey, item.id);
      fresh.push(item);
    }
    try {
      await this.outboxLog.append(fresh);
    } catch (err) {
      for (const f of fresh) this.outboxKeys.delete(f.idempotencyKey);
      throw err;
    }
    for (const f of fresh) {
      this.outbox.set(f.id, f);
      this.outboxPending.add(f.id);
    }
    return { enqueued: fresh.length, duplicates };
  }

  /** The tenant in a stored conversation reference, or null (no reference yet, or none recorded). */
  private tenantOfConversation(key: string): string | null {
    const ref = this.shard(CONV_PREFIX + key).data.entries[CONV_PREFIX + key]?.value as ConversationRefRecord | undefined;
    const tenantId = (ref?.reference.conversation as { tenantId?: unknown } | undefined)?.tenantId;
    return typeof tenantId === 'string' && tenantId ? tenantId : null;
  }

  async claimOutbox(worker: string, now: string, limit: number, opts: ClaimOptions = {}) {
    this.live();
    const claimed: OutboxItem[] = [];
    const skip = new Set(opts.skipTenants ?? []);
    const perTenant = opts.perTenant ?? Infinity;
    const taken = new Map<string, number>();
    for (const id of this.outboxPending) {
      if (claimed.length >= limit) break;
      const it = this.outbox.get(id)!;
      const tenant = it.tenantId ?? '';
      if (skip.has(tenant)) continue;
      const n = taken.get(tenant) ?? 0;
      if (n >= perTenant) continue;
      // 'sending' items left by a crashed process are claimed again (their send may or may not
      // have reached Teams: see README, "Delivery guarantees").
      const stale = it.status === 'sending' && it.claimedBy !== worker;
      if ((it.status === 'queued' || stale) && it.dueAt <= now) {
        const next: OutboxItem = { ...it, status: 'sending', claimedBy: worker, attempts: it.attempts + 1, updatedAt: now };
        this.outbox.set(it.id, next); // synchronously, so a concurrent claim cannot take it too
        claimed.push(next);
        taken.set(tenant, n + 1);
      }
    }
    await this.outboxLog.append(claimed);
    return claimed.map((c) => cloneJson(c));
  }

  async findOutbox(idempotencyKey: string) {
    const id = this.outboxKeys.get(idempotencyKey);
    const it = id ? this.outbox.get(id) : undefined;
    return it ? cloneJson(it) : undefined;
  }

  async completeOutbox(id: string, result: Pick<OutboxItem, 'status' | 'lastStatus' | 'lastError' | 'dueAt'> & { activityId?: string | null }) {
    this.live();
    const it = this.outbox.get(id);
    if (!it) throw new StoreError(`no outbox item ${id}`, 'not_found');
    const next: OutboxItem = { ...it, ...result, updatedAt: nowIso(), claimedBy: result.status === 'queued' ? null : it.claimedBy };
    this.outbox.set(id, next);
    if (next.status === 'queued' || next.status === 'sending') this.outboxPending.add(id);
    else this.outboxPending.delete(id);
    await this.outboxLog.append([next]);
  }

  async releaseOutbox(worker: string, ids: string[]) {
    this.live();
    const released: OutboxItem[] = [];
    const now = nowIso();
    for (const id of ids) {
      const it = this.outbox.get(id);
      if (!it || it.status !== 'sending' || it.claimedBy !== worker) continue;
      const next: OutboxItem = { ...it, status: 'queued', claimedBy: null, attempts: Math.max(0, it.attempts - 1), updatedAt: now };
      this.outbox.set(id, next);
      released.push(next);
    }
    await this.outboxLog.append(released);
    return released.length;
  }

  async listOutbox(filter: { status?: OutboxItem['status'] } = {}) {
    const out: OutboxItem[] = [];
    for (const it of this.outbox.values()) if (!filter.status || it.status === filter.status) out.push(cloneJson(it));
    return out;
  }

  // ---- copy-store -------------------------------------------------------------------------------

  /**
   * What the Store interface does not list, for copying this store elsewhere (copy-store): the
   * botbuilder state entries, the conversation references and the last ticket number handed out.
   */
  async exportExtras(): Promise<{ kv: Array<[string, KvEntry]>; conversations: ConversationRefRecord[]; lastTicketNumber: number }> {
    this.live();
    const kv: Array<[string, KvEntry]> = [];
    const conversations: ConversationRefRecord[] = [];
    for (const shard of this.kv.values()) {
      for (const [k, e] of Object.entries(shard.data.entries)) {
        if (k.startsWith(CONV_PREFIX)) conversations.push(ConversationRefRecord.parse(e.value));
        else kv.push([k, cloneJson(e)]);
      }
    }
    kv.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    conversations.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { kv, conversations, lastTicketNumber: this.counters.data.ticket };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; the first error rejects. */
export async function mapLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}

/**
 * Campaigns: a message from the Rewards team to an audience of publisher users, sent through the
 * durable outbox (one item per recipient, keyed by campaign + recipient, so a crash or a second
 * click never queues anyone twice), with live counts and acknowledgements.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { IsoDateTime, ListingType, Marketplace } from '../domain/model.js';
import type { AuditPort, ConversationRefReader, KvPort, OutboxItem, OutboxPort, PublisherDoc, PublisherPort } from './ports/index.js';
import { AppError } from './errors.js';
import { findUserConversation } from './conversations.js';
import type { ProgramService } from './program.js';

export const AudienceKind = z.enum(['all', 'enrolled', 'not_enrolled', 'tier_at_least', 'listing_type', 'marketplace', 'publishers']);

/** Who receives a campaign; validated where it enters (the composer card). */
export const Audience = z
  .object({
    kind: AudienceKind,
    tier: z.coerce.number().int().min(0).max(20).optional(),
    listingType: ListingType.optional(),
    marketplace: Marketplace.optional(),
    publisherIds: z.array(z.string().min(1).max(64)).max(1000).optional(),
    /** Everyone on the account, or only the marketing contacts. */
    people: z.enum(['account_users', 'marketing_contacts']).default('account_users'),
  })
  .superRefine((a, ctx) => {
    if (a.kind === 'tier_at_least' && a.tier === undefined) ctx.addIssue({ code: 'custom', path: ['tier'], message: 'Give the lowest tier.' });
    if (a.kind === 'listing_type' && !a.listingType) ctx.addIssue({ code: 'custom', path: ['listingType'], message: 'Choose a listing type.' });
    if (a.kind === 'marketplace' && !a.marketplace) ctx.addIssue({ code: 'custom', path: ['marketplace'], message: 'Choose a marketplace.' });
    if (a.kind === 'publishers' && !a.publisherIds?.length) ctx.addIssue({ code: 'custom', path: ['publisherIds'], message: 'Name at least one publisher id.' });
  });
export type Audience = z.infer<typeof Audience>;

export const CampaignContent = z.object({
  title: z.string().trim().min(1, 'Give the campaign a title.').max(200),
  /** Markdown written by the Rewards team (trusted staff text). */
  text: z.string().trim().min(1, 'Write the message.').max(4000),
  linkTitle: z.string().trim().max(60).default(''),
  linkUrl: z.union([z.literal(''), z.url({ protocol: /^https$/, message: 'Use an https:// link.' })]).default(''),
});
export type CampaignContent = z.infer<typeof CampaignContent>;

export const Campaign = z.object({
  id: z.string(),
  content: CampaignContent,
  audience: Audience,
  createdBy: z.string(),
  createdAt: IsoDateTime,
  status: z.enum(['draft', 'scheduled', 'sending', 'done', 'cancelled']),
  sendAt: IsoDateTime.nullable().default(null),
  recipients: z.number().int().min(0).default(0),
  /** Where the live progress card is (updated in place). */
  progress: z.object({ conversationKey: z.string(), activityId: z.string() }).nullable().default(null),
  acknowledgedBy: z.array(z.string()).default([]),
  /** When each person acknowledged (aadObjectId → instant). */
  acknowledgedAt: z.record(z.string(), IsoDateTime).default({}),
});
export type Campaign = z.infer<typeof Campaign>;

export interface CampaignStats {
  queued: number;
  sending: number;
  sent: number;
  retrying: number;
  failed: number;
  unreachable: number;
  cancelled: number;
  acknowledged: number;
  total: number;
}

export interface Recipient {
  publisherId: string;
  aadObjectId: string;
  name: string;
  conversationKey: string;
  /** A stored conversation: the person installed the app or talked to the bot. */
  reachable: boolean;
}

const key = (id: string) => `campaign/${id}`;
const SECRET_KEY = 'settings/secret';
const ACTIVE = 'campaigns/active';
/** Every campaign id, oldest first (campaigns are key/value entries; this lists them). */
const INDEX = 'campaigns/index';
const itemKey = (campaignId: string, conversationKey: string) => `campaign:${campaignId}:${conversationKey}`;

/** A recipient's side of an Acknowledge click. */
export type AckOutcome = 'counted' | 'again' | 'not_a_recipient';

export class CampaignService {
  /** Read-modify-write of one campaign at a time in this process (clicks arrive concurrently). */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: PublisherPort & OutboxPort & KvPort & AuditPort & ConversationRefReader,
    private readonly program: ProgramService,
    private readonly now: () => Date,
  ) {}

  async get(id: string): Promise<Campaign | undefined> {
    const e = (await this.store.kvRead([key(id)]))[key(id)];
    return e ? Campaign.parse(e.value) : undefined;
  }

  private async save(c: Campaign): Promise<void> {
    const e = (await this.store.kvRead([key(c.id)]))[key(c.id)];
    await this.store.kvWrite({ [key(c.id)]: { value: c, ...(e ? { eTag: e.eTag } : {}) } });
  }

  /** Runs `change` on the latest campaign, one change at a time, and saves what it returns. */
  private modify<R>(id: string, change: (c: Campaign) => { next?: Campaign; result: R }): Promise<R> {
    const run = this.chain.then(async () => {
      const c = await this.get(id);
      if (!c) throw new AppError('not_found', 'This campaign no longer exists.');
      const { next, result } = change(c);
      if (next) await this.save(next);
      return result;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Publisher ids the directory does not know (a named audience must name real ones). */
  async unknownPublishers(ids: readonly string[]): Promise<string[]> {
    const known = new Set(await this.store.listPublisherIds());
    return ids.filter((id) => !known.has(id));
  }

  async create(content: CampaignContent, audience: Audience, by: string): Promise<Campaign> {
    const c = Campaign.parse({ id: `C-${randomBytes(4).toString('hex')}`, content, audience, createdBy: by, createdAt: this.now().toISOString(), status: 'draft' });
    await this.save(c);
    const run = this.chain.then(async () => {
      const e = (await this.store.kvRead([INDEX]))[INDEX];
      const ids = z.array(z.string()).catch([]).parse(e?.value ?? []);
      await this.store.kvWrite({ [INDEX]: { value: [...ids, c.id], ...(e ? { eTag: e.eTag } : {}) } });
    });
    this.chain = run.catch(() => undefined);
    await run;
    return c;
  }

  /**
   * Every campaign with its delivery counts, newest first. Campaigns created before the index
   * existed are listed only while they are active.
   */
  async list(): Promise<Array<{ campaign: Campaign; stats: CampaignStats }>> {
    const e = (await this.store.kvRead([INDEX]))[INDEX];
    const ids = [...new Set([...z.array(z.string()).catch([]).parse(e?.value ?? []), ...(await this.activeIds())])];
    const campaigns = (await Promise.all(ids.map((id) => this.get(id)))).filter((c): c is Campaign => c !== undefined);
    // One pass over the outbox for all of them, not one per campaign.
    const items = await this.store.listOutbox();
    const out = campaigns.map((c) => {
      const s: CampaignStats = { queued: 0, sending: 0, sent: 0, retrying: 0, failed: 0, unreachable: 0, cancelled: 0, acknowledged: c.acknowledgedBy.length, total: 0 };
      const prefix = `campaign:${c.id}:`;
      for (const i of items) if (i.idempotencyKey.startsWith(prefix)) count(s, i);
      return { campaign: c, stats: s };
    });
    return out.sort((a, b) => b.campaign.createdAt.localeCompare(a.campaign.createdAt));
  }

  /** Everyone the audience names (deduplicated), with whether they can be reached. */
  async recipients(audience: Audience): Promise<Recipient[]> {
    const out = new Map<string, Recipient>();
    const wanted = audience.kind === 'publishers' ? new Set(audience.publisherIds) : null;
    for (const id of await this.store.listPublisherIds()) {
      if (wanted && !wanted.has(id)) continue;
      const doc = await this.store.getPublisher(id);
      if (!doc || !(await this.matches(doc, audience))) continue;
      const people =
        audience.people === 'marketing_contacts'
          ? doc.state.contact
            ? doc.publisher.users.filter((u) => u.aadObjectId === doc.state.contact!.aadObjectId)
            : []
          : doc.publisher.users;
      for (const u of people) {
        const { key: conversationKey, reachable } = await findUserConversation(this.store, doc.publisher.tenantIds, u.aadObjectId);
        if (!out.has(conversationKey)) out.set(conversationKey, { publisherId: id, aadObjectId: u.aadObjectId, name: u.name, conversationKey, reachable });
      }
    }
    return [...out.values()];
  }

  private async matches(doc: PublisherDoc, a: Audience): Promise<boolean> {
    switch (a.kind) {
      case 'all':
      case 'publishers':
        return true;
      case 'enrolled':
        return doc.state.enrolment !== null;
      case 'not_enrolled':
        return doc.state.enrolment === null;
      case 'listing_type':
        return doc.offers.some((o) => o.status === 'live' && o.listingType === a.listingType);
      case 'marketplace':
        return doc.offers.some((o) => o.status === 'live' && o.marketplace === a.marketplace);
      case 'tier_at_least': {
        const e = await this.program.evaluate(doc.publisher.id, undefined, doc);
        return e.tier !== null && e.tier >= (a.tier ?? 0);
      }
    }
  }

  /**
   * Queues the campaign for its audience now or at `sendAt`. Sending twice queues nobody twice.
   * `payloadFor` builds each recipient's message (cards are the bot's business).
   */
  async send(id: string, by: string, payloadFor: (c: Campaign, r: Recipient) => Record<string, unknown>, sendAt?: string): Promise<{ campaign: Campaign; enqueued: number }> {
    const c = await this.get(id);
    if (!c) throw new AppError('not_found', `No campaign ${id}.`);
    if (c.status === 'cancelled') throw new AppError('rule', 'This campaign was cancelled.');
    const recipients = await this.recipients(c.audience);
    if (recipients.length === 0) throw new AppError('rule', 'Nobody matches this audience.');
    const dueAt = sendAt ?? this.now().toISOString();
    const r = await this.store.enqueueOutbox(recipients.map((p) => ({ idempotencyKey: itemKey(c.id, p.conversationKey), conversationKey: p.conversationKey, payload: payloadFor(c, p), dueAt })));
    const updated: Campaign = { ...c, status: sendAt && sendAt > this.now().toISOString() ? 'scheduled' : 'sending', sendAt: sendAt ?? null, recipients: Math.max(c.recipients, recipients.length) };
    await this.save(updated);
    await this.setActive(c.id, true);
    await this.store.appendAudit([{ at: this.now().toISOString(), actor: by, action: 'campaign_send', subject: c.id, details: { recipients: recipients.length, enqueued: r.enqueued, sendAt: sendAt ?? null, audience: c.audience } }]);
    return { campaign: updated, enqueued: r.enqueued };
  }

  /** Cancels what has not been sent yet. */
  async cancel(id: string, by: string): Promise<{ cancelled: number }> {
    const c = await this.get(id);
    if (!c) throw new AppError('not_found', `No campaign ${id}.`);
    let cancelled = 0;
    for (const item of await this.items(id)) {
      if (item.status === 'queued') {
        await this.store.completeOutbox(item.id, { status: 'cancelled', lastStatus: item.lastStatus, lastError: 'campaign cancelled', dueAt: item.dueAt });
        cancelled++;
      }
    }
    await this.modify(id, (latest) => ({ next: { ...latest, status: 'cancelled' as const }, result: undefined }));
    await this.setActive(id, false);
    await this.store.appendAudit([{ at: this.now().toISOString(), actor: by, action: 'campaign_cancel', subject: id, details: { cancelled } }]);
    return { cancelled };
  }

  /** Campaigns whose progress card still needs updates (kept in the store, so restarts resume it). */
  async activeIds(): Promise<string[]> {
    const e = (await this.store.kvRead([ACTIVE]))[ACTIVE];
    return z.array(z.string()).catch([]).parse(e?.value ?? []);
  }

  private setActive(id: string, active: boolean): Promise<void> {
    const run = this.chain.then(() => this.writeActive(id, active));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async writeActive(id: string, active: boolean): Promise<void> {
    const e = (await this.store.kvRead([ACTIVE]))[ACTIVE];
    const ids = new Set(z.array(z.string()).catch([]).parse(e?.value ?? []));
    if (active === ids.has(id)) return;
    if (active) ids.add(id);
    else ids.delete(id);
    await this.store.kvWrite({ [ACTIVE]: { value: [...ids], ...(e ? { eTag: e.eTag } : {}) } });
  }

  /** Marks a campaign whose every item is settled as done. */
  async finish(id: string): Promise<void> {
    await this.modify(id, (c) => ({ ...(c.status !== 'cancelled' && c.status !== 'done' ? { next: { ...c, status: 'done' as const } } : {}), result: undefined }));
    await this.setActive(id, false);
  }

  async setProgressCard(id: string, progress: { conversationKey: string; activityId: string }): Promise<void> {
    await this.modify(id, (c) => ({ next: { ...c, progress }, result: undefined }));
  }

  /**
   * Counts an Acknowledge click, once per person, and only from someone the campaign was sent to
   * (`conversationKey`: the caller's chat, as the outbox addressed it). The progress card is
   * marked for an update, also after the sends settled.
   */
  async acknowledge(id: string, aadObjectId: string, conversationKey: string): Promise<AckOutcome> {
    const item = await this.store.findOutbox(itemKey(id, conversationKey));
    if (!item || item.status !== 'sent' || !conversationKey.endsWith(`:${aadObjectId}`)) return 'not_a_recipient';
    const at = this.now().toISOString();
    const outcome = await this.modify<AckOutcome>(id, (c) =>
      c.acknowledgedBy.includes(aadObjectId)
        ? { result: 'again' }
        : { next: { ...c, acknowledgedBy: [...c.acknowledgedBy, aadObjectId], acknowledgedAt: { ...c.acknowledgedAt, [aadObjectId]: at } }, result: 'counted' },
    );
    if (outcome === 'counted') await this.setActive(id, true);
    return outcome;
  }

  async items(id: string): Promise<OutboxItem[]> {
    const prefix = `campaign:${id}:`;
    return (await this.store.listOutbox()).filter((i) => i.idempotencyKey.startsWith(prefix));
  }

  /** A secret for signing export links, created once per store (when the first link is made). */
  async secret(): Promise<string> {
    const existing = await this.existingSecret();
    if (existing) return existing;
    const k = SECRET_KEY;
    const s = randomBytes(32).toString('hex');
    await this.store.kvWrite({ [k]: { value: s } });
    return s;
  }

  /** The signing secret if a link was ever made; checking a link must not create it. */
  async existingSecret(): Promise<string | undefined> {
    const e = (await this.store.kvRead([SECRET_KEY]))[SECRET_KEY];
    return typeof e?.value === 'string' ? e.value : undefined;
  }

  async stats(id: string): Promise<CampaignStats> {
    const c = await this.get(id);
    const s: CampaignStats = { queued: 0, sending: 0, sent: 0, retrying: 0, failed: 0, unreachable: 0, cancelled: 0, acknowledged: c?.acknowledgedBy.length ?? 0, total: 0 };
    for (const i of await this.items(id)) count(s, i);
    return s;
  }

  /**
   * Per-recipient results as CSV (for the export link): who (name, email, company), what happened
   * (status, attempts, last error) and when they acknowledged.
   */
  async csv(id: string): Promise<string> {
    const c = await this.get(id);
    if (!c) throw new AppError('not_found', `No campaign ${id}.`);
    const cell = (v: string | number | null) => {
      const s = v === null ? '' : String(v);
      // Quote, and neutralise spreadsheet formulas in user-controlled cells.
      return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
    };
    const rows = [['name', 'email', 'company', 'status', 'attempts', 'last_error', 'updated_at', 'acknowledged_at'].join(',')];
    for (const i of await this.items(id)) {
      const [, tenant = '', aad = ''] = i.conversationKey.split(':');
      const who = await this.store.resolveIdentity(tenant, aad);
      const doc = who && who.kind !== 'staff' ? await this.store.getPublisher(who.publisherId) : undefined;
      const user = doc?.publisher.users.find((u) => u.aadObjectId.toLowerCase() === aad);
      const status = i.status === 'unreachable' ? 'unreachable (app not installed)' : i.status;
      const lastError = i.lastError ?? (i.lastStatus ? `HTTP ${i.lastStatus}` : null);
      rows.push([user?.name ?? '(unknown user)', user?.email ?? '', doc?.publisher.name ?? '', status, i.attempts, lastError, i.updatedAt, c.acknowledgedAt[aad] ?? (c.acknowledgedBy.includes(aad) ? 'yes' : '')].map(cell).join(','));
    }
    return `${rows.join('\n')}\n`;
  }
}

function count(s: CampaignStats, i: OutboxItem): void {
  s.total++;
  if (i.status === 'queued') s[i.attempts > 0 ? 'retrying' : 'queued']++;
  else s[i.status]++;
}

/**
 * Campaigns in chat (Rewards team only): the composer card (with the recipient count before
 * sending, preview to self, send now or at a time), the progress card (refreshed in place, cancel,
 * CSV export link) and the Acknowledge button on the message publishers receive.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { ListingType, Marketplace } from '../../../domain/model.js';
import { Audience, AudienceKind, CampaignContent, type Campaign, type CampaignService, type CampaignStats } from '../../../services/campaigns.js';
import { AppError } from '../../../services/errors.js';
import { asAttachment, asOutboxMessage, type Banner, type CardModels } from '../cards.js';
import type { VerbHandler } from '../rewards-bot.js';
import { verb, type BotDeps, type Command, type Turn, type VerbTable } from '../turn.js';
import { conversationKey } from '../rewards-bot.js';
import { formatDateTime, progressBar } from './present.js';
import { staffCaller } from './rewards-team.js';

const AUDIENCE_TITLES: Record<z.infer<typeof AudienceKind>, string> = {
  all: 'All publishers',
  enrolled: 'Enrolled publishers',
  not_enrolled: 'Publishers not enrolled',
  tier_at_least: 'Tier at least…',
  listing_type: 'Publishers with a live offer of listing type…',
  marketplace: 'Publishers live on marketplace…',
  publishers: 'Named publishers…',
};

/** What the composer sends back (all strings; checked field by field below). */
const ComposerData = z.object({
  title: z.string().max(400).default(''),
  text: z.string().max(8000).default(''),
  linkTitle: z.string().max(200).default(''),
  linkUrl: z.string().max(2000).default(''),
  audience: z.string().max(40).default('all'),
  tier: z.union([z.string(), z.number()]).default(''),
  listingType: z.string().max(40).default(''),
  marketplace: z.string().max(40).default(''),
  publisherIds: z.string().max(20_000).default(''),
  people: z.string().max(40).default('account_users'),
  sendDate: z.string().max(20).default(''),
  sendTime: z.string().max(20).default(''),
});
type ComposerData = z.infer<typeof ComposerData>;

type Errors = CardModels['campaign-composer']['errors'];
const noErrors: Errors = { title: '', text: '', linkUrl: '', audience: '', sendAt: '' };

/** The composer; with `confirm`, it asks to confirm a send to that many recipients. */
function composer(deps: BotDeps, d: Partial<ComposerData>, banner: Banner, errors: Errors = noErrors, confirm?: number) {
  return deps.cards.card('campaign-composer', {
    ...banner,
    confirmCount: confirm === undefined ? '' : String(confirm),
    confirmTitle: confirm === undefined ? '' : `Confirm: send to ${recipientsText(confirm)}`,
    titleValue: d.title ?? '',
    textValue: d.text ?? '',
    linkTitleValue: d.linkTitle ?? '',
    linkUrlValue: d.linkUrl ?? '',
    audienceValue: d.audience ?? 'all',
    tierValue: String(d.tier ?? ''),
    listingTypeValue: d.listingType ?? '',
    marketplaceValue: d.marketplace ?? '',
    publisherIdsValue: d.publisherIds ?? '',
    peopleValue: d.people ?? 'account_users',
    sendDateValue: d.sendDate ?? '',
    sendTimeValue: d.sendTime ?? '',
    audiences: AudienceKind.options.map((k) => ({ title: AUDIENCE_TITLES[k], choice: k })),
    listingTypes: ListingType.options.map((l) => ({ title: l, choice: l })),
    marketplaces: Marketplace.options.map((m) => ({ title: m === 'appsource' ? 'AppSource' : 'Azure Marketplace', choice: m })),
    errors,
  });
}

/** The composer's fields as a campaign, or the field errors. */
function parseComposer(d: ComposerData, now: Date): { ok: true; content: CampaignContent; audience: Audience; sendAt?: string } | { ok: false; errors: Errors } {
  const errors: Errors = { ...noErrors };
  const content = CampaignContent.safeParse({ title: d.title, text: d.text, linkTitle: d.linkTitle, linkUrl: d.linkUrl });
  if (!content.success) for (const i of content.error.issues) (errors as Record<string, string>)[String(i.path[0])] = i.message;
  if (content.success && content.data.linkUrl && !content.data.linkTitle) errors.linkUrl = 'Give the link button a title.';
  const audience = Audience.safeParse({
    kind: d.audience,
    ...(d.tier !== '' ? { tier: d.tier } : {}),
    ...(d.listingType ? { listingType: d.listingType } : {}),
    ...(d.marketplace ? { marketplace: d.marketplace } : {}),
    ...(d.publisherIds.trim() ? { publisherIds: d.publisherIds.split(/[,\s]+/).filter(Boolean) } : {}),
    people: d.people,
  });
  if (!audience.success) errors.audience = audience.error.issues.map((i) => i.message).join(' ');
  let sendAt: string | undefined;
  if (d.sendDate || d.sendTime) {
    const at = new Date(`${d.sendDate}T${d.sendTime || '00:00'}:00Z`);
    if (!d.sendDate || Number.isNaN(at.getTime())) errors.sendAt = 'Give a date (and time) in UTC, or leave both empty to send now.';
    else if (at.getTime() < now.getTime() - 60_000) errors.sendAt = 'That time has passed: leave it empty to send now.';
    else sendAt = at.toISOString();
  }
  if (Object.values(errors).some(Boolean) || !content.success || !audience.success) return { ok: false, errors };
  return { ok: true, content: content.data, audience: audience.data, ...(sendAt ? { sendAt } : {}) };
}

/** "1 recipient", "5 recipients". */
export const recipientsText = (n: number) => `${n.toLocaleString('en-US')} recipient${n === 1 ? '' : 's'}`;

const LISTING_TITLES: Record<z.infer<typeof ListingType>, string> = { list: 'list', trial: 'free trial', consulting: 'consulting', transact: 'transact' };
const MARKETPLACE_TITLES: Record<z.infer<typeof Marketplace>, string> = { appsource: 'AppSource', azure: 'Azure Marketplace' };

/** The audience in words: "All publishers · all account users", "Contoso Cloud and Northwind Dynamics · marketing contacts". */
export async function audienceText(deps: BotDeps, a: Audience): Promise<string> {
  let who: string;
  switch (a.kind) {
    case 'tier_at_least':
      who = `Publishers at tier ${a.tier ?? 0} or above`;
      break;
    case 'listing_type':
      who = `Publishers with a live ${a.listingType ? LISTING_TITLES[a.listingType] : ''} offer`;
      break;
    case 'marketplace':
      who = `Publishers live on ${a.marketplace ? MARKETPLACE_TITLES[a.marketplace] : 'a marketplace'}`;
      break;
    case 'publishers': {
      const names: string[] = [];
      for (const id of a.publisherIds ?? []) names.push((await deps.store.getPublisher(id))?.publisher.name ?? id);
      who = names.length <= 1 ? (names[0] ?? 'No publishers') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
      break;
    }
    default:
      who = AUDIENCE_TITLES[a.kind];
  }
  return `${who} · ${a.people === 'marketing_contacts' ? 'marketing contacts only' : 'all account users'}`;
}

/** The card a recipient gets. */
export function campaignMessage(deps: BotDeps, c: Campaign, banner: Banner = { banner: '', bannerColor: 'Default' }) {
  return deps.cards.card('campaign-message', { ...banner, title: c.content.title, bodyMarkdown: c.content.text, linkTitle: c.content.linkTitle, linkUrl: c.content.linkUrl, campaignId: c.id });
}

/** An export link valid for 24 hours, signed so it cannot be guessed or altered. */
export function exportUrl(deps: BotDeps, campaignId: string, secret: string): string {
  const exp = Math.floor(deps.now().getTime() / 1000) + 86_400;
  const sig = createHmac('sha256', secret).update(`${campaignId}.${exp}`).digest('hex');
  return `${deps.config.publicUrl}/api/campaigns/${encodeURIComponent(campaignId)}/results.csv?exp=${exp}&sig=${sig}`;
}

export function verifyExport(campaignId: string, exp: string, sig: string, secret: string, now: Date): boolean {
  const want = createHmac('sha256', secret).update(`${campaignId}.${exp}`).digest('hex');
  return /^\d+$/.test(exp) && Number(exp) * 1000 > now.getTime() && sig.length === want.length && timingSafe(sig, want);
}

function timingSafe(a: string, b: string): boolean {
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * The live progress card. It says what happened: "Finished" (green) only when every message was
 * delivered; otherwise how many were delivered and why the others were not.
 */
export async function progressCard(deps: BotDeps, c: Campaign, s: CampaignStats, secret: string) {
  const settled = s.sent + s.failed + s.unreachable + s.cancelled;
  const done = s.total > 0 && settled === s.total;
  const delivered = `${s.sent.toLocaleString('en-US')} of ${recipientsText(s.total)} delivered`;
  const why = [
    s.unreachable ? `${s.unreachable.toLocaleString('en-US')} unreachable (the app is not installed for them)` : '',
    s.failed ? `${s.failed.toLocaleString('en-US')} failed` : '',
    s.cancelled ? `${s.cancelled.toLocaleString('en-US')} cancelled` : '',
  ].filter(Boolean);
  let statusLine: string;
  let statusColor: string;
  if (c.status === 'cancelled') {
    statusLine = `Cancelled: ${delivered}`;
    statusColor = 'Attention';
  } else if (c.status === 'scheduled' && c.sendAt && c.sendAt > deps.now().toISOString()) {
    statusLine = `Scheduled for ${formatDateTime(c.sendAt)} to ${recipientsText(s.total)}`;
    statusColor = 'Accent';
  } else if (!done) {
    statusLine = `Sending… ${delivered} so far${s.retrying ? `, ${s.retrying.toLocaleString('en-US')} retrying` : ''}`;
    statusColor = 'Accent';
  } else if (s.sent === s.total) {
    statusLine = `Finished: ${s.total === 1 ? 'delivered to the recipient' : `all ${recipientsText(s.total)} delivered`}`;
    statusColor = 'Good';
  } else {
    statusLine = `${s.sent === 0 ? '' : 'Finished: '}${delivered}: ${why.join(', ')}`;
    statusColor = s.sent === 0 ? 'Attention' : 'Warning';
  }
  return deps.cards.card('campaign-progress', {
    title: c.content.title,
    statusLine,
    statusColor,
    bar: progressBar(s.total ? settled / s.total : 0),
    counts: [
      { title: 'Recipients', value: s.total.toLocaleString('en-US') },
      { title: 'Queued', value: String(s.queued + s.sending) },
      { title: 'Delivered', value: String(s.sent) },
      { title: 'Retrying', value: String(s.retrying) },
      { title: 'Failed', value: String(s.failed) },
      { title: 'Unreachable', value: String(s.unreachable) },
      ...(s.cancelled ? [{ title: 'Cancelled', value: String(s.cancelled) }] : []),
      { title: 'Acknowledged', value: s.sent ? `${s.acknowledged} of ${s.sent}` : String(s.acknowledged) },
    ],
    audienceLine: `Audience: ${await audienceText(deps, c.audience)}`,
    campaignId: c.id,
    canCancel: c.status !== 'cancelled' && !done,
    exportUrl: exportUrl(deps, c.id, secret),
  });
}

export interface CampaignDeps {
  campaigns: CampaignService;
  secret: () => Promise<string>;
}

export function campaignFlows(cd: CampaignDeps): { commands: Command[]; verbs: VerbTable } {
  const formData = async (turn: Turn, data: unknown) => {
    const d = ComposerData.safeParse(data ?? {});
    if (!d.success) throw new AppError('invalid_input', 'That form could not be read. Type campaign for a fresh one.');
    await (await turn.forms()).open('campaign', Object.fromEntries(Object.entries(d.data).map(([k, v]) => [k, String(v)])));
    return d.data;
  };

  const command: Command = {
    name: 'campaign',
    description: 'Compose and send a campaign to publishers',
    audience: 'staff',
    async handle(turn, deps) {
      staffCaller(turn, 'rewards');
      const { draft } = await (await turn.forms()).resume('campaign');
      await turn.ctx.sendActivity({ attachments: [asAttachment(composer(deps, draft, { banner: '', bannerColor: 'Default' }))] });
    },
  };

  /** The composer's fields as a campaign whose named publishers all exist, or the composer with the errors. */
  const checked = async (deps: BotDeps, d: ComposerData, nothingSent = '') => {
    const p = parseComposer(d, deps.now());
    const fix = (errors: Errors) => ({ ok: false as const, card: composer(deps, d, { banner: `Please correct the fields marked below.${nothingSent}`, bannerColor: 'Attention' }, errors) });
    if (!p.ok) return fix(p.errors);
    const unknown = await cd.campaigns.unknownPublishers(p.audience.publisherIds ?? []);
    if (unknown.length) return fix({ ...noErrors, audience: `No publisher with the id ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` (and ${unknown.length - 10} more)` : ''}. Use the ids from the directory (for example contoso).` });
    return p;
  };

  const countLine = (rs: Array<{ reachable: boolean }>) => {
    const reachable = rs.filter((r) => r.reachable).length;
    const missing = rs.length - reachable;
    return `${recipientsText(rs.length)}: ${reachable.toLocaleString('en-US')} can be reached in Teams${missing ? `, ${missing.toLocaleString('en-US')} never installed the app` : ''}.`;
  };

  const count: VerbHandler = async (turn, data, deps) => {
    staffCaller(turn, 'rewards');
    const d = await formData(turn, data);
    const p = await checked(deps, d);
    if (!p.ok) return p.card;
    const rs = await cd.campaigns.recipients(p.audience);
    return composer(deps, d, { banner: countLine(rs), bannerColor: rs.length ? 'Good' : 'Attention' });
  };

  const preview: VerbHandler = async (turn, data, deps) => {
    const staff = staffCaller(turn, 'rewards');
    const d = await formData(turn, data);
    const p = await checked(deps, d);
    if (!p.ok) return p.card;
    const draft: Campaign = { id: 'preview', content: p.content, audience: p.audience, createdBy: staff.aadObjectId, createdAt: deps.now().toISOString(), status: 'draft', sendAt: null, recipients: 0, progress: null, acknowledgedBy: [], acknowledgedAt: {} };
    await turn.ctx.sendActivity({ attachments: [asAttachment(campaignMessage(deps, draft))] });
    return composer(deps, d, { banner: 'Preview sent to you below.', bannerColor: 'Good' });
  };

  /** Send asks first: the card shows the count and a button that confirms exactly that count. */
  const send: VerbHandler = async (turn, data, deps) => {
    staffCaller(turn, 'rewards');
    if (!(await turn.forms()).state('campaign')) throw new AppError('conflict', 'This composer was already sent. Type campaign to write a new one.');
    const d = await formData(turn, data);
    const p = await checked(deps, d, ' Nothing was sent.');
    if (!p.ok) return p.card;
    const rs = await cd.campaigns.recipients(p.audience);
    if (rs.length === 0) return composer(deps, d, { banner: 'Nobody matches this audience. Nothing was sent.', bannerColor: 'Attention' });
    const when = p.sendAt ? ` It goes out on ${formatDateTime(p.sendAt)}.` : ' It goes out now.';
    return composer(deps, d, { banner: `Send “${p.content.title}” to ${countLine(rs)}${when}`, bannerColor: 'Warning' }, noErrors, rs.length);
  };

  const edit: VerbHandler = async (turn, data, deps) => {
    staffCaller(turn, 'rewards');
    if (!(await turn.forms()).state('campaign')) throw new AppError('conflict', 'This composer was already sent. Type campaign to write a new one.');
    return composer(deps, await formData(turn, data), { banner: 'Nothing was sent. Edit and send again when ready.', bannerColor: 'Default' });
  };

  const Confirmed = z.object({ confirmCount: z.coerce.number().int().min(1).max(10_000_000) });

  const confirm: VerbHandler = async (turn, data, deps) => {
    const staff = staffCaller(turn, 'rewards');
    // The same Send delivered twice (or clicked on a composer already sent) must not make a second campaign.
    if (!(await turn.forms()).state('campaign')) throw new AppError('conflict', 'This composer was already sent. Type campaign to write a new one.');
    const confirmed = Confirmed.safeParse(data);
    if (!confirmed.success) throw new AppError('invalid_input', 'That confirmation could not be read. Press Send again.');
    const d = await formData(turn, data);
    const p = await checked(deps, d, ' Nothing was sent.');
    if (!p.ok) return p.card;
    const rs = await cd.campaigns.recipients(p.audience);
    // Fields edited on the confirmation, or a directory change since: confirm the new count.
    if (rs.length !== confirmed.data.confirmCount) {
      return composer(deps, d, { banner: `The audience is now ${countLine(rs)} Confirm again. Nothing was sent.`, bannerColor: 'Warning' }, noErrors, rs.length);
    }
    const created = await cd.campaigns.create(p.content, p.audience, staff.aadObjectId);
    const { campaign } = await cd.campaigns.send(created.id, staff.aadObjectId, (c) => asOutboxMessage(campaignMessage(deps, c)), p.sendAt);
    await (await turn.forms()).close();
    // The composer card becomes the progress card; remember where it is to update it in place.
    if (turn.ctx.activity.replyToId) await cd.campaigns.setProgressCard(campaign.id, { conversationKey: progressConversationKey(turn), activityId: turn.ctx.activity.replyToId });
    return progressCard(deps, campaign, await cd.campaigns.stats(campaign.id), await cd.secret());
  };

  const CampaignRef = z.object({ campaignId: z.string().max(40) });
  const refOf = (data: unknown) => {
    const r = CampaignRef.safeParse(data);
    if (!r.success) throw new AppError('invalid_input', 'That button’s data could not be read.');
    return r.data.campaignId;
  };

  const refresh: VerbHandler = async (turn, data, deps) => {
    staffCaller(turn, 'rewards');
    const c = await cd.campaigns.get(refOf(data));
    if (!c) throw new AppError('not_found', 'This campaign no longer exists.');
    return progressCard(deps, c, await cd.campaigns.stats(c.id), await cd.secret());
  };

  const cancel: VerbHandler = async (turn, data, deps) => {
    const staff = staffCaller(turn, 'rewards');
    const id = refOf(data);
    await cd.campaigns.cancel(id, staff.aadObjectId);
    const c = (await cd.campaigns.get(id))!;
    const card = await progressCard(deps, c, await cd.campaigns.stats(id), await cd.secret());
    // In a channel the others would keep a card with Cancel on it: edit the message for everyone.
    if (c.progress) await deps.cardUpdater.update(c.progress.conversationKey, c.progress.activityId, card).catch((err: unknown) => deps.log.warn({ err, campaign: id }, 'progress card not updated'));
    return card;
  };

  const ack: VerbHandler = async (turn, data, deps) => {
    const id = refOf(data);
    const aad = turn.ctx.activity.from?.aadObjectId;
    // Only a campaign's own recipients count, and nobody else learns what it said.
    const notYours = () => deps.cards.card('message', { title: 'Not for you', text: 'This message was not sent to you, so there is nothing to acknowledge.', reference: '' });
    if (!aad || !turn.identity) return notYours();
    const outcome = await cd.campaigns.acknowledge(id, aad.toLowerCase(), conversationKey(turn.ctx));
    if (outcome === 'not_a_recipient') return notYours();
    const c = (await cd.campaigns.get(id))!;
    return campaignMessage(deps, c, { banner: outcome === 'counted' ? 'Thanks: acknowledged.' : 'You already acknowledged this message.', bannerColor: 'Good' });
  };

  return {
    commands: [command],
    verbs: {
      'campaign.count': verb(ComposerData, count),
      'campaign.preview': verb(ComposerData, preview),
      'campaign.send': verb(ComposerData, send),
      'campaign.edit': verb(ComposerData, edit),
      // The confirmation card carries the composer's fields and the count being confirmed.
      'campaign.confirm': verb(ComposerData.extend({ confirmCount: z.union([z.string().max(20), z.number()]).optional() }), confirm),
      'campaign.refresh': verb(CampaignRef, refresh),
      'campaign.cancel': verb(CampaignRef, cancel),
      'campaign.ack': verb(CampaignRef, ack),
    },
  };
}

/** The stored reference key of the conversation the staff member composes in. */
function progressConversationKey(turn: Turn): string {
  return conversationKey(turn.ctx);
}

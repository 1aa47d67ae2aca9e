/**
 * The Rewards team in Teams: registering the staff channels, the activation notices they receive
 * (with Mark contacted / Mark completed), and the automatic messages that program events send,
 * all through the durable outbox.
 */
import { z } from 'zod';
import { TurnContext } from 'botbuilder';
import type { Activation, Staff } from '../../../domain/model.js';
import { REVOCATION_REASON_TEXT, activationOverdue, type ProgramEvent } from '../../../domain/program/index.js';
import { AppError } from '../../../services/errors.js';
import { getChannels, setChannel, type ChannelRole } from '../../../services/channels.js';
import { findUserConversation } from '../../../services/conversations.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asOutboxMessage, type Banner } from '../cards.js';
import type { VerbHandler } from '../rewards-bot.js';
import { verb, type BotDeps, type Command, type Turn, type VerbTable } from '../turn.js';
import { formatDay } from './present.js';

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', de: 'German', es: 'Spanish', fr: 'French', it: 'Italian', ja: 'Japanese', ko: 'Korean', nl: 'Dutch', pt: 'Portuguese', zh: 'Chinese' };
const STATE_LINE: Record<Activation['state'], { text: string; color: string }> = {
  activated: { text: 'Waiting for the Rewards team to contact', color: 'Warning' },
  in_progress: { text: 'Contacted, in progress', color: 'Accent' },
  completed: { text: 'Completed', color: 'Good' },
  revoked: { text: 'Revoked', color: 'Attention' },
};

/** The staff member behind a turn, with the role a staff action needs. */
export function staffCaller(turn: Turn, role: Staff['roles'][number]): Staff {
  const id = turn.identity;
  const staff = id && (id.kind === 'staff' || id.kind === 'both') ? id.staff : undefined;
  if (!staff || !staff.roles.includes(role)) {
    throw new AppError('forbidden', role === 'rewards' ? 'Only the Rewards team can do this.' : 'Only support agents can do this.');
  }
  return staff;
}

/** The activation card the Rewards channel gets, also the in-place answer to its buttons. */
export function activationNotice(deps: BotDeps, doc: PublisherDoc, activation: Activation, banner: Banner = { banner: '', bannerColor: 'Default' }) {
  const benefit = deps.program.edition.benefits.find((b) => b.id === activation.benefitId);
  const offer = doc.offers.find((o) => o.id === activation.offerId);
  const by = doc.publisher.users.find((u) => u.aadObjectId === activation.activatedBy);
  const c = doc.state.contact;
  const overdue = activationOverdue(activation, deps.now().toISOString());
  return deps.cards.card('activation-notice', {
    ...banner,
    title: `${doc.publisher.name} activated ${benefit?.name ?? activation.benefitId}`,
    stateLine: overdue ? `Overdue: contact was due ${formatDay(activation.dueAt)}` : STATE_LINE[activation.state].text,
    stateColor: overdue ? 'Attention' : STATE_LINE[activation.state].color,
    facts: [
      { title: 'Offer', value: offer?.name ?? activation.offerId },
      { title: 'MPN ID', value: doc.publisher.mpnId ?? 'none' },
      { title: 'Activated by', value: `${by?.name ?? activation.activatedBy} on ${formatDay(activation.activatedAt)}` },
      { title: 'Contact', value: c ? `${c.name}, ${c.email}, ${c.phone} (${LANGUAGE_NAMES[c.language] ?? c.language})` : 'none' },
      { title: 'Contact due by', value: formatDay(activation.dueAt) },
      ...(activation.contactedAt ? [{ title: 'Contacted', value: formatDay(activation.contactedAt) }] : []),
      ...(activation.completedAt ? [{ title: 'Completed', value: formatDay(activation.completedAt) }] : []),
    ],
    canContact: activation.state === 'activated',
    canComplete: activation.state === 'activated' || activation.state === 'in_progress',
    publisherId: doc.publisher.id,
    activationId: activation.id,
  });
}

// ---- channel registration ------------------------------------------------------------------------

/** What registering a channel sets off (support: post the tickets that waited for one). */
export type OnRegistered = Partial<Record<ChannelRole, (deps: BotDeps) => Promise<number>>>;

const registerCommand = (role: ChannelRole, onRegistered: OnRegistered): Command => ({
  name: `register ${role} channel`,
  description: role === 'rewards' ? 'Send Rewards team notifications to this channel' : 'Send support tickets to this channel',
  audience: 'staff',
  async handle(turn, deps) {
    const staff = staffCaller(turn, role);
    const a = turn.ctx.activity;
    if (a.conversation?.conversationType !== 'channel') {
      throw new AppError('invalid_input', `Type this in the team channel that should receive ${role === 'rewards' ? 'Rewards team notifications' : 'support tickets'} (the app must be installed in the team).`);
    }
    // A channel post's conversation id carries ";messageid=…"; proactive posts go to the channel itself.
    const channelId = (a.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? a.conversation.id.split(';')[0]!;
    const { activityId: _ignored, ...ref } = TurnContext.getConversationReference(a);
    const key = `channel:${channelId}`;
    await deps.store.saveConversationRef(key, JSON.parse(JSON.stringify({ ...ref, conversation: { ...ref.conversation, id: channelId } })) as Record<string, unknown>);
    await setChannel(deps.store, role, key);
    await deps.store.appendAudit([{ at: deps.now().toISOString(), actor: staff.aadObjectId, action: `register_${role}_channel`, subject: channelId, details: {} }]);
    const waiting = (await onRegistered[role]?.(deps)) ?? 0;
    const what = role === 'rewards' ? 'Rewards team notifications (activations, reminders, no-contact alerts)' : 'support tickets';
    await turn.ctx.sendActivity(`This channel now receives ${what}.${waiting ? ` ${waiting === 1 ? 'One open ticket that was raised before now follows' : `${waiting} open tickets that were raised before now follow`}.` : ''}`);
  },
});

// ---- activation buttons --------------------------------------------------------------------------

const ActivationRef = z.object({ publisherId: z.string().max(64), activationId: z.string().max(64) });

const markActivation =
  (to: 'contacted' | 'completed'): VerbHandler =>
  async (turn, data, deps) => {
    const staff = staffCaller(turn, 'rewards');
    const parsed = ActivationRef.safeParse(data);
    if (!parsed.success) throw new AppError('invalid_input', 'That button’s data could not be read.');
    const { publisherId, activationId } = parsed.data;
    const r = await deps.program.markActivation(staff, publisherId, activationId, to);
    const doc = (await deps.store.getPublisher(publisherId))!;
    const activation = doc.state.activations.find((x) => x.id === activationId);
    if (!activation) throw new AppError('not_found', `No activation ${activationId} for ${publisherId}.`);
    const changed = r.ok && r.events.length > 0;
    const banner: Banner = !r.ok
      ? { banner: r.error.message, bannerColor: 'Attention' }
      : changed
        ? { banner: `Marked ${to} by ${staff.name}.`, bannerColor: 'Good' }
        : { banner: `This was already marked ${to}.`, bannerColor: 'Default' };
    // The answer replaces the card for the clicker only: edit the channel's copies for everyone else.
    if (changed) await updateNotices(deps, doc, activation, banner);
    return activationNotice(deps, doc, activation, banner);
  };

/** Every copy of an activation's notice posted in the Rewards channel (the notice and its reminder). */
async function updateNotices(deps: BotDeps, doc: PublisherDoc, activation: Activation, banner: Banner): Promise<void> {
  for (const key of [`activated:${activation.id}:rewards`, `overdue:${activation.id}:rewards`]) {
    const posted = await deps.store.findOutbox(key);
    if (!posted?.activityId) continue;
    await deps.cardUpdater.update(posted.conversationKey, posted.activityId, activationNotice(deps, doc, activation, banner)).catch((err: unknown) => deps.log.warn({ err, activation: activation.id }, 'activation notice not updated'));
  }
}

export const rewardsTeamCommands = (onRegistered: OnRegistered = {}): Command[] => [registerCommand('rewards', onRegistered), registerCommand('support', onRegistered)];
export const rewardsTeamVerbs: VerbTable = {
  'activation.contacted': verb(ActivationRef, markActivation('contacted')),
  'activation.completed': verb(ActivationRef, markActivation('completed')),
};

// ---- automatic messages ------------------------------------------------------------------------------

/** Who hears about the company's program: its marketing contact and its owners and managers, where reachable. */
export async function publisherRecipients(deps: BotDeps, doc: PublisherDoc): Promise<string[]> {
  const people = new Set<string>(doc.publisher.users.filter((u) => u.role === 'owner' || u.role === 'manager').map((u) => u.aadObjectId));
  if (doc.state.contact) people.add(doc.state.contact.aadObjectId);
  const keys: string[] = [];
  for (const aad of people) {
    // Someone who never talked to the bot has no conversation to post in.
    const c = await findUserConversation(deps.store, doc.publisher.tenantIds, aad);
    if (c.reachable) keys.push(c.key);
  }
  return keys;
}

const textMessage = (deps: BotDeps, title: string, text: string) => asOutboxMessage(deps.cards.card('message', { title, text, reference: '' }));

/** Turns program events into outbox messages (each once: the idempotency key names the event). */
export function programNotifications(deps: BotDeps) {
  return async (events: ProgramEvent[]): Promise<void> => {
    const items: Array<{ idempotencyKey: string; conversationKey: string; payload: Record<string, unknown>; dueAt: string }> = [];
    const now = deps.now().toISOString();
    const channels = await getChannels(deps.store);
    for (const e of events) {
      const doc = await deps.store.getPublisher(e.publisherId);
      if (!doc) continue;
      if (e.type === 'benefit_activated' && channels.rewards) {
        items.push({ idempotencyKey: `activated:${e.activation.id}:rewards`, conversationKey: channels.rewards, payload: asOutboxMessage(activationNotice(deps, doc, e.activation)), dueAt: now });
      } else if (e.type === 'activation_contacted') {
        const a = doc.state.activations.find((x) => x.id === e.activationId);
        if (!a) continue;
        const benefit = deps.program.edition.benefits.find((b) => b.id === a.benefitId)?.name ?? a.benefitId;
        items.push({
          idempotencyKey: `contacted:${a.id}:publisher`,
          conversationKey: (await findUserConversation(deps.store, doc.publisher.tenantIds, a.activatedBy)).key,
          payload: textMessage(deps, 'The Rewards team is on it', `A member of the Rewards team contacted ${doc.state.contact?.name ?? 'your marketing contact'} about ${benefit}.`),
          dueAt: now,
        });
      } else if (e.type === 'transaction_marked' && e.to !== 'billed') {
        const what = e.to === 'fraud' ? 'marked fraudulent' : e.to === 'cancelled_accidental' ? 'cancelled as an accidental purchase' : 'cancelled before use';
        for (const key of await publisherRecipients(deps, doc)) {
          items.push({ idempotencyKey: `tx:${e.transactionId}:${e.to}:${key}`, conversationKey: key, payload: textMessage(deps, 'A transaction no longer counts', `Transaction ${e.transactionId} was ${what}${e.note ? ` (${e.note})` : ''}, so it no longer counts toward your tier. Type status to see your tier now.`), dueAt: now });
        }
      } else if (e.type === 'activation_revoked') {
        const a = doc.state.activations.find((x) => x.id === e.activationId);
        const benefit = deps.program.edition.benefits.find((b) => b.id === a?.benefitId)?.name ?? 'A benefit';
        for (const key of await publisherRecipients(deps, doc)) {
          items.push({ idempotencyKey: `revoked:${e.activationId}:${key}`, conversationKey: key, payload: textMessage(deps, 'A benefit was revoked', `${benefit} was revoked: ${e.reason}.`), dueAt: now });
        }
      } else if (e.type === 'benefits_revoked') {
        const reason = REVOCATION_REASON_TEXT[e.reason];
        for (const key of await publisherRecipients(deps, doc)) {
          items.push({ idempotencyKey: `revoked-all:${e.at}:${key}`, conversationKey: key, payload: textMessage(deps, 'Your benefits were revoked', `Microsoft revoked ${doc.publisher.name}'s Marketplace Rewards benefits: ${reason}.${e.note ? ` ${e.note}` : ''}`), dueAt: now });
        }
      } else if (e.type === 'tech_requested' && channels.rewards) {
        const by = doc.publisher.users.find((u) => u.aadObjectId === e.request.requestedBy);
        items.push({
          idempotencyKey: `tech:${e.request.id}:rewards`,
          conversationKey: channels.rewards,
          payload: textMessage(deps, `${doc.publisher.name} requests technical assistance (${e.request.phase.replace('_', ' ')})`, `${by?.name ?? 'A user'}: ${e.request.description}`),
          dueAt: now,
        });
      }
    }
    if (items.length > 0) await deps.store.enqueueOutbox(items);
  };
}

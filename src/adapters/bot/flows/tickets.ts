/**
 * Support tickets in chat. Publishers raise and follow them in their 1:1 chat; agents work them in
 * the registered support channel. Every change updates both copies of the ticket card in place
 * and posts a short note in the publisher's chat (through the outbox).
 */
import { z } from 'zod';
import { TicketCategory, type Staff, type Ticket } from '../../../domain/model.js';
import { firstResponded, isOpen, statusText, type TicketAction, type TicketActor } from '../../../domain/tickets.js';
import { getChannels } from '../../../services/channels.js';
import { AppError } from '../../../services/errors.js';
import { TicketInput, type TicketService } from '../../../services/tickets.js';
import type { PublisherDoc } from '../../store/store.js';
import { asAttachment, asOutboxMessage, type Banner } from '../cards.js';
import { conversationKey, type VerbHandler } from '../rewards-bot.js';
import type { BotDeps, Command, Turn } from '../turn.js';
import { formatDay } from './present.js';
import { publisherRecipients, staffCaller } from './rewards-team.js';

const CATEGORY_TITLES: Record<z.infer<typeof TicketCategory>, string> = {
  no_contact_after_go_live: 'No Rewards contact after my offer went live',
  offer_owner_unknown: 'The offer owner is unknown or left the company',
  benefit_or_activation: 'A benefit or an activation',
  tier_or_sales: 'My tier or sales look wrong',
  other: 'Something else',
};
const STATUS_COLOR: Record<Ticket['status'], string> = { unassigned: 'Warning', assigned: 'Accent', waiting_on_partner: 'Attention', resolved: 'Good', closed: 'Default', withdrawn: 'Default' };
const noBanner: Banner = { banner: '', bannerColor: 'Default' };

export interface TicketDeps {
  tickets: TicketService;
}

/** Names for the people in a ticket's history. */
async function people(deps: BotDeps, doc: PublisherDoc | undefined): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const u of doc?.publisher.users ?? []) names.set(u.aadObjectId, u.name);
  for (const s of await deps.store.listStaff()) names.set(s.aadObjectId, s.name);
  return names;
}

/** One card template, two views: the publisher's and the agent's. */
async function ticketCard(deps: BotDeps, t: Ticket, view: 'publisher' | 'agent', banner: Banner = noBanner) {
  const doc = await deps.store.getPublisher(t.publisherId);
  const names = await people(deps, doc);
  const offer = doc?.offers.find((o) => o.id === t.offerId);
  const facts = [
    { title: 'Category', value: CATEGORY_TITLES[t.category] },
    { title: 'Severity', value: t.severity },
    { title: 'Raised', value: `${formatDay(t.createdAt)} by ${names.get(t.raisedBy) ?? 'a user'}` },
    ...(offer ? [{ title: 'Offer', value: offer.name }] : []),
    ...(t.assignee ? [{ title: 'Agent', value: names.get(t.assignee) ?? 'an agent' }] : []),
  ];
  if (view === 'agent' && doc) {
    const e = await deps.program.evaluate(doc.publisher.id, undefined, doc);
    facts.push(
      { title: 'Publisher', value: `${doc.publisher.name} (MPN ${doc.publisher.mpnId ?? 'none'})` },
      { title: 'Tier', value: e.tierName },
      { title: 'Enrolment', value: e.enrolled ? 'enrolled' : 'not enrolled' },
      { title: 'Marketing contact', value: doc.state.contact ? `${doc.state.contact.name}, ${doc.state.contact.email}` : 'none' },
      ...Object.entries(t.context).map(([k, v]) => ({ title: k === 'offerOwner' ? 'Offer owner' : k === 'liveDate' ? 'Live since' : k, value: v })),
      ...(t.firstResponseDueAt && !firstResponded(t) && isOpen(t) ? [{ title: 'First response due', value: `${t.firstResponseDueAt.slice(0, 16).replace('T', ' ')} UTC` }] : []),
    );
  }
  const open = isOpen(t);
  const buttons: Array<{ title: string; verb: string; ticketId: string }> = [];
  const b = (title: string, verb: string) => buttons.push({ title, verb, ticketId: t.id });
  let agents: Array<{ title: string; choice: string }> = [];
  if (view === 'publisher') {
    if (open || t.status === 'resolved') b('Add comment', 'ticket.comment');
    if (open) b('Withdraw', 'ticket.withdraw');
    if (t.status === 'resolved') b('Reopen', 'ticket.reopen');
  } else {
    if (open) {
      b('Assign to me', 'ticket.assign_me');
      agents = (await deps.store.listStaff()).filter((s) => s.roles.includes('support')).map((s) => ({ title: s.name, choice: s.aadObjectId }));
      if (agents.length) b('Assign to…', 'ticket.assign');
      b('Reply', 'ticket.reply');
      if (t.status === 'assigned') b('Waiting on partner', 'ticket.wait');
      b('Resolve', 'ticket.resolve');
    }
    if (t.status === 'resolved') b('Reopen', 'ticket.reopen');
  }
  return deps.cards.card('ticket', {
    ...banner,
    ticketId: t.id,
    headline: view === 'agent' ? `${doc?.publisher.name ?? t.publisherId}: ${CATEGORY_TITLES[t.category]}` : CATEGORY_TITLES[t.category],
    status: statusText(t.status),
    statusColor: STATUS_COLOR[t.status],
    facts,
    description: t.description,
    history: t.notes.map((n) => `${n.at.slice(0, 16).replace('T', ' ')} · ${n.by === 'system' ? 'system' : (names.get(n.by) ?? (n.by === t.raisedBy ? 'publisher' : 'agent'))}: ${n.text || n.action}`),
    canComment: view === 'publisher' && (open || t.status === 'resolved'),
    agents,
    canReply: view === 'agent' && open,
    canResolve: view === 'agent' && open,
    buttons,
  });
}

export function ticketFlows(td: TicketDeps): { commands: Command[]; verbs: Record<string, VerbHandler>; onUnmatched: (turn: Turn, deps: BotDeps) => Promise<boolean>; sync: (deps: BotDeps, t: Ticket, note: string, skip?: 'publisher' | 'agent') => Promise<void> } {
  const channelKey = (id: string) => `ticket:${id}:channel`;

  /** Brings both cards up to date and tells the publisher, after any change. */
  const sync = async (deps: BotDeps, t: Ticket, note: string, skip?: 'publisher' | 'agent') => {
    if (skip !== 'publisher' && t.publisherCard) {
      await deps.cardUpdater.update(t.publisherCard.conversationKey, t.publisherCard.activityId, await ticketCard(deps, t, 'publisher')).catch((err: unknown) => deps.log.warn({ err, ticket: t.id }, 'publisher ticket card not updated'));
    }
    const posted = await deps.store.findOutbox(channelKey(t.id));
    if (skip !== 'agent' && posted?.activityId) {
      await deps.cardUpdater.update(posted.conversationKey, posted.activityId, await ticketCard(deps, t, 'agent')).catch((err: unknown) => deps.log.warn({ err, ticket: t.id }, 'channel ticket card not updated'));
    }
    // A short note in the publisher's chat for every change made by someone else.
    const doc = await deps.store.getPublisher(t.publisherId);
    const raiser = t.publisherCard?.conversationKey;
    const keys = raiser ? [raiser] : doc ? await publisherRecipients(deps, doc) : [];
    if (skip !== 'publisher') {
      const content = deps.cards.card('message', { title: `${t.id}: ${statusText(t.status)}`, text: note, reference: '' });
      await deps.store.enqueueOutbox(keys.map((k) => ({ idempotencyKey: `ticket:${t.id}:note:${t.notes.length}:${k}`, conversationKey: k, payload: asOutboxMessage(content), dueAt: deps.now().toISOString() })));
    }
  };

  // ---- publisher side ----------------------------------------------------------------------------

  const formCard = (deps: BotDeps, doc: PublisherDoc, draft: Record<string, string>, errors: Record<string, string>, banner: Banner) =>
    deps.cards.card('ticket-form', {
      ...banner,
      categories: TicketCategory.options.map((c) => ({ title: CATEGORY_TITLES[c], choice: c })),
      offers: doc.offers.map((o) => ({ title: o.name, choice: o.id })),
      categoryValue: draft.category ?? 'other',
      offerValue: draft.offerId ?? '',
      severityValue: draft.severity ?? 'normal',
      descriptionValue: draft.description ?? '',
      errors: { description: errors.description ?? '' },
    });

  const ticketCommand: Command = {
    name: 'ticket',
    description: 'Raise a support ticket',
    audience: 'everyone',
    async handle(turn, deps) {
      const { doc } = await deps.program.publisherCaller(turn.identity);
      await turn.ctx.sendActivity({ attachments: [asAttachment(formCard(deps, doc, {}, {}, noBanner))] });
    },
  };

  const FormData = z.object({ category: z.string().max(40).default('other'), offerId: z.string().max(64).default(''), severity: z.string().max(20).default('normal'), description: z.string().max(5000).default('') });

  const submit: VerbHandler = async (turn, data, deps) => {
    const { caller, doc } = await deps.program.publisherCaller(turn.identity);
    const d = FormData.safeParse(data ?? {});
    if (!d.success) throw new AppError('invalid_input', 'That form could not be read. Type ticket for a fresh one.');
    const input = TicketInput.safeParse({ category: d.data.category, offerId: d.data.offerId || null, severity: d.data.severity, description: d.data.description });
    if (!input.success) {
      const errors = Object.fromEntries(input.error.issues.map((i) => [String(i.path[0]), i.message]));
      return formCard(deps, doc, d.data, errors, { banner: 'Please correct the fields marked below. Nothing was sent.', bannerColor: 'Attention' });
    }
    const t = await td.tickets.raise(caller.publisherId, caller.aadObjectId, input.data);
    if (turn.ctx.activity.replyToId) await td.tickets.setPublisherCard(t.id, { conversationKey: conversationKey(turn.ctx), activityId: turn.ctx.activity.replyToId });
    const { support } = await getChannels(deps.store);
    if (support) {
      await deps.store.enqueueOutbox([{ idempotencyKey: channelKey(t.id), conversationKey: support, payload: asOutboxMessage(await ticketCard(deps, t, 'agent')), dueAt: deps.now().toISOString() }]);
    } else deps.log.warn({ ticket: t.id }, 'no support channel registered: the ticket waits in the queue');
    return ticketCard(deps, t, 'publisher', { banner: `Ticket ${t.id} raised. A support agent will answer here.`, bannerColor: 'Good' });
  };

  const listCommand: Command = {
    name: 'tickets',
    description: 'Your support tickets, open first',
    audience: 'everyone',
    async handle(turn, deps) {
      const { caller } = await deps.program.publisherCaller(turn.identity);
      const mine = await td.tickets.mine(caller.publisherId);
      const line = (t: Ticket) => ({ title: t.id, value: `${statusText(t.status)} · ${CATEGORY_TITLES[t.category]} · ${formatDay(t.createdAt)}` });
      const open = mine.filter(isOpen);
      const rest = mine.filter((t) => !isOpen(t));
      const sections = [...(open.length ? [{ title: 'Open', tickets: open.map(line) }] : []), ...(rest.length ? [{ title: 'Closed, resolved or withdrawn', tickets: rest.map(line) }] : [])];
      await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('ticket-list', { title: 'Your tickets', empty: 'No tickets yet. Type ticket to raise one.', sections })] });
    },
  };

  const Ref = z.object({ ticketId: z.string().regex(/^RW-\d+$/), comment: z.string().max(4000).default(''), reply: z.string().max(4000).default(''), resolution: z.string().max(4000).default(''), assignee: z.string().max(64).default('') });
  const parse = (data: unknown) => {
    const r = Ref.safeParse(data ?? {});
    if (!r.success) throw new AppError('invalid_input', 'That button’s data could not be read.');
    return r.data;
  };

  /** A publisher acting on a ticket: only their own company's tickets. */
  const publisherVerb =
    (make: (d: z.infer<typeof Ref>) => TicketAction): VerbHandler =>
    async (turn, data, deps) => {
      const { caller } = await deps.program.publisherCaller(turn.identity);
      const d = parse(data);
      const t = await td.tickets.get(d.ticketId);
      if (!t || t.publisherId !== caller.publisherId) throw new AppError('forbidden', 'That ticket is not one of your company’s tickets.');
      const actor: TicketActor = { kind: 'publisher', aadObjectId: caller.aadObjectId, name: caller.name, publisherId: caller.publisherId };
      const r = await td.tickets.act(d.ticketId, make(d), actor);
      if (!r.ok) return ticketCard(deps, t, 'publisher', { banner: r.message, bannerColor: 'Attention' });
      await sync(deps, r.ticket, r.note, 'publisher');
      return ticketCard(deps, r.ticket, 'publisher', { banner: 'Done.', bannerColor: 'Good' });
    };

  // ---- agent side --------------------------------------------------------------------------------------

  const agentVerb =
    (make: (d: z.infer<typeof Ref>, agent: Staff) => TicketAction): VerbHandler =>
    async (turn, data, deps) => {
      const agent = staffCaller(turn, 'support');
      const d = parse(data);
      const t = await td.tickets.get(d.ticketId);
      if (!t) throw new AppError('not_found', `No ticket ${d.ticketId}.`);
      const r = await td.tickets.act(d.ticketId, make(d, agent), { kind: 'agent', aadObjectId: agent.aadObjectId, name: agent.name });
      if (!r.ok) return ticketCard(deps, t, 'agent', { banner: r.message, bannerColor: 'Attention' });
      const text = r.ticket.notes[r.ticket.notes.length - 1]?.text ?? r.note;
      await sync(deps, r.ticket, text, 'agent');
      return ticketCard(deps, r.ticket, 'agent', { banner: r.note, bannerColor: 'Good' });
    };

  const assignTo: VerbHandler = async (turn, data, deps) => {
    const d = parse(data);
    const target = (await deps.store.listStaff()).find((s) => s.aadObjectId === d.assignee && s.roles.includes('support'));
    if (!target) {
      staffCaller(turn, 'support');
      throw new AppError('invalid_input', 'Choose a support agent to assign it to.');
    }
    return agentVerb(() => ({ kind: 'assign', to: target.aadObjectId, toName: target.name }))(turn, data, deps);
  };

  const queueCommand: Command = {
    name: 'queue',
    description: 'Support tickets: unassigned, mine, urgent, overdue',
    audience: 'staff',
    async handle(turn, deps) {
      const agent = staffCaller(turn, 'support');
      const q = await td.tickets.queue(agent.aadObjectId);
      const line = (t: Ticket) => ({ title: t.id, value: `${statusText(t.status)} · ${t.severity} · ${CATEGORY_TITLES[t.category]} · ${t.publisherId}` });
      const sections = (
        [
          ['Unassigned', q.unassigned],
          ['Mine', q.mine],
          ['Urgent', q.urgent],
          ['Overdue (first response)', q.overdue],
        ] as const
      )
        .filter(([, list]) => list.length > 0)
        .map(([title, list]) => ({ title, tickets: list.map(line) }));
      await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('ticket-list', { title: 'Support queue', empty: 'Nothing waiting. 🎉', sections })] });
    },
  };

  /** Text typed by a publisher while one of their tickets waits on them is added to it. */
  const onUnmatched = async (turn: Turn, deps: BotDeps): Promise<boolean> => {
    const id = turn.identity;
    if (!id || id.kind === 'staff') return false;
    const text = (turn.ctx.activity.text ?? '').trim();
    if (!text) return false;
    const waiting = (await td.tickets.mine(id.publisherId)).find((t) => t.status === 'waiting_on_partner' && t.raisedBy === id.aadObjectId);
    if (!waiting) return false;
    const { caller } = await deps.program.publisherCaller(id);
    const r = await td.tickets.act(waiting.id, { kind: 'comment', text }, { kind: 'publisher', aadObjectId: caller.aadObjectId, name: caller.name, publisherId: caller.publisherId });
    if (!r.ok) return false;
    await sync(deps, r.ticket, r.note, 'publisher');
    await turn.ctx.sendActivity(`Added to ${waiting.id}; the support agent will see it.`);
    return true;
  };

  return {
    commands: [ticketCommand, listCommand, queueCommand],
    verbs: {
      'ticket.submit': submit,
      'ticket.comment': publisherVerb((d) => ({ kind: 'comment', text: d.comment })),
      'ticket.withdraw': publisherVerb(() => ({ kind: 'withdraw' })),
      'ticket.reopen': async (turn, data, deps) => {
        const id = turn.identity;
        if (id && (id.kind === 'staff' || id.kind === 'both') && id.staff.roles.includes('support')) return agentVerb(() => ({ kind: 'reopen' }))(turn, data, deps);
        return publisherVerb(() => ({ kind: 'reopen' }))(turn, data, deps);
      },
      'ticket.assign_me': agentVerb((_d, agent) => ({ kind: 'assign', to: agent.aadObjectId, toName: agent.name })),
      'ticket.assign': assignTo,
      'ticket.reply': agentVerb((d) => ({ kind: 'reply', text: d.reply })),
      'ticket.wait': agentVerb(() => ({ kind: 'wait_on_partner' })),
      'ticket.resolve': agentVerb((d) => ({ kind: 'resolve', note: d.resolution })),
    },
    onUnmatched,
    sync,
  };
}

export { ticketCard };

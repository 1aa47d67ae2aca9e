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
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asAttachment, asOutboxMessage, type Banner, type CardModels } from '../cards.js';
import { conversationKey, type VerbHandler } from '../rewards-bot.js';
import { verb, type BotDeps, type Command, type Turn, type VerbTable } from '../turn.js';
import { formatDateTime, formatDay } from './present.js';
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
const SEVERITY_TITLES: Record<Ticket['severity'], string> = { urgent: 'Urgent', normal: 'Normal' };
const CONTEXT_TITLES: Record<string, string> = { offer: 'Offer', offerOwner: 'Offer owner', liveDate: 'Live since' };

/** "26 Nov 2026 14:05 · Isaiah Langer replied: …": the actor named once, whatever the note says. */
function historyLine(n: Ticket['notes'][number], t: Ticket, names: Map<string, string>): string {
  const actor = n.by === 'system' ? '' : (names.get(n.by) ?? (n.by === t.raisedBy ? 'The publisher' : 'An agent'));
  const text = n.text || n.action;
  const said = !actor || text.startsWith(actor) || n.by === 'system' ? text : `${actor} ${text}`;
  return `${formatDateTime(n.at)} · ${said.charAt(0).toUpperCase()}${said.slice(1)}`;
}

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
/**
 * The ticket card. `viewer`: the agent it is drawn for, when only they will see it (an invoke
 * answer); a card edited for the whole channel is drawn for no one in particular.
 */
async function ticketCard(deps: BotDeps, t: Ticket, view: 'publisher' | 'agent', banner: Banner = noBanner, viewer?: string) {
  const doc = await deps.store.getPublisher(t.publisherId);
  const names = await people(deps, doc);
  const offer = doc?.offers.find((o) => o.id === t.offerId);
  const facts = [
    { title: 'Category', value: CATEGORY_TITLES[t.category] },
    { title: 'Severity', value: SEVERITY_TITLES[t.severity] },
    { title: 'Raised', value: `${formatDay(t.createdAt)} by ${names.get(t.raisedBy) ?? 'a user'}` },
    ...(offer ? [{ title: 'Offer', value: offer.name }] : []),
    ...(t.assignee ? [{ title: 'Agent', value: names.get(t.assignee) ?? 'an agent' }] : []),
  ];
  if (view === 'agent' && doc) {
    const e = await deps.program.evaluate(doc.publisher.id, undefined, doc);
    facts.push(
      { title: 'Publisher', value: `${doc.publisher.name} (MPN ${doc.publisher.mpnId ?? 'none'})` },
      { title: 'Tier', value: e.tierName },
      { title: 'Enrollment', value: e.enrolled ? 'enrolled' : 'not enrolled' },
      { title: 'Marketing contact', value: doc.state.contact ? `${doc.state.contact.name}, ${doc.state.contact.email}` : 'none' },
      // The offer is already a row above; the context adds who owns it and since when it is live.
      ...Object.entries(t.context)
        .filter(([k]) => k !== 'offer' || !offer)
        .map(([k, v]) => ({ title: CONTEXT_TITLES[k] ?? k, value: k === 'liveDate' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatDay(v) : v })),
      ...(t.firstResponseDueAt && !firstResponded(t) && isOpen(t) ? [{ title: 'First response due', value: formatDateTime(t.firstResponseDueAt) }] : []),
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
      // Drawn for one agent: offered unless it is theirs. Drawn for the whole channel: only while
      // nobody has it (the assignee would see a button that does nothing); "Assign to…" reassigns.
      if (viewer ? t.assignee !== viewer : !t.assignee) b('Assign to me', 'ticket.assign_me');
      agents = (await deps.store.listStaff()).filter((s) => s.roles.includes('support') && s.aadObjectId !== t.assignee).map((s) => ({ title: s.name, choice: s.aadObjectId }));
      if (agents.length) b('Assign to…', 'ticket.assign');
      b('Reply', 'ticket.reply');
      if (t.status === 'assigned') b('Waiting on partner', 'ticket.wait');
      b('Resolve', 'ticket.resolve');
    }
    if (t.status === 'resolved') b('Reopen', 'ticket.reopen');
    // Drawn for one agent (opened from the queue or with `ticket RW-n`): the way back to the queue.
    if (viewer) b('Queue', 'ticket.queue');
  }
  return deps.cards.card('ticket', {
    ...banner,
    ticketId: t.id,
    headline: view === 'agent' ? `${doc?.publisher.name ?? t.publisherId}: ${CATEGORY_TITLES[t.category]}` : CATEGORY_TITLES[t.category],
    status: statusText(t.status, view),
    statusColor: STATUS_COLOR[t.status],
    facts,
    description: t.description,
    history: t.notes.map((n) => historyLine(n, t, names)),
    canComment: view === 'publisher' && (open || t.status === 'resolved'),
    agents,
    canReply: view === 'agent' && open,
    canResolve: view === 'agent' && open,
    buttons,
  });
}

export interface TicketFlows {
  commands: Command[];
  verbs: VerbTable;
  onUnmatched: (turn: Turn, deps: BotDeps) => Promise<boolean>;
  /** Brings every copy of a ticket's card up to date and tells the publisher. */
  sync: (deps: BotDeps, t: Ticket, note: string, quiet?: 'publisher' | 'agent') => Promise<void>;
  /** Posts open tickets that never reached a support channel; returns how many. */
  postWaiting: (deps: BotDeps) => Promise<number>;
}

export function ticketFlows(td: TicketDeps): TicketFlows {
  const channelKey = (id: string) => `ticket:${id}:channel`;

  /**
   * Brings every copy of the ticket card up to date after a change, and tells the publisher.
   * In Teams an invoke answer replaces the card only for the person who clicked, so each posted
   * copy (the support channel's, the publisher's) is edited as a message: everyone in the channel
   * sees the new state and its buttons. `quiet: 'publisher'` skips the chat note (their own action).
   */
  const sync = async (deps: BotDeps, t: Ticket, note: string, quiet?: 'publisher' | 'agent') => {
    if (t.publisherCard) {
      await deps.cardUpdater.update(t.publisherCard.conversationKey, t.publisherCard.activityId, await ticketCard(deps, t, 'publisher')).catch((err: unknown) => deps.log.warn({ err, ticket: t.id }, 'publisher ticket card not updated'));
    }
    const posted = await deps.store.findOutbox(channelKey(t.id));
    if (posted?.activityId) {
      await deps.cardUpdater.update(posted.conversationKey, posted.activityId, await ticketCard(deps, t, 'agent')).catch((err: unknown) => deps.log.warn({ err, ticket: t.id }, 'channel ticket card not updated'));
    }
    if (quiet === 'publisher') return;
    // A short note in the publisher's chat for every change made by someone else.
    const doc = await deps.store.getPublisher(t.publisherId);
    const raiser = t.publisherCard?.conversationKey;
    const keys = raiser ? [raiser] : doc ? await publisherRecipients(deps, doc) : [];
    const content = deps.cards.card('message', { title: `${t.id}: ${statusText(t.status)}`, text: note, reference: '' });
    await deps.store.enqueueOutbox(keys.map((k) => ({ idempotencyKey: `ticket:${t.id}:note:${t.notes.length}:${k}`, conversationKey: k, payload: asOutboxMessage(content), dueAt: deps.now().toISOString() })));
  };

  /** Posts the agent card of a ticket to the support channel, once (the outbox key names the ticket). */
  const postToChannel = async (deps: BotDeps, t: Ticket, support: string) =>
    (await deps.store.enqueueOutbox([{ idempotencyKey: channelKey(t.id), conversationKey: support, payload: asOutboxMessage(await ticketCard(deps, t, 'agent')), dueAt: deps.now().toISOString() }])).enqueued;

  /** Open tickets raised before a support channel was registered go to it now. */
  const postWaiting = async (deps: BotDeps): Promise<number> => {
    const { support } = await getChannels(deps.store);
    if (!support) return 0;
    let posted = 0;
    for (const t of await deps.store.listTickets({ status: ['unassigned', 'assigned', 'waiting_on_partner'] })) {
      if (!(await deps.store.findOutbox(channelKey(t.id)))) posted += await postToChannel(deps, t, support);
    }
    return posted;
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

  /** `ticket` opens the form; `ticket RW-1001` shows that ticket (agents: any; publishers: their company's). */
  const ticketCommand: Command = {
    name: 'ticket',
    description: 'Raise a support ticket, or show one: ticket RW-1001',
    audience: 'everyone',
    async handle(turn, deps) {
      const named = /^ticket\s+(rw-\d{1,9})$/.exec(turn.command)?.[1]?.toUpperCase();
      if (named) {
        await turn.ctx.sendActivity({ attachments: [asAttachment(await shownTicket(turn, deps, named))] });
        return;
      }
      if (turn.command !== 'ticket') throw new AppError('invalid_input', 'Type ticket to raise a ticket, or ticket RW-1001 to see one.');
      const { doc } = await deps.program.publisherCaller(turn.identity);
      await turn.ctx.sendActivity({ attachments: [asAttachment(formCard(deps, doc, {}, {}, noBanner))] });
    },
  };

  /** A ticket card for whoever asks, if they may see it. */
  const shownTicket = async (turn: Turn, deps: BotDeps, ticketId: string) => {
    const id = turn.identity;
    const t = await td.tickets.get(ticketId);
    if (id && (id.kind === 'staff' || id.kind === 'both') && id.staff.roles.includes('support')) {
      if (!t) throw new AppError('not_found', `There is no ticket ${ticketId}.`);
      return ticketCard(deps, t, 'agent', noBanner, id.staff.aadObjectId);
    }
    const { caller } = await deps.program.publisherCaller(id);
    // Another company's ticket reads exactly like a missing one: its number tells nothing.
    if (!t || t.publisherId !== caller.publisherId) throw new AppError('not_found', `${ticketId} is not one of your company’s tickets. Type tickets to see yours.`);
    return ticketCard(deps, t, 'publisher');
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
    // The form's card names the submission: a double click or a second Submit raises nothing new.
    const replyTo = turn.ctx.activity.replyToId;
    const submission = replyTo ? `${conversationKey(turn.ctx)}#${replyTo}` : undefined;
    const { ticket: t, duplicate } = await td.tickets.raise(caller.publisherId, caller.aadObjectId, input.data, submission);
    if (duplicate) return ticketCard(deps, t, 'publisher', { banner: `This form already raised ${t.id}; nothing new was sent.`, bannerColor: 'Default' });
    if (replyTo) await td.tickets.setPublisherCard(t.id, { conversationKey: conversationKey(turn.ctx), activityId: replyTo });
    const { support } = await getChannels(deps.store);
    if (support) await postToChannel(deps, t, support);
    else deps.log.warn({ ticket: t.id }, 'no support channel registered: the ticket waits in the queue');
    return ticketCard(deps, (await td.tickets.get(t.id)) ?? t, 'publisher', { banner: `Ticket ${t.id} raised. A support agent will answer here.`, bannerColor: 'Good' });
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
      if (!r.ok) return ticketCard(deps, t, 'agent', { banner: r.message, bannerColor: 'Attention' }, agent.aadObjectId);
      const text = r.ticket.notes[r.ticket.notes.length - 1]?.text ?? r.note;
      await sync(deps, r.ticket, text, 'agent');
      return ticketCard(deps, r.ticket, 'agent', { banner: `${r.note}.`, bannerColor: 'Good' }, agent.aadObjectId);
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

  /** The support queue as a card with buttons: open any ticket, or take an unassigned one. */
  const queueCard = async (deps: BotDeps, agent: Staff, banner: Banner = noBanner) => {
    const q = await td.tickets.queue(agent.aadObjectId);
    const names = new Map<string, string>();
    for (const s of await deps.store.listStaff()) names.set(s.aadObjectId, s.name);
    const companies = new Map<string, string>();
    const company = async (publisherId: string) => {
      if (!companies.has(publisherId)) companies.set(publisherId, (await deps.store.getPublisher(publisherId))?.publisher.name ?? publisherId);
      return companies.get(publisherId)!;
    };
    const entry = async (t: Ticket) => ({
      heading: `${t.id} · ${await company(t.publisherId)}`,
      detail: [SEVERITY_TITLES[t.severity], statusText(t.status, 'agent'), CATEGORY_TITLES[t.category], t.assignee ? `with ${names.get(t.assignee) ?? 'an agent'}` : '', `raised ${formatDay(t.createdAt)}`].filter(Boolean).join(' · '),
      actions: [{ title: 'Open', verb: 'ticket.open', ticketId: t.id }, ...(t.assignee !== agent.aadObjectId ? [{ title: 'Assign to me', verb: 'ticket.assign_me', ticketId: t.id }] : [])],
    });
    // Each ticket once, in the first group it belongs to (overdue and urgent first: they matter most).
    const seen = new Set<string>();
    const groups: Array<[string, Ticket[]]> = [
      ['Overdue (first response)', q.overdue],
      ['Urgent', q.urgent],
      ['Unassigned', q.unassigned],
      ['Mine', q.mine],
    ];
    const sections: CardModels['ticket-queue']['sections'] = [];
    for (const [title, list] of groups) {
      const fresh = list.filter((t) => !seen.has(t.id));
      fresh.forEach((t) => seen.add(t.id));
      if (fresh.length) sections.push({ title, tickets: await Promise.all(fresh.map(entry)) });
    }
    return deps.cards.card('ticket-queue', { ...banner, title: 'Support queue', empty: 'Nothing waiting. 🎉', sections });
  };

  const queueCommand: Command = {
    name: 'queue',
    description: 'Support tickets: overdue, urgent, unassigned, mine',
    audience: 'staff',
    async handle(turn, deps) {
      const agent = staffCaller(turn, 'support');
      await turn.ctx.sendActivity({ attachments: [asAttachment(await queueCard(deps, agent))] });
    },
  };

  /** Text typed by a publisher while one of their tickets waits on them is added to it. */
  const onUnmatched = async (turn: Turn, deps: BotDeps): Promise<boolean> => {
    const id = turn.identity;
    if (!id || id.kind === 'staff') return false;
    const text = turn.text;
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
    postWaiting,
    commands: [ticketCommand, listCommand, queueCommand],
    verbs: {
      'ticket.submit': verb(FormData, submit),
      'ticket.comment': verb(Ref, publisherVerb((d) => ({ kind: 'comment', text: d.comment }))),
      'ticket.withdraw': verb(Ref, publisherVerb(() => ({ kind: 'withdraw' }))),
      'ticket.reopen': verb(Ref, async (turn, data, deps) => {
        const id = turn.identity;
        if (id && (id.kind === 'staff' || id.kind === 'both') && id.staff.roles.includes('support')) return agentVerb(() => ({ kind: 'reopen' }))(turn, data, deps);
        return publisherVerb(() => ({ kind: 'reopen' }))(turn, data, deps);
      }),
      'ticket.open': verb(Ref, async (turn, data, deps) => shownTicket(turn, deps, data.ticketId)),
      'ticket.queue': verb(z.object({}), async (turn, _data, deps) => queueCard(deps, staffCaller(turn, 'support'))),
      'ticket.assign_me': verb(Ref, agentVerb((_d, agent) => ({ kind: 'assign', to: agent.aadObjectId, toName: agent.name }))),
      'ticket.assign': verb(Ref, assignTo),
      'ticket.reply': verb(Ref, agentVerb((d) => ({ kind: 'reply', text: d.reply }))),
      'ticket.wait': verb(Ref, agentVerb(() => ({ kind: 'wait_on_partner' }))),
      'ticket.resolve': verb(Ref, agentVerb((d) => ({ kind: 'resolve', note: d.resolution }))),
    },
    onUnmatched,
    sync,
  };
}

export { ticketCard };

/**
 * Support tickets: the lifecycle and who may move it, the first-response target in business
 * hours, and auto-close. Pure: the caller passes `at` and persists.
 *
 *   unassigned → assigned → waiting_on_partner ↔ assigned → resolved → closed (7 days, no reopen)
 *   reopen: resolved → assigned (or unassigned);  withdraw (publisher): any open state → withdrawn
 */
import type { Ticket } from './model.js';

export type TicketAction =
  | { kind: 'assign'; to: string; toName: string }
  | { kind: 'reply'; text: string }
  | { kind: 'wait_on_partner' }
  | { kind: 'resolve'; note: string }
  | { kind: 'reopen' }
  | { kind: 'withdraw' }
  | { kind: 'comment'; text: string }
  | { kind: 'close' };

export type TicketActor = { kind: 'agent'; aadObjectId: string; name: string } | { kind: 'publisher'; aadObjectId: string; name: string; publisherId: string } | { kind: 'system' };

export type TicketResult = { ok: true; ticket: Ticket; note: string } | { ok: false; message: string };

const OPEN: ReadonlyArray<Ticket['status']> = ['unassigned', 'assigned', 'waiting_on_partner'];
export const isOpen = (t: Ticket) => OPEN.includes(t.status);

const STATUS_TEXT: Record<Ticket['status'], string> = {
  unassigned: 'waiting for an agent',
  assigned: 'assigned',
  waiting_on_partner: 'waiting on you',
  resolved: 'resolved',
  closed: 'closed',
  withdrawn: 'withdrawn',
};
/** The same states as the support agents say them. */
const AGENT_STATUS_TEXT: Record<Ticket['status'], string> = { ...STATUS_TEXT, unassigned: 'unassigned', waiting_on_partner: 'waiting on the partner' };
/** A ticket's state in words, for the publisher (default) or for the agents. */
export const statusText = (s: Ticket['status'], view: 'publisher' | 'agent' = 'publisher') => (view === 'agent' ? AGENT_STATUS_TEXT : STATUS_TEXT)[s];

/** Applies an action if the actor may and the state allows; the note records who did what. */
export function applyTicketAction(t: Ticket, action: TicketAction, actor: TicketActor, at: string): TicketResult {
  const who = actor.kind === 'system' ? 'system' : actor.name;
  const by = actor.kind === 'system' ? 'system' : actor.aadObjectId;
  const done = (next: Partial<Ticket>, note: string, text = ''): TicketResult => ({
    ok: true,
    note,
    ticket: { ...t, ...next, updatedAt: at, notes: [...t.notes, { at, by, action: action.kind, text: text ? `${note}: ${text}` : note }] },
  });
  const refuse = (message: string): TicketResult => ({ ok: false, message });
  const agentOnly = ['assign', 'reply', 'wait_on_partner', 'resolve'].includes(action.kind);
  if (agentOnly && actor.kind !== 'agent') return refuse('Only support agents can do this.');
  if ((action.kind === 'withdraw' || action.kind === 'comment') && (actor.kind !== 'publisher' || actor.publisherId !== t.publisherId)) {
    return refuse('Only the publisher who owns the ticket can do this.');
  }
  if (action.kind === 'close' && actor.kind !== 'system') return refuse('Tickets close by themselves a week after they are resolved.');

  switch (action.kind) {
    case 'assign':
      if (!isOpen(t)) return refuse(`${t.id} is ${statusText(t.status)}; reopen it first.`);
      return done({ assignee: action.to, status: t.status === 'waiting_on_partner' ? 'waiting_on_partner' : 'assigned' }, `${who} assigned it to ${action.to === by ? 'themselves' : action.toName}`);
    case 'reply':
      if (!isOpen(t)) return refuse(`${t.id} is ${statusText(t.status)}; reopen it first.`);
      if (!action.text.trim()) return refuse('Write a reply first.');
      // An agent replying takes the ticket if nobody has it.
      return done({ assignee: t.assignee ?? by, status: t.status === 'unassigned' ? 'assigned' : t.status }, `${who} replied`, action.text.trim());
    case 'wait_on_partner':
      if (t.status !== 'assigned') return refuse(`Only an assigned ticket can wait on the partner (${t.id} is ${statusText(t.status)}).`);
      return done({ status: 'waiting_on_partner' }, `${who} is waiting on the partner`);
    case 'resolve':
      if (!isOpen(t)) return refuse(`${t.id} is already ${statusText(t.status)}.`);
      if (!action.note.trim()) return refuse('Write a resolution note.');
      return done({ status: 'resolved', assignee: t.assignee ?? by }, `${who} resolved it`, action.note.trim());
    case 'reopen':
      if (t.status !== 'resolved') return refuse(`Only a resolved ticket can be reopened (${t.id} is ${statusText(t.status)}).`);
      if (actor.kind === 'publisher' && actor.publisherId !== t.publisherId) return refuse('Only the publisher who owns the ticket can do this.');
      return done({ status: t.assignee ? 'assigned' : 'unassigned' }, `${who} reopened it`);
    case 'withdraw':
      if (!isOpen(t)) return refuse(`${t.id} is ${statusText(t.status)}: it can no longer be withdrawn.`);
      return done({ status: 'withdrawn' }, `${who} withdrew it`);
    case 'comment':
      if (!action.text.trim()) return refuse('Write a comment first.');
      if (!isOpen(t) && t.status !== 'resolved') return refuse(`${t.id} is ${statusText(t.status)}.`);
      // A partner's answer puts a ticket that waited on them back with the agent.
      return done({ status: t.status === 'waiting_on_partner' ? 'assigned' : t.status }, `${who} added a comment`, action.text.trim());
    case 'close':
      if (t.status !== 'resolved') return refuse(`${t.id} is ${statusText(t.status)}.`);
      return done({ status: 'closed' }, 'closed after a week without reopening');
  }
}

/** Whether a resolved ticket is due to close (7 days after its last change). */
export function dueToClose(t: Ticket, at: string): boolean {
  return t.status === 'resolved' && new Date(at).getTime() - new Date(t.updatedAt).getTime() >= 7 * 86_400_000;
}

/**
 * The first-response deadline: `hours` business hours (Monday to Friday, 09:00–17:00 UTC) after
 * the ticket was raised.
 */
export function firstResponseDue(createdAt: string, hours: number): string {
  const d = new Date(createdAt);
  let remaining = hours * 60;
  const start = 9 * 60;
  const end = 17 * 60;
  for (let guard = 0; remaining > 0 && guard < 10_000; guard++) {
    const day = d.getUTCDay();
    const minute = d.getUTCHours() * 60 + d.getUTCMinutes();
    if (day === 0 || day === 6 || minute >= end) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(9, 0, 0, 0);
      continue;
    }
    if (minute < start) {
      d.setUTCHours(9, 0, 0, 0);
      continue;
    }
    const step = Math.min(remaining, end - minute);
    d.setUTCMinutes(d.getUTCMinutes() + step);
    remaining -= step;
  }
  return d.toISOString();
}

/** An agent has answered (replied, or moved it on) since it was raised. */
export function firstResponded(t: Ticket): boolean {
  return t.notes.some((n) => ['reply', 'wait_on_partner', 'resolve'].includes(n.action));
}

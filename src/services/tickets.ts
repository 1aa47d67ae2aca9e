/**
 * Support tickets as an application service: raising (validated, rate-limited, with the offer's
 * owner attached for "no contact" tickets), every transition through the pure lifecycle, the
 * audit log, and the support queue. Cards and delivery are the bot's business (see flows/tickets).
 */
import { z } from 'zod';
import { TicketCategory, TicketSeverity, type Ticket } from '../domain/model.js';
import { applyTicketAction, firstResponseDue, firstResponded, isOpen, type TicketAction, type TicketActor, type TicketResult } from '../domain/tickets.js';
import type { AuditPort, PublisherPort, TicketPort } from './ports/index.js';
import { AppError } from './errors.js';

export const TicketInput = z.object({
  category: TicketCategory,
  offerId: z.string().max(64).nullable(),
  severity: TicketSeverity,
  description: z.string().trim().min(1, 'Describe the problem.').max(4000, 'Keep it under 4,000 characters.'),
});
export type TicketInput = z.infer<typeof TicketInput>;

export interface TicketSettings {
  /** First-response target in business hours. */
  firstResponseHours: { urgent: number; normal: number };
  /** New tickets one person may raise per hour. */
  perUserPerHour: number;
}

export class TicketService {
  constructor(
    private readonly store: TicketPort & PublisherPort & AuditPort,
    private readonly settings: TicketSettings,
    private readonly now: () => Date,
  ) {}

  /** Submissions being raised right now: a double click coalesces onto the first one. */
  private readonly raising = new Map<string, Promise<{ ticket: Ticket; duplicate: boolean }>>();

  /**
   * Raises a ticket for the caller's company. Refused past the hourly limit. `submission` names the
   * form submit (its conversation and card): the same form submitted again, at once or later,
   * answers with the ticket it raised (`duplicate: true`) instead of raising a second one.
   */
  async raise(publisherId: string, raisedBy: string, input: TicketInput, submission?: string): Promise<{ ticket: Ticket; duplicate: boolean }> {
    if (!submission) return { ticket: await this.create(publisherId, raisedBy, input), duplicate: false };
    const key = `${publisherId}\n${submission}`;
    const inFlight = this.raising.get(key);
    if (inFlight) return { ticket: (await inFlight).ticket, duplicate: true };
    const work = (async () => {
      const earlier = (await this.store.getPublisher(publisherId))?.tickets.find((t) => t.submission === submission);
      if (earlier) return { ticket: earlier, duplicate: true };
      return { ticket: await this.create(publisherId, raisedBy, input, submission), duplicate: false };
    })();
    this.raising.set(key, work);
    try {
      return await work;
    } finally {
      this.raising.delete(key);
    }
  }

  private async create(publisherId: string, raisedBy: string, input: TicketInput, submission?: string): Promise<Ticket> {
    const doc = await this.store.getPublisher(publisherId);
    if (!doc) throw new AppError('not_found', 'Your company is not known.');
    const at = this.now().toISOString();
    const hourAgo = new Date(this.now().getTime() - 3_600_000).toISOString();
    const recent = doc.tickets.filter((t) => t.raisedBy === raisedBy && t.createdAt > hourAgo).length;
    if (recent >= this.settings.perUserPerHour) {
      throw new AppError('rule', `You raised ${recent} tickets in the last hour, the most allowed. Add to one of them instead (type tickets), or try again later.`);
    }
    const offer = input.offerId ? doc.offers.find((o) => o.id === input.offerId) : undefined;
    if (input.offerId && !offer) throw new AppError('forbidden', 'That offer is not one of your company’s offers.');
    const context: Record<string, string> = {};
    if (offer) {
      context.offer = offer.name;
      if (input.category === 'no_contact_after_go_live' || input.category === 'offer_owner_unknown') {
        context.offerOwner = offer.owner ? `${offer.owner.name} (${offer.owner.email})` : 'not recorded in Partner Center';
        context.liveDate = offer.liveDate ?? 'not live';
      }
    }
    const ticket = await this.store.createTicket({
      publisherId,
      raisedBy,
      category: input.category,
      severity: input.severity,
      offerId: offer?.id ?? null,
      description: input.description,
      status: 'unassigned',
      createdAt: at,
      updatedAt: at,
      notes: [{ at, by: raisedBy, action: 'raise', text: 'raised the ticket' }],
      firstResponseDueAt: firstResponseDue(at, this.settings.firstResponseHours[input.severity]),
      context,
      ...(submission ? { submission } : {}),
    });
    await this.store.appendAudit([{ at, actor: raisedBy, action: 'ticket_raise', publisherId, subject: ticket.id, details: { category: input.category, severity: input.severity } }]);
    return ticket;
  }

  /** Moves a ticket; refusals change nothing and say why. */
  async act(id: string, action: TicketAction, actor: TicketActor): Promise<TicketResult> {
    const at = this.now().toISOString();
    if (!(await this.store.getTicket(id))) return { ok: false, message: `No ticket ${id}.` };
    let outcome: TicketResult;
    try {
      outcome = await this.store.updateTicket(id, (t) => {
        const r = applyTicketAction(t, action, actor, at);
        if (!r.ok) throw new Refused(r); // nothing is written for a refusal
        Object.assign(t, r.ticket);
        return r;
      });
    } catch (err) {
      if (err instanceof Refused) return err.result;
      throw err;
    }
    if (outcome.ok) {
      const t = outcome.ticket;
      await this.store.appendAudit([{ at, actor: actor.kind === 'system' ? 'system' : actor.aadObjectId, action: `ticket_${action.kind}`, publisherId: t.publisherId, subject: t.id, details: { status: t.status, note: outcome.note } }]);
    }
    return outcome;
  }

  async setPublisherCard(id: string, card: { conversationKey: string; activityId: string }): Promise<void> {
    await this.store.updateTicket(id, (t) => void (t.publisherCard = card));
  }

  async markReminded(id: string): Promise<void> {
    await this.store.updateTicket(id, (t) => void (t.reminded = true));
  }

  get(id: string) {
    return this.store.getTicket(id);
  }

  /** A publisher's tickets, open ones first, newest first within each group. */
  async mine(publisherId: string): Promise<Ticket[]> {
    const all = await this.store.listTickets({ publisherId });
    return all.sort((a, b) => Number(isOpen(b)) - Number(isOpen(a)) || b.createdAt.localeCompare(a.createdAt));
  }

  /** The support queue for one agent: unassigned, mine, urgent and overdue open tickets. */
  async queue(agent: string): Promise<{ unassigned: Ticket[]; mine: Ticket[]; urgent: Ticket[]; overdue: Ticket[] }> {
    const open = await this.store.listTickets({ status: ['unassigned', 'assigned', 'waiting_on_partner'] });
    const now = this.now().toISOString();
    return {
      unassigned: open.filter((t) => t.status === 'unassigned'),
      mine: open.filter((t) => t.assignee === agent),
      urgent: open.filter((t) => t.severity === 'urgent'),
      overdue: open.filter((t) => this.overdue(t, now)),
    };
  }

  overdue(t: Ticket, now = this.now().toISOString()): boolean {
    return isOpen(t) && !firstResponded(t) && t.firstResponseDueAt !== null && t.firstResponseDueAt < now;
  }
}

class Refused extends Error {
  constructor(readonly result: TicketResult) {
    super('refused');
  }
}

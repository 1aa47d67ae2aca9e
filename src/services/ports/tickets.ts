/** Support tickets, stored in their publisher's document, numbered globally by the store. */
import type { z } from 'zod';
import type { Ticket } from '../../domain/model.js';

export interface TicketPort {
  /** Allocates the next ticket number (`RW-1001`, …) and stores the ticket in its publisher's document. */
  createTicket(fields: Omit<z.input<typeof Ticket>, 'id'>): Promise<Ticket>;
  getTicket(id: string): Promise<Ticket | undefined>;
  /** Changes one ticket atomically (like updatePublisher); throwing changes nothing. */
  updateTicket<R>(id: string, change: (ticket: Ticket) => R): Promise<R>;
  listTickets(filter?: { publisherId?: string; status?: Ticket['status'][] }): Promise<Ticket[]>;
}

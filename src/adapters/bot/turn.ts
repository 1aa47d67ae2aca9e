/** What every command and card-verb handler receives: typed, with the caller already resolved. */
import type { TurnContext } from 'botbuilder';
import type { z } from 'zod';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { Identity, PublisherDoc, Store } from '../../services/ports/index.js';
import type { ProgramService } from '../../services/program.js';
import type { CampaignService } from '../../services/campaigns.js';
import type { TicketService } from '../../services/tickets.js';
import type { CardRenderer } from './cards.js';
import type { Forms } from './forms.js';
import type { CardUpdater } from './card-updater.js';
import type { Metrics } from '../../services/metrics.js';

export interface BotDeps {
  config: Config;
  store: Store;
  cards: CardRenderer;
  log: Logger;
  program: ProgramService;
  campaigns: CampaignService;
  tickets: TicketService;
  /** Replaces cards posted earlier (progress and ticket cards). */
  cardUpdater: CardUpdater;
  /** The clock (tests pin it). */
  now: () => Date;
  /** Refusals and failures are counted here (when metrics are on). */
  metrics?: Metrics;
}

export interface Turn {
  ctx: TurnContext;
  /** What was typed, the bot's mention removed and trimmed (full length). */
  text: string;
  /** The command text: mention removed, trimmed, lower-cased, single-spaced, at most 512 characters read. */
  command: string;
  identity: Identity | undefined;
  correlationId: string;
  log: Logger;
  /** The caller's company, when the caller is a publisher user. */
  publisher(): Promise<PublisherDoc | undefined>;
  /** The caller's open form (dialog state in the store), saved at the end of the turn. */
  forms(): Promise<Forms>;
}

export interface Command {
  /** What the user types (case-insensitive); may be several words. */
  name: string;
  description: string;
  /** Staff commands are refused for publisher users and hidden from their help. */
  audience: 'everyone' | 'staff';
  /**
   * Shows a company's people, emails or figures: in a channel it answers with a pointer to the
   * personal chat instead (channel members may belong to other companies).
   */
  personalOnly?: boolean;
  handle(turn: Turn, deps: BotDeps): Promise<void>;
}

/**
 * A card verb with the zod schema of its `data`: the bot parses the data before the handler runs,
 * so handlers receive typed values, and unreadable data gets one error card and changes nothing.
 */
export interface Verb<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Answers with the card that replaces the clicked one. */
  handle(turn: Turn, data: z.infer<S>, deps: BotDeps): Promise<Record<string, unknown>>;
}

/** Every card verb, by the name `Action.Execute` sends. */
export type VerbTable = Record<string, Verb>;

/** Pairs a verb's handler with the schema of its data. */
export const verb = <S extends z.ZodType>(schema: S, handle: Verb<S>['handle']): Verb<S> => ({ schema, handle });

export const isStaff = (id: Identity | undefined): boolean => id?.kind === 'staff' || id?.kind === 'both';

/**
 * What the bot keeps between turns: Bot Framework conversation references (to message users and
 * channels proactively) and key/value entries with optimistic concurrency (botbuilder's dialog
 * state, campaigns, channel settings).
 */
import { z } from 'zod';
import { IsoDateTime } from '../../domain/model.js';

/** A stored Bot Framework conversation reference (opaque JSON), keyed by user or channel. */
export const ConversationRefRecord = z.object({
  key: z.string(),
  reference: z.record(z.string(), z.unknown()),
  updatedAt: IsoDateTime,
});
export type ConversationRefRecord = z.infer<typeof ConversationRefRecord>;

export interface ConversationRefPort {
  /**
   * Stores a reference as its JSON form (fields holding `undefined` dropped); an unchanged one
   * costs no write. `created`: the key was new.
   */
  saveConversationRef(key: string, reference: Record<string, unknown>): Promise<{ created: boolean }>;
  getConversationRef(key: string): Promise<ConversationRefRecord | undefined>;
}

/** For callers that only look references up (senders, card updaters). */
export type ConversationRefReader = Pick<ConversationRefPort, 'getConversationRef'>;

/** Key/value entries with optimistic concurrency, for botbuilder's Storage. */
export interface KvEntry {
  value: unknown;
  eTag: string;
}

export interface KvPort {
  kvRead(keys: string[]): Promise<Record<string, KvEntry>>;
  /** Writes entries; an entry whose `eTag` is given and not '*' must match the stored one (else 'conflict'). */
  kvWrite(changes: Record<string, { value: unknown; eTag?: string }>): Promise<Record<string, string>>;
  kvDelete(keys: string[]): Promise<void>;
}

/** The outbox: proactive messages written before they are sent, claimed by one sender at a time. */
import { z } from 'zod';
import { IsoDateTime } from '../../domain/model.js';

export const OutboxItem = z.object({
  id: z.string(),
  /** Trigger or campaign + recipient: enqueueing the same key twice keeps one item. */
  idempotencyKey: z.string(),
  conversationKey: z.string(),
  /** The recipient's tenant (from its conversation reference when queued): claims are shared out per tenant. */
  tenantId: z.string().nullable().default(null),
  payload: z.record(z.string(), z.unknown()),
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'unreachable', 'cancelled']),
  dueAt: IsoDateTime,
  attempts: z.number().int().min(0).default(0),
  lastStatus: z.number().int().nullable().default(null),
  lastError: z.string().nullable().default(null),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  claimedBy: z.string().nullable().default(null),
  /** The id Teams gave the sent message (to update it in place later). */
  activityId: z.string().nullable().default(null),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export interface ClaimOptions {
  perTenant?: number;
  skipTenants?: readonly string[];
}

export interface OutboxPort {
  enqueueOutbox(items: Array<Pick<OutboxItem, 'idempotencyKey' | 'conversationKey' | 'payload' | 'dueAt'>>): Promise<{ enqueued: number; duplicates: number }>;
  /**
   * Claims up to `limit` due items, oldest first: at most `perTenant` of any one tenant, and none of
   * `skipTenants` (tenants the worker cannot send to right now). Items without a tenant are one group.
   */
  claimOutbox(worker: string, now: string, limit: number, opts?: ClaimOptions): Promise<OutboxItem[]>;
  completeOutbox(id: string, result: Pick<OutboxItem, 'status' | 'lastStatus' | 'lastError' | 'dueAt'> & { activityId?: string | null }): Promise<void>;
  /**
   * Gives back claims that were never sent (a worker stopping): each item still 'sending' for
   * `worker` is queued again as it was before the claim (same due time, attempt not counted).
   * Returns how many were released.
   */
  releaseOutbox(worker: string, ids: string[]): Promise<number>;
  listOutbox(filter?: { status?: OutboxItem['status'] }): Promise<OutboxItem[]>;
  /** The item queued under an idempotency key, if any. */
  findOutbox(idempotencyKey: string): Promise<OutboxItem | undefined>;
}

/** How the bot finds a user's 1:1 conversation, for proactive messages. */
import type { ConversationRefReader } from './ports/index.js';

/** The stored-reference key of a user's personal chat with the bot. */
export const userConversationKey = (tenantId: string, aadObjectId: string): string => `user:${tenantId.toLowerCase()}:${aadObjectId.toLowerCase()}`;

/**
 * The user's personal chat under whichever of the company's tenants they talked to the bot from.
 * `reachable: false` (the first tenant's key) when they never did: a message there is recorded as
 * unreachable rather than sent.
 */
export async function findUserConversation(store: ConversationRefReader, tenantIds: readonly string[], aadObjectId: string): Promise<{ key: string; reachable: boolean }> {
  for (const t of tenantIds) {
    const key = userConversationKey(t, aadObjectId);
    if (await store.getConversationRef(key)) return { key, reachable: true };
  }
  return { key: userConversationKey(tenantIds[0] ?? '', aadObjectId), reachable: false };
}

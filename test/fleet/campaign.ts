/**
 * A campaign for fleet tests, queued straight into the shared database (as the campaign flow does
 * through the store), and what the connector saw of it: how many times each recipient got it, and
 * when each request arrived.
 */
import { PostgresStore } from '../../src/adapters/store/postgres/postgres-store.js';
import { FakeConnector, type ConnectorOptions } from '../fixtures/fake-connector.js';

export const CAMPAIGN_TENANT = '00000000-0000-0000-0000-0000000000f1';

/** A connector that notes the arrival time (Date.now()) of every send (a POST, with or without a reply-to id), and how often each conversation got one. */
export class CountingConnector extends FakeConnector {
  readonly arrivals: number[];
  readonly received: Map<string, number>;

  constructor(options: ConnectorOptions = {}) {
    const arrivals: number[] = [];
    const received = new Map<string, number>();
    super((call) => {
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/[^/?]+)?$/.exec(call.path);
      if (call.method === 'POST' && m) {
        arrivals.push(Date.now());
        const conv = decodeURIComponent(m[1]!);
        received.set(conv, (received.get(conv) ?? 0) + 1);
      }
      return undefined;
    }, options);
    this.arrivals = arrivals;
    this.received = received;
  }

  /** Requests that reached the connector. */
  get total(): number {
    return this.arrivals.length;
  }
}

export interface Campaign {
  conversations: string[];
  /** Recipients who got it at least once, and the extra copies beyond the first. */
  tally(connector: CountingConnector): { reached: number; missed: number; duplicates: number };
}

/** Saves `n` recipients' conversation references (one tenant) and queues one message to each. */
export async function queueCampaign(store: PostgresStore, serviceUrl: string, prefix: string, n: number): Promise<Campaign> {
  const conversations: string[] = [];
  const dueAt = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const conv = `${prefix}-conv-${i}`;
    conversations.push(conv);
    await store.saveConversationRef(`user:${CAMPAIGN_TENANT}:${prefix}-u${i}`, {
      bot: { id: '28:rewards-bot', name: 'Rewards' },
      user: { id: `29:${prefix}-u${i}`, name: `User ${i}` },
      conversation: { id: conv, tenantId: CAMPAIGN_TENANT, conversationType: 'personal' },
      channelId: 'msteams',
      serviceUrl,
    });
  }
  await store.enqueueOutbox(
    conversations.map((_, i) => ({ idempotencyKey: `fleet:${prefix}:${i}`, conversationKey: `user:${CAMPAIGN_TENANT}:${prefix}-u${i}`, payload: { activity: { type: 'message', text: `Campaign ${prefix}, message ${i}` } }, dueAt })),
  );
  return {
    conversations,
    tally(connector) {
      let reached = 0;
      let duplicates = 0;
      for (const c of conversations) {
        const k = connector.received.get(c) ?? 0;
        if (k > 0) reached++;
        if (k > 1) duplicates += k - 1;
      }
      return { reached, missed: conversations.length - reached, duplicates };
    },
  };
}

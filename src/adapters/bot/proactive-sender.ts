/**
 * Sends one outbox message through the Bot Connector on a stored conversation reference
 * (`continueConversationAsync`) and reports what happened, so the outbox decides about retries.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { SendOutcome } from '../../services/outbox/retry-policy.js';
import type { Sender } from '../../services/outbox/worker.js';

interface RestLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

export class BotFrameworkSender implements Sender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(reference: Record<string, unknown>, activity: Record<string, unknown>): Promise<SendOutcome> {
    let activityId: string | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, reference as Partial<ConversationReference>, async (ctx) => {
        activityId = (await ctx.sendActivity(activity as Partial<Activity>))?.id;
      });
      return activityId ? { ok: true, activityId } : { ok: true };
    } catch (err) {
      const e = err as RestLikeError;
      if (typeof e.statusCode === 'number') return { status: e.statusCode, retryAfter: e.response?.headers?.get?.('retry-after') ?? null };
      return { networkError: e.code ?? e.message ?? String(err) };
    }
  }
}

/**
 * Replaces a card the bot posted earlier (Teams' "update activity"), by stored conversation key
 * and activity id. Used for campaign progress and ticket cards on both sides.
 */
import type { Activity, CloudAdapter, ConversationReference } from 'botbuilder';
import type { ConversationRefReader } from '../../services/ports/index.js';
import { asAttachment } from './cards.js';

export interface CardUpdater {
  update(conversationKey: string, activityId: string, card: Record<string, unknown>): Promise<void>;
}

export class BotFrameworkCardUpdater implements CardUpdater {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
    private readonly store: ConversationRefReader,
  ) {}

  async update(conversationKey: string, activityId: string, card: Record<string, unknown>): Promise<void> {
    const ref = await this.store.getConversationRef(conversationKey);
    if (!ref) return; // the conversation is gone: nothing to update
    const activity: Partial<Activity> = { type: 'message', id: activityId, attachments: [asAttachment(card)] };
    await this.adapter.continueConversationAsync(this.appId, ref.reference as Partial<ConversationReference>, async (ctx) => {
      await ctx.updateActivity(activity);
    });
  }
}

/** Records updates instead of sending them (transcript tests). */
export class RecordingCardUpdater implements CardUpdater {
  readonly updates: Array<{ conversationKey: string; activityId: string; card: Record<string, unknown> }> = [];
  async update(conversationKey: string, activityId: string, card: Record<string, unknown>): Promise<void> {
    this.updates.push({ conversationKey, activityId, card });
  }
}

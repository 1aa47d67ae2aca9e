/**
 * Keeps each active campaign's progress card current by updating it in place, at most once every
 * few seconds per campaign (far under Teams' limits), and only when a count changed.
 */
import type { CampaignService } from '../../services/campaigns.js';
import type { CardUpdater } from './card-updater.js';
import type { BotDeps } from './turn.js';
import { progressCard } from './flows/campaigns.js';

export class CampaignProgress {
  private readonly shown = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: BotDeps,
    private readonly campaigns: CampaignService,
    private readonly updater: CardUpdater,
    private readonly intervalMs = 5_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.tick()).catch((err: unknown) => this.deps.log.warn({ err }, 'campaign progress update failed'));
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * One round: update every active campaign's card whose counts changed. A settled campaign
   * leaves the round once a round finds nothing new; an Acknowledge that arrives later brings it
   * back (so acknowledgements keep showing, at most one edit per round).
   */
  async tick(): Promise<void> {
    const secret = await this.campaigns.secret();
    for (const id of await this.campaigns.activeIds()) {
      const c = await this.campaigns.get(id);
      if (!c) continue;
      const s = await this.campaigns.stats(id);
      const settled = s.total > 0 && s.sent + s.failed + s.unreachable + s.cancelled === s.total;
      const signature = JSON.stringify(s);
      if (c.progress && this.shown.get(id) !== signature) {
        const card = await progressCard(this.deps, settled && c.status !== 'cancelled' ? { ...c, status: 'done' } : c, s, secret);
        await this.updater.update(c.progress.conversationKey, c.progress.activityId, card);
        this.shown.set(id, signature);
      } else if (settled || c.status === 'cancelled') await this.campaigns.finish(id);
    }
  }
}

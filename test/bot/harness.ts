/**
 * Conversation transcripts on botbuilder's TestAdapter: the real bot, store and services, with
 * Teams-shaped activities from the demo users and a pinned clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestAdapter, type Activity } from 'botbuilder';
import { RewardsBot, turnErrorHandler } from '../../src/adapters/bot/rewards-bot.js';
import { RecordingCardUpdater } from '../../src/adapters/bot/card-updater.js';
import type { BotDeps } from '../../src/adapters/bot/turn.js';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';
import type { ImportBatch } from '../../src/services/ports/index.js';
import { createBotDeps, routeTables } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { PLAYGROUND_TENANT, demoData } from '../../src/services/demo-data.js';
import { salesReducer } from '../../src/services/ledger.js';
import { textOf } from '../fixtures/fake-connector.js';

export const NOW = new Date('2026-11-26T12:00:00Z');
const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
export const USERS = { alex: id(20), megan: id(21), adele: id(22), lee: id(23), nestor: id(24), isaiah: id(25) } as const;
export type Who = keyof typeof USERS | { aadObjectId: string; tenantId: string };

export interface Reply {
  activity: Partial<Activity>;
  text: string;
}

export class Harness {
  store!: LowdbStore;
  /** Cards the bot replaced in place (campaign progress, ticket cards). */
  readonly updates = new RecordingCardUpdater();
  deps!: BotDeps;
  private adapter!: TestAdapter;
  private constructor(readonly dir: string, readonly edition: string) {}

  /** A bot on a fresh store holding the demo data (plus `extra`). */
  static async create(opts: { edition?: string; extra?: ImportBatch } = {}): Promise<Harness> {
    const h = new Harness(await mkdtemp(join(tmpdir(), 'rewards-bot-')), opts.edition ?? '2020');
    await h.start();
    const audit = { at: NOW.toISOString(), actor: 'test', action: 'import', details: {} };
    await h.store.importBatch(demoData(NOW.toISOString().slice(0, 10)), audit, salesReducer);
    if (opts.extra) await h.store.importBatch(opts.extra, audit, salesReducer);
    return h;
  }

  /** (Re)starts the bot on the store folder, as a process restart would. */
  async start(): Promise<void> {
    this.store = new LowdbStore(this.dir);
    await this.store.open();
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: this.dir, PROGRAM_EDITION: this.edition });
    this.deps = createBotDeps(config, this.store, createLogger('silent'), this.updates, () => NOW);
    const routes = routeTables(this.deps);
    const bot = new RewardsBot(this.deps, routes.commands, routes.verbs, routes.onUnmatched);
    this.adapter = new TestAdapter((ctx) => bot.run(ctx));
    this.adapter.onTurnError = turnErrorHandler(this.deps);
  }

  async restart(): Promise<void> {
    await this.store.close();
    await this.start();
  }

  async close(): Promise<void> {
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }

  private cardCounter = 0;

  /** Where the next activities happen: the user's personal chat (default) or a team channel. */
  channel: string | null = null;

  private activity(who: Who, extra: Partial<Activity>): Partial<Activity> {
    const aad = typeof who === 'string' ? USERS[who] : who.aadObjectId;
    const tenantId = typeof who === 'string' ? PLAYGROUND_TENANT : who.tenantId;
    if (this.channel) {
      return {
        channelId: 'msteams',
        serviceUrl: 'https://smba.example/',
        from: { id: `29:${aad}`, name: typeof who === 'string' ? who : 'Someone', aadObjectId: aad },
        recipient: { id: '28:bot', name: 'Rewards' },
        conversation: { id: `${this.channel};messageid=${Date.now()}`, conversationType: 'channel', tenantId, isGroup: true, name: '' },
        channelData: { tenant: { id: tenantId }, channel: { id: this.channel }, team: { id: '19:team@thread.tacv2' } },
        ...extra,
        ...(extra.text ? { text: `<at>Rewards</at> ${extra.text}`, entities: [{ type: 'mention', mentioned: { id: '28:bot', name: 'Rewards' }, text: '<at>Rewards</at>' }] } : {}),
      };
    }
    return {
      channelId: 'msteams',
      serviceUrl: 'https://smba.example/',
      from: { id: `29:${aad}`, name: typeof who === 'string' ? who : 'Someone', aadObjectId: aad },
      recipient: { id: '28:bot', name: 'Rewards' },
      conversation: { id: `a:personal-${aad}`, conversationType: 'personal', tenantId, isGroup: false, name: '' },
      channelData: { tenant: { id: tenantId } },
      ...extra,
    };
  }

  private async process(a: Partial<Activity>): Promise<Reply[]> {
    await this.adapter.processActivity(a);
    return this.adapter.activeQueue.splice(0).map((activity) => ({ activity, text: textOf(activity as Record<string, unknown>) }));
  }

  /** Types `text`; returns the bot's replies. */
  async say(who: Who, text: string): Promise<Reply[]> {
    return this.process(this.activity(who, { type: 'message', text }));
  }

  /** Types `text`; returns the bot's last reply (a first contact is also welcomed before it). */
  async ask(who: Who, text: string): Promise<Reply> {
    const replies = await this.say(who, text);
    if (replies.length === 0) throw new Error(`no reply to ${text}`);
    return replies[replies.length - 1]!;
  }

  /** Text of all replies to `text`. */
  async sayText(who: Who, text: string): Promise<string> {
    return (await this.say(who, text)).map((r) => r.text).join('\n');
  }

  /** Clicks an Action.Execute button; returns the invoke answer (status and the replacing card). */
  async click(who: Who, verb: string, data: Record<string, unknown> = {}, onCard?: string): Promise<{ statusCode: number; type: string; card: Record<string, unknown>; text: string }> {
    // Each click is on a card of its own unless `onCard` names the card clicked (a double click).
    const replyToId = onCard ?? `card-${++this.cardCounter}`;
    const replies = await this.process(this.activity(who, { type: 'invoke', name: 'adaptiveCard/action', replyToId, value: { action: { type: 'Action.Execute', verb, data } } }));
    const invoke = replies.find((r) => r.activity.type === 'invokeResponse');
    if (!invoke) throw new Error(`no invoke response; got ${JSON.stringify(replies.map((r) => r.activity.type))}`);
    const body = (invoke.activity.value as { body: { statusCode: number; type: string; value: Record<string, unknown> } }).body;
    return { statusCode: body.statusCode, type: body.type, card: body.value, text: textOf({ attachments: [body.value] }) };
  }

  async doc(publisherId: string) {
    return (await this.store.getPublisher(publisherId))!;
  }
}

/** Action.Execute buttons on a card: [{title, verb, data}]. */
export function buttons(card: unknown): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
  const out: Array<{ title: string; verb: string; data: Record<string, unknown> }> = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (o.type === 'Action.Execute') out.push({ title: String(o.title), verb: String(o.verb), data: (o.data as Record<string, unknown>) ?? {} });
      Object.values(o).forEach(walk);
    }
  };
  walk(card);
  return out;
}

/** The card attachment of a reply. */
export const cardOf = (r: Reply | undefined): Record<string, unknown> => (r?.activity.attachments?.[0]?.content ?? {}) as Record<string, unknown>;

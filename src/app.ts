/**
 * The composition root: builds the store, services, bot and HTTP server from a configuration.
 * Tests build the same app with their own configuration and parts, never through globals.
 */
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { createStore } from './adapters/store/create-store.js';
import type { Store } from './services/ports/index.js';
import { CardRenderer } from './adapters/bot/cards.js';
import { RewardsBot, turnErrorHandler } from './adapters/bot/rewards-bot.js';
import type { BotDeps, Command, VerbTable } from './adapters/bot/turn.js';
import type { UnmatchedHandler } from './adapters/bot/rewards-bot.js';
import { ticketFlows } from './adapters/bot/flows/tickets.js';
import { TicketService } from './services/tickets.js';
import { createAdapter, createServer, listen, type ServiceClientCredentialsFactory } from './adapters/http/server.js';
import { BotFrameworkSender } from './adapters/bot/proactive-sender.js';
import { OutboxWorker } from './services/outbox/worker.js';
import { PromMetrics, startMetricsServer, timedStore } from './adapters/http/metrics.js';
import { PgAdvisoryLeadership } from './adapters/store/postgres/leadership.js';
import { LeaderDuties, afterPause, soleInstance, type Duty, type Leadership } from './services/leadership.js';
import { RateLimiter, type RateLimit } from './services/outbox/rate-limiter.js';
import { RetryPolicySchema } from './services/outbox/retry-policy.js';
import { systemClock } from './services/outbox/clock.js';
import { demoData } from './services/demo-data.js';
import { salesReducer } from './services/ledger.js';
import { ProgramService, loadEdition } from './services/program.js';
import { helpCommand, publisherCommands, publisherVerbs, whoamiCommand } from './adapters/bot/features/index.js';
import { programNotifications, rewardsTeamCommands, rewardsTeamVerbs } from './adapters/bot/flows/rewards-team.js';
import { scanNotifications } from './adapters/bot/flows/automatic.js';
import { campaignFlows, verifyExport } from './adapters/bot/flows/campaigns.js';
import { CampaignProgress } from './adapters/bot/campaign-progress.js';
import { BotFrameworkCardUpdater, type CardUpdater } from './adapters/bot/card-updater.js';
import { CampaignService } from './services/campaigns.js';
import { SsoValidator } from './adapters/http/sso.js';
import { DevIdentityProvider } from './adapters/http/dev-identity.js';
import { registerTabApi } from './adapters/http/tab-api.js';
import { registerTabPages } from './adapters/http/tab-pages.js';
import { TabAssets } from './adapters/http/tab-assets.js';

export interface AppOptions {
  log?: Logger;
  store?: Store;
  /** The clock; tests pin it. */
  now?: () => Date;
  /** Extra botbuilder auth settings (a local identity provider in tests). */
  authSettings?: Record<string, string>;
  credentialsFactory?: ServiceClientCredentialsFactory;
  /** Who sends the outbox and runs the scheduled work in a fleet; by default this process alone. */
  leadership?: Leadership;
}

export interface App {
  deps: BotDeps;
  bot: RewardsBot;
  /** Sends what the outbox holds; runs between start() and stop(). */
  worker: OutboxWorker;
  /** Queues the time-based notifications that are due (also run by the scheduler). */
  scan(): Promise<void>;
  /** Updates campaign progress cards in place (every few seconds while running). */
  progress: CampaignProgress;
  /** Opens the store, loads demo data if due, listens. Resolves with the bound port. */
  start(): Promise<number>;
  /** Stops accepting requests, finishes in-flight writes, closes the store. */
  stop(): Promise<void>;
  /** The tabs' bundles (built, or made from the sources on first use). */
  tabs: TabAssets;
  /** The port `/metrics` is served on once started, when METRICS_PORT is set. */
  metricsPort(): number | undefined;
}

/** Every command and card verb, in one place. */
export function routeTables(deps: BotDeps): { commands: Command[]; verbs: VerbTable; onUnmatched: UnmatchedHandler } {
  const campaigns = campaignFlows({ campaigns: deps.campaigns, secret: () => deps.campaigns.secret() });
  const tickets = ticketFlows({ tickets: deps.tickets });
  const commands: Command[] = [];
  commands.push(helpCommand(() => commands), whoamiCommand, ...publisherCommands, ...tickets.commands, ...rewardsTeamCommands({ support: tickets.postWaiting }), ...campaigns.commands);
  return { commands, verbs: { ...publisherVerbs, ...rewardsTeamVerbs, ...campaigns.verbs, ...tickets.verbs }, onUnmatched: tickets.onUnmatched };
}

/** Services and rendering the bot needs, wired together (program events feed the notifications). */
export function createBotDeps(config: Config, store: Store, log: Logger, cardUpdater: CardUpdater, now: () => Date = () => new Date()): BotDeps {
  const program = new ProgramService(store, loadEdition(config.programEdition), now);
  const deps: BotDeps = {
    config,
    store,
    cards: new CardRenderer(),
    log,
    program,
    campaigns: new CampaignService(store, program, now),
    tickets: new TicketService(store, config.tickets, now),
    cardUpdater,
    now,
  };
  program.onEvents(programNotifications(deps));
  return deps;
}

/**
 * The configured limits (0 turns one off); by default the Teams limits. Windows are 10% longer
 * than Teams' because requests spaced exactly a window apart here can arrive closer together there.
 */
export function rateLimits(config: Config): { perConversation: RateLimit[]; perTenant: RateLimit[] } {
  const o = config.outbox;
  const margin = 1.1;
  const perConversation: RateLimit[] = [];
  if (o.perConversationPerSecond > 0) {
    perConversation.push({ count: o.perConversationPerSecond, perMs: 1_000 * margin });
    // Teams also caps 8 per 2 s; scale it with a custom per-second limit.
    perConversation.push({ count: Math.ceil((o.perConversationPerSecond * 8) / 7), perMs: 2_000 * margin });
  }
  if (o.perConversationPer30s > 0) perConversation.push({ count: o.perConversationPer30s, perMs: 30_000 * margin });
  return { perConversation, perTenant: o.perTenantPerSecond > 0 ? [{ count: o.perTenantPerSecond, perMs: 1_000 * margin }] : [] };
}

export function createApp(config: Config, opts: AppOptions = {}): App {
  const log = opts.log ?? createLogger(config.logLevel);
  const baseStore: Store = opts.store ?? createStore(config);
  const metrics: PromMetrics | undefined = config.metrics ? new PromMetrics(async () => (await baseStore.listOutbox({ status: 'queued' })).length) : undefined;
  // Timed only when metrics are on: the proxy costs a little on every call.
  const store: Store = metrics ? timedStore(baseStore, metrics) : baseStore;
  const adapter = createAdapter(config, opts.authSettings, opts.credentialsFactory);
  const deps = createBotDeps(config, store, log, new BotFrameworkCardUpdater(adapter, config.bot.appId, store), opts.now);
  if (metrics) deps.metrics = metrics;
  adapter.onTurnError = turnErrorHandler(deps);
  const routes = routeTables(deps);
  const bot = new RewardsBot(deps, routes.commands, routes.verbs, routes.onUnmatched);
  let started = false;
  const server = createServer({
    config,
    adapter,
    bot,
    store,
    log,
    ...(metrics ? { metrics } : {}),
    ready: async () => {
      if (!started) return { ready: false, reason: 'starting' };
      await store.health();
      return { ready: true, leading: duties.isLeading };
    },
  });
  // Per-recipient campaign results; the link in the progress card is signed and expires. Anonymous
  // callers reach this route: it reads and never writes (no secret is made for checking a link).
  server.get('/api/campaigns/:id/results.csv', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const id = String(req.params.id ?? '');
    if (id.length > 64 || !(await deps.campaigns.get(id))) {
      res.send(404, { error: 'No such campaign.' });
      return;
    }
    const secret = await deps.campaigns.existingSecret();
    const [exp, sig] = [q.exp, q.sig].map((v) => (typeof v === 'string' ? v : ''));
    if (!secret || !verifyExport(id, exp!, sig!, secret, deps.now())) {
      res.send(403, { error: 'This export link is invalid or has expired: use Refresh on the campaign card for a new one.' });
      return;
    }
    const csv = await deps.campaigns.csv(id);
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="${id}.csv"`);
    res.sendRaw(200, csv);
  });
  // The tabs' API, signed in with Teams SSO; in development without Azure, against the local provider.
  const devIdentity = config.sso.devIdentity ? new DevIdentityProvider() : undefined;
  devIdentity?.register(server, config.sso.audience);
  const sso = new SsoValidator({
    audience: config.sso.audience,
    jwksUrl: () => config.sso.jwksUrl ?? devIdentity!.jwksUrl,
    issuers: () => config.sso.issuers ?? [devIdentity!.issuerTemplate],
    timeoutMs: config.identityFetchTimeoutMs,
  });
  registerTabApi(server, { sso, store, program: deps.program, campaigns: deps.campaigns, tickets: deps.tickets, log, now: deps.now });
  const tabs = new TabAssets();
  registerTabPages(server, { assets: tabs, dev: devIdentity !== undefined, log });
  const progress = new CampaignProgress(deps, deps.campaigns, deps.cardUpdater);
  // The outbox has its own adapter: no botbuilder retries (every attempt passes the rate limiter and
  // is recorded) and no turn error handler (the worker records failures; nothing to log per 429).
  const outboxAdapter = createAdapter(config, opts.authSettings, opts.credentialsFactory, { clientRetries: false });
  const worker = new OutboxWorker(store, new BotFrameworkSender(outboxAdapter, config.bot.appId), new RateLimiter(rateLimits(config)), systemClock, log, {
    batchSize: 100,
    concurrency: config.outbox.concurrency,
    idleMs: 250,
    policy: RetryPolicySchema.parse({ maxAttempts: config.outbox.maxAttempts }),
    ...(metrics ? { metrics } : {}),
  });
  let metricsServer: { port: number; close(): Promise<void> } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> = Promise.resolve();
  const scan = () => {
    scanning = scanning
      .then(() => scanNotifications(deps))
      .then((r) => void (r.enqueued && log.info(r, 'scheduled notifications queued')))
      .catch((err: unknown) => log.error({ err }, 'notification scan failed'));
  };
  const scheduler: Duty = {
    start() {
      if (config.schedulerIntervalMinutes <= 0) return;
      scan();
      timer = setInterval(scan, config.schedulerIntervalMinutes * 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await scanning;
    },
  };
  // Sending, scans and progress edits run on one instance of a fleet at a time (see leadership.ts).
  // With PostgreSQL several instances may share the database: the lead is an advisory lock.
  const leadership = opts.leadership ?? (config.databaseUrl ? new PgAdvisoryLeadership(config.databaseUrl) : soleInstance);
  // A new leader of a fleet sends after one tenant window: the last leader's final sends still count then.
  const tenantWindowMs = Math.max(0, ...rateLimits(config).perTenant.map((l) => l.perMs));
  const sender = leadership === soleInstance ? worker : afterPause(worker, tenantWindowMs);
  const duties = new LeaderDuties(leadership, [sender, progress, scheduler], log);

  return {
    deps,
    bot,
    worker,
    progress,
    scan: async () => {
      scan();
      await scanning;
    },
    async start() {
      await store.open();
      started = true;
      // Loaded by the instance that leads, so two instances starting on one empty database do not both load it.
      if (config.demoData && (await leadership.check().catch(() => false)) && (await store.isEmpty())) {
        const counts = await store.importBatch(
          demoData(new Date().toISOString().slice(0, 10)),
          { at: new Date().toISOString(), actor: 'system', action: 'import', subject: 'demo data', details: {} },
          salesReducer,
        );
        log.info({ publishers: counts.publishers.created, staff: counts.staff.created }, 'demo data loaded into the empty store');
      }
      await listen(server, config.port, config.host);
      const port = (server.address() as AddressInfo).port;
      if (devIdentity) {
        // The validator fetches the local JWKS like any other: over HTTP, from this server.
        const h = ['0.0.0.0', '::', ''].includes(config.host) ? '127.0.0.1' : config.host;
        devIdentity.origin = `http://${h.includes(':') ? `[${h}]` : h}:${port}`;
        log.info({ jwks: devIdentity.jwksUrl, audience: config.sso.audience }, 'local development identity provider for the tabs (POST /dev/token)');
      }
      log.info({ port, store: store.kind, auth: config.bot.authEnabled }, 'bot listening');
      if (metrics && config.metrics) {
        metricsServer = await startMetricsServer(metrics, config.metrics.port, config.metrics.host);
        log.info({ port: metricsServer.port, host: config.metrics.host }, 'metrics on /metrics');
      }
      await duties.start();
      return port;
    },
    tabs,
    metricsPort: () => metricsServer?.port,
    async stop() {
      await duties.stop();
      await metricsServer?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await closed;
      if (started) await store.close();
    },
  };
}

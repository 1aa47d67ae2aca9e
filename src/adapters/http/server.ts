/**
 * HTTP edge: `POST /api/messages` through CloudAdapter, `GET /healthz` (alive), `GET /readyz` (ready). A body that is not an
 * activity is a 400 before botbuilder sees it; a refused token is a 401 (503 when the identity
 * provider is unreachable), logged once; nothing internal is ever echoed to the caller.
 */
import { randomUUID } from 'node:crypto';
import restify from 'restify';
import { CloudAdapter, ConfigurationServiceClientCredentialFactory, type Activity, type ActivityHandler, type InvokeResponse, type TurnContext } from 'botbuilder';
import { ConnectorFactory, type ClaimsIdentity, type ConnectorClient, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { Store } from '../../services/ports/index.js';
import { parseActivity } from './activity-schema.js';
import { noMetrics, type Metrics } from '../../services/metrics.js';
import { RefusedRequest, StrictAuthentication } from './bot-auth.js';
import { useOpenIdKeySources } from './openid-key-source.js';

/** The name core-rest-pipeline gives the retry policy of every connector client's pipeline. */
const CLIENT_RETRY_POLICY = 'defaultRetryPolicy';

interface PipelineHolder {
  client?: {
    pipeline?: {
      removePolicy(options: { name: string }): unknown[];
      addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (request: { timeout: number }) => Promise<unknown>): Promise<unknown> }): void;
    };
  };
}

/**
 * Connector clients without botbuilder's own retries. Those retries (up to 3, sleeping through
 * `Retry-After` inside the send) would go out without asking the outbox's rate limiter, hold a send
 * lane while they wait, and hide attempts from the outbox's record. The outbox retries instead.
 */
class NoRetryConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly inner: ConnectorFactory,
    private readonly timeoutMs: number,
  ) {
    super();
  }

  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    const client = await this.inner.create(serviceUrl, audience);
    const pipeline = (client as unknown as PipelineHolder).client?.pipeline;
    const removed = pipeline?.removePolicy({ name: CLIENT_RETRY_POLICY });
    // A botbuilder upgrade that renames the policy must fail loudly, not retry behind our back.
    if (!pipeline || removed?.length !== 1) throw new Error(`connector client: expected one '${CLIENT_RETRY_POLICY}' to remove, found ${removed?.length ?? 'no pipeline'}`);
    // A request that never answers would hold its send lane, and a stop, forever.
    const timeout = this.timeoutMs;
    if (timeout > 0) {
      pipeline.addPolicy({
        name: 'rewardsRequestTimeout',
        sendRequest: (request, next) => {
          request.timeout = timeout;
          return next(request);
        },
      });
    }
    return client;
  }
}

class NoRetryAuthentication extends StrictAuthentication {
  constructor(
    settings: Record<string, string>,
    credentialsFactory: ServiceClientCredentialsFactory,
    private readonly timeoutMs: number,
  ) {
    super(settings, credentialsFactory);
  }

  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return new NoRetryConnectorFactory(super.createConnectorFactory(claimsIdentity), this.timeoutMs);
  }
}

/** What tests pass to use a local identity provider (re-exported: botbuilder stays in the adapters). */
export type { ServiceClientCredentialsFactory };

/**
 * CloudAdapter that takes an activity already parsed by the edge (`process` would parse the raw
 * body again and write botbuilder's own error text, and its stack to the console).
 */
export class EdgeAdapter extends CloudAdapter {
  handle(authHeader: string, activity: Activity, logic: (ctx: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }
}

export interface AdapterOptions {
  /**
   * botbuilder's own retries of outbound calls (default on). The outbox's adapter turns them off,
   * and then each request also times out after `requestTimeoutMs` (default 30 s; 0 = never).
   */
  clientRetries?: boolean;
  requestTimeoutMs?: number;
}

/** The adapter for a configuration; `credentialsFactory` lets tests use a local identity provider. */
export function createAdapter(config: Config, settings: Record<string, string> = {}, credentialsFactory?: ServiceClientCredentialsFactory, options: AdapterOptions = {}): EdgeAdapter {
  const bot = config.bot;
  const auth = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.appTenantId,
    ...settings,
  };
  const factory = credentialsFactory ?? new ConfigurationServiceClientCredentialFactory(auth);
  if (bot.authEnabled) useOpenIdKeySources({ timeoutMs: config.identityFetchTimeoutMs });
  if (options.clientRetries === false) return new EdgeAdapter(new NoRetryAuthentication(auth, factory, options.requestTimeoutMs ?? 30_000));
  return new EdgeAdapter(new StrictAuthentication(auth, factory));
}

export interface ServerDeps {
  config: Config;
  adapter: EdgeAdapter;
  bot: ActivityHandler;
  store: Store;
  log: Logger;
  metrics?: Metrics;
  /** Whether this instance can serve (for `/readyz`): by default, whether the store answers. */
  ready?: () => Promise<{ ready: boolean; reason?: string; leading?: boolean }>;
}

const PUBLIC_ERRORS: Record<number, string> = {
  400: 'Bad request',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Payload too large (at most 1 MB)',
  415: 'Unsupported media type',
};

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'rewards-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));

  const metrics = deps.metrics ?? noMetrics;
  server.post('/api/messages', async (req, res) => {
    const parsed = parseActivity(req.body);
    if (!parsed.ok) {
      metrics.turn('malformed', 'refused');
      res.send(400, { error: parsed.message });
      return;
    }
    const a = parsed.activity as { type: string; name?: unknown };
    const kind = a.type === 'invoke' && typeof a.name === 'string' ? `invoke ${a.name}` : a.type;
    const header = req.headers.authorization;
    try {
      const result = await deps.adapter.handle(typeof header === 'string' ? header : '', parsed.activity as unknown as Activity, (ctx) => deps.bot.run(ctx));
      const status = result?.status ?? 200;
      metrics.turn(kind, status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed');
      if (result?.body === undefined) res.send(status);
      else res.send(result.status, result.body);
    } catch (err) {
      metrics.turn(kind, err instanceof RefusedRequest ? 'unauthorized' : 'failed');
      if (err instanceof RefusedRequest) {
        // One line per refused request: why, and what botbuilder said (cleaned); never the token.
        deps.log.warn({ status: err.statusCode, reason: err.message, detail: err.detail, path: req.path() }, 'request refused');
        res.send(err.statusCode, { error: err.statusCode === 503 ? 'Service unavailable: the identity provider cannot be reached. Try again later.' : 'Unauthorized' });
        return;
      }
      const reference = randomUUID().slice(0, 8);
      deps.log.error({ err, reference, activityType: parsed.activity.type }, 'activity failed');
      res.send(500, { error: `Internal error (reference ${reference})` });
    }
  });

  // The Agents Playground probes the endpoint with HEAD before posting.
  server.head('/api/messages', async (_req, res) => {
    res.send(200);
  });

  server.get('/healthz', async (_req, res) => {
    try {
      // Anonymous callers learn whether the bot is up, nothing about its data.
      await deps.store.health();
      res.send(200, { status: 'ok' });
    } catch (err) {
      deps.log.error({ err }, 'health check failed');
      res.send(503, { status: 'unavailable' });
    }
  });

  // Readiness for a load balancer: the store answers, and (in a fleet) whether this one leads.
  server.get('/readyz', async (_req, res) => {
    try {
      const r = deps.ready ? await deps.ready() : (await deps.store.health(), { ready: true });
      res.send(r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not ready', ...(r.reason ? { reason: r.reason } : {}), ...(r.leading !== undefined ? { leading: r.leading } : {}) });
    } catch (err) {
      deps.log.error({ err }, 'readiness check failed');
      res.send(503, { status: 'not ready', reason: 'the store does not answer' });
    }
  });

  // restify's own refusals (unparsable JSON, too large, unknown route) answer in the same short
  // form as ours, without the parser's or the router's text; only 5xx are logged as errors.
  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error & { statusCode?: number; toJSON?: () => unknown }, cb: () => void) => {
    const status = err.statusCode ?? 500;
    const error = status >= 500 ? 'Internal error' : err.name === 'InvalidContentError' ? 'Bad request: the body is not valid JSON' : (PUBLIC_ERRORS[status] ?? 'Request refused');
    err.toJSON = () => ({ error });
    if (status >= 500) deps.log.error({ err, path: req.path() }, 'request failed');
    else deps.log.debug({ status, reason: err.message, path: req.path() }, 'request refused');
    return cb();
  });
  return server;
}

export function listen(server: restify.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
}

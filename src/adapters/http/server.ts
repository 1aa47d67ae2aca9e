/**
 * HTTP edge: `POST /api/messages` through CloudAdapter, `GET /healthz`. Authentication failures of
 * any kind answer 401 (botbuilder lets a forged signature escape as a 500).
 */
import restify from 'restify';
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  type Activity,
  type ActivityHandler,
} from 'botbuilder';
import {
  AuthenticationError,
  ConnectorFactory,
  type AuthenticateRequestResult,
  type ClaimsIdentity,
  type ConnectorClient,
  type ServiceClientCredentialsFactory,
} from 'botframework-connector';
import type { Config } from '../../config.js';
import type { Logger } from '../../log.js';
import type { Store } from '../store/store.js';

class StrictAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return await super.authenticateRequest(activity, authHeader);
    } catch (err) {
      if (err instanceof AuthenticationError) throw err;
      throw new AuthenticationError('Unauthorized: the token could not be validated', 401);
    }
  }
}

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

export interface AdapterOptions {
  /**
   * botbuilder's own retries of outbound calls (default on). The outbox's adapter turns them off,
   * and then each request also times out after `requestTimeoutMs` (default 30 s; 0 = never).
   */
  clientRetries?: boolean;
  requestTimeoutMs?: number;
}

/** The adapter for a configuration; `credentialsFactory` lets tests use a local identity provider. */
export function createAdapter(config: Config, settings: Record<string, string> = {}, credentialsFactory?: ServiceClientCredentialsFactory, options: AdapterOptions = {}): CloudAdapter {
  const bot = config.bot;
  const auth = {
    MicrosoftAppId: bot.appId,
    MicrosoftAppPassword: bot.appPassword,
    MicrosoftAppType: bot.appType,
    MicrosoftAppTenantId: bot.appTenantId,
    ...settings,
  };
  const factory = credentialsFactory ?? new ConfigurationServiceClientCredentialFactory(auth);
  if (options.clientRetries === false) return new CloudAdapter(new NoRetryAuthentication(auth, factory, options.requestTimeoutMs ?? 30_000));
  return new CloudAdapter(new StrictAuthentication(auth, factory));
}

export interface ServerDeps {
  config: Config;
  adapter: CloudAdapter;
  bot: ActivityHandler;
  store: Store;
  log: Logger;
}

export function createServer(deps: ServerDeps): restify.Server {
  const server = restify.createServer({ name: 'rewards-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.queryParser({ mapParams: false }));
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    await deps.adapter.process(req, res, (ctx) => deps.bot.run(ctx));
  });

  // The Agents Playground probes the endpoint with HEAD before posting.
  server.head('/api/messages', async (_req, res) => {
    res.send(200);
  });

  server.get('/healthz', async (_req, res) => {
    try {
      const h = await deps.store.health();
      res.send(200, { status: 'ok', store: deps.store.kind, publishers: h.publishers });
    } catch (err) {
      deps.log.error({ err }, 'health check failed');
      res.send(503, { status: 'unavailable' });
    }
  });

  server.on('restifyError', (req: restify.Request, _res: restify.Response, err: Error, cb: () => void) => {
    deps.log.error({ err, path: req.path() }, 'request failed');
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

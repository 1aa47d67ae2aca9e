/**
 * The baseline for turn benchmarks: a bare echo bot on the same stack as ours (restify 11,
 * CloudAdapter, auth off through an empty MicrosoftAppId), replying to every message with its text.
 */
import type { AddressInfo } from 'node:net';
import restify from 'restify';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';

export interface EchoBot {
  port: number;
  stop(): Promise<void>;
}

/** Starts the echo bot on 127.0.0.1 with a free port; `POST /api/messages`. */
export async function startEchoBot(): Promise<EchoBot> {
  const auth = { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' };
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(auth, new ConfigurationServiceClientCredentialFactory(auth)));
  adapter.onTurnError = async (ctx, err) => {
    process.stderr.write(`echo bot: turn failed: ${err.message}\n`);
    await ctx.sendActivity('echo bot error');
  };
  const bot = new ActivityHandler();
  bot.onMessage(async (ctx, next) => {
    await ctx.sendActivity(ctx.activity.text ?? '');
    await next();
  });

  const server = restify.createServer({ name: 'echo-bot', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: 1024 * 1024, mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (ctx) => bot.run(ctx));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.server.closeIdleConnections();
      await closed;
    },
  };
}

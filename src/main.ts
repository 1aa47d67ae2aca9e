/**
 * `npm start`: validates the configuration, starts the bot and, in development without Bot
 * Framework credentials, one Microsoft 365 Agents Playground per demo person, all pointed at it.
 * Ctrl-C, SIGTERM or SIGHUP stops them all and closes the store.
 */
import { resolve } from 'node:path';
import { ConfigError, loadConfig, loadDotEnv } from './config.js';
import { createLogger } from './log.js';
import { createApp } from './app.js';
import { StoreError } from './services/ports/index.js';
import { DEMO_USERS, PLAYGROUND_BOT_NAME, PLAYGROUND_TENANT } from './services/demo-data.js';
import type { DemoPlaygrounds } from './adapters/playground/demo.js';
import { describeTabs } from './adapters/http/tab-pages.js';

loadDotEnv();
let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
    process.exit(1);
  }
  throw err;
}
const log = createLogger(config.logLevel);
const app = createApp(config, { log });

let stopping: Promise<void> | undefined;
let starting: Promise<unknown> = Promise.resolve();
let demo: DemoPlaygrounds | undefined;
/**
 * SIGTERM (a deploy's `kill`), SIGINT (Ctrl-C) and SIGHUP (the terminal closed) all stop the
 * Playgrounds and the app in order, so the store finishes its writes and releases its lock. A
 * repeated signal changes nothing: Ctrl-C reaches us twice, from the terminal and through npm.
 */
function shutdown(reason: NodeJS.Signals | 'failed to start'): void {
  stopping ??= (async () => {
    log.info({ reason }, 'shutting down');
    await demo?.stop().catch((err: unknown) => log.warn({ err }, 'a Playground did not stop cleanly'));
    await starting.catch(() => undefined);
    await app.stop();
  })().then(
    () => process.exit(reason === 'failed to start' ? 1 : 0),
    (err: unknown) => {
      log.error({ err }, 'the bot did not stop cleanly');
      process.exit(1);
    },
  );
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));

let port: number;
try {
  const appStarting = app.start();
  starting = appStarting;
  port = await appStarting;
} catch (err) {
  if (err instanceof StoreError || (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`Cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  throw err;
}

const botEndpoint = `http://127.0.0.1:${port}/api/messages`;
if (config.playground.enabled && !stopping) {
  // Imported lazily: the Playground is a dev dependency, absent from production installs.
  const { DemoPlaygrounds, describeSeats } = await import('./adapters/playground/demo.js');
  // Bundle the tabs while the Playgrounds start, so the first page opens at once.
  app.tabs.warm();
  const playgrounds = new DemoPlaygrounds({
    people: DEMO_USERS,
    keys: config.playground.users,
    tenantId: PLAYGROUND_TENANT,
    botName: PLAYGROUND_BOT_NAME,
    botEndpoint,
    firstPort: config.playground.port,
    rootDir: resolve('.playground'),
    log: (line) => log.debug({ playground: line }, 'playground'),
  });
  demo = playgrounds;
  process.stdout.write(`\n  Rewards bot:        http://localhost:${port}/api/messages\n`);
  try {
    const seats = await playgrounds.start((p) => {
      if (p.kind === 'starting') process.stdout.write(`  Starting ${p.total} Agents Playground${p.total === 1 ? '' : 's'}, one per person…\n`);
      else process.stdout.write(`    ${p.done}/${p.total} ready: ${p.seat.person.name}${p.seat.port !== 0 && p.seat.actualPort !== p.seat.port ? ` (port ${p.seat.port} was taken)` : ''}\n`);
    });
    const tabs = config.sso.devIdentity ? `  Tabs, in a local Teams-like host page signed in as each person:\n${describeTabs(`http://localhost:${port}`, config.playground.users)}\n` : '';
    process.stdout.write(`  Agents Playgrounds (open each once, as installing the app in Teams):\n${describeSeats(seats)}\n${tabs}  Press Ctrl-C to stop.\n\n`);
  } catch (err) {
    if (!stopping) {
      process.stderr.write(`Cannot start: ${(err as Error).message}\n`);
      shutdown('failed to start');
    }
  }
} else if (!stopping) {
  process.stdout.write(`\n  Rewards bot: http://localhost:${port}/api/messages (Agents Playground off)\n  Press Ctrl-C to stop.\n\n`);
}

/**
 * turns: one command typed by a publisher owner (default `status`), end to end through HTTP
 * (restify → CloudAdapter → our bot → store → reply to a local connector), against a bare echo bot
 * on the same stack, sequentially and with 20 concurrent clients. Runs alternate echo / ours to
 * spread noise; throughput goal ours / echo ≥ 0.7.
 *
 * Every inbound activity has a unique id, and the connector counts the replies naming it: a turn
 * answered 200 whose reply never reached the connector, or whose reply is an error card, is an error.
 *
 * With `large.databaseUrl` our bot runs on that PostgreSQL store instead of the embedded store in
 * `large.dir`, and its rows are named with `label`.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { teamsMessage } from '../test/fixtures/activities.js';
import { startEchoBot } from './echo-bot.js';
import { mulberry32, percentile, quick, type Result } from './lib.js';
import { LoadConnector, runLoad, type LoadResult } from './load.js';

export interface TurnsOptions {
  /** Distinct publishers whose owners type the command (drawn at random; default 1,000, quick 300). */
  pool?: number;
  /** Measured requests per run (default 2,000; quick 300). */
  requests?: number;
  /** Runs per bot and mode, alternating echo / ours (default 3; quick 2). */
  rounds?: number;
  /** Concurrent clients of the concurrent mode (default 20). */
  clients?: number;
  /** Seed of the publisher choice (default 1). */
  seed?: number;
  /**
   * Run both bots on the main thread, with the load client and the connector (default false: each
   * bot on its own worker thread, so the client's CPU does not pad both bots' turn times alike).
   */
  inProcess?: boolean;
  /** Appended to every row name (e.g. `PostgreSQL`); default none. */
  label?: string;
}

/** The store our bot runs on: the embedded store in `dir`, or PostgreSQL when `databaseUrl` is set. */
export interface TurnsStore {
  dir: string;
  databaseUrl?: string;
  publishers: number;
}

type Bot = 'echo' | 'ours';

interface Running {
  port: number;
  stop(): Promise<void>;
}

const WORKER_KEY = 'rewardsTurnsBenchBot';

/** Starts one bot on this thread. */
async function startHere(bot: Bot, dir: string, databaseUrl?: string): Promise<Running> {
  if (bot === 'echo') return startEchoBot();
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    PLAYGROUND: 'off',
    DEMO_DATA: 'off',
    LOG_LEVEL: 'silent',
    // No notification scan at start: it reads every publisher, and on PostgreSQL at 50k it would
    // still be running through the measured turns (it runs once an hour in production).
    SCHEDULER_INTERVAL_MINUTES: '0',
  });
  const app = createApp(config);
  return { port: await app.start(), stop: () => app.stop() };
}

/** Starts one bot on a worker thread running this module (through tsx when we run as TypeScript). */
async function startInWorker(bot: Bot, dir: string, databaseUrl?: string): Promise<Running> {
  const code = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(code, { eval: true, workerData: { [WORKER_KEY]: { bot, dir, databaseUrl } } });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${bot} bot worker exited (${code}) before listening`)));
  });
  worker.on('error', (err) => process.stderr.write(`  ${bot} bot worker: ${err.message}\n`));
  return {
    port,
    async stop() {
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 10_000); // something kept it alive
      await exited;
      clearTimeout(timer);
    },
  };
}

// Worker side: start the bot, report its port, stop on request.
if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_KEY]) {
  const { bot, dir, databaseUrl } = (workerData as Record<string, { bot: Bot; dir: string; databaseUrl?: string }>)[WORKER_KEY]!;
  const running = await startHere(bot, dir, databaseUrl);
  parentPort!.once('message', async () => {
    await running.stop();
    parentPort!.close();
  });
  parentPort!.postMessage({ port: running.port });
}

/** Labels of replies that are not a normal answer. */
function classify(body: string): string | undefined {
  if (body.includes('Sorry, something went wrong') || body.includes('I can’t do that')) return 'error';
  if (body.includes('I don\'t know “')) return 'unknown-command';
  return undefined;
}

interface Pooled {
  requests: number;
  seconds: number;
  latencies: number[];
  errors: number;
  samples: Set<string>;
}

export async function turnsBench(large: TurnsStore, command = 'status', opts: TurnsOptions = {}): Promise<Result[]> {
  const requests = opts.requests ?? (quick ? 300 : 2_000);
  const rounds = opts.rounds ?? (quick ? 2 : 3);
  const clients = opts.clients ?? 20;
  const warmup = Math.max(50, clients * 5);
  const rng = mulberry32(opts.seed ?? 1);
  const suffix = opts.label ? `, ${opts.label}` : '';

  // A pool of distinct publishers, chosen at random.
  const poolSize = Math.min(large.publishers, opts.pool ?? (quick ? 300 : 1_000));
  const chosen = new Set<number>();
  while (chosen.size < poolSize) chosen.add(Math.floor(rng() * large.publishers));
  const pool = [...chosen];

  const connector = new LoadConnector(classify);
  await connector.start();
  const start = opts.inProcess ? startHere : startInWorker;
  let echo: Running | undefined;
  let ours: Running | undefined;
  try {
    echo = await start('echo', large.dir);
    ours = await start('ours', large.dir, large.databaseUrl);
  } catch (err) {
    await ours?.stop();
    await echo?.stop();
    await connector.stop();
    throw err;
  }
  const url: Record<Bot, string> = {
    echo: `http://127.0.0.1:${echo.port}/api/messages`,
    ours: `http://127.0.0.1:${ours.port}/api/messages`,
  };

  /** Activity `i` of a run: a random pool publisher's owner types the command. */
  const activities = (tag: string, pick: (i: number) => number) => (i: number) => {
    const p = pick(i);
    const hex = p.toString(16).padStart(12, '0');
    const a = teamsMessage(command, {
      serviceUrl: connector.url,
      aadObjectId: `20000000-0000-0000-0000-${hex}`,
      tenantId: `10000000-0000-0000-0000-${hex}`,
      name: `Owner ${p}`,
    });
    a.id = `${tag}-${i}`;
    return a;
  };
  const idsOf = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `${tag}-${i}`);
  const randomPick = () => pool[Math.floor(rng() * pool.length)]!;

  /** Connector-side checks of a run: turns without a reply, and turns answered with an error card. */
  const check = (tag: string, n: number) => {
    const ids = idsOf(tag, n);
    const missing = connector.missingReplies(ids);
    const errorCards = connector.countLabelled('error', ids);
    return { missing, errorCards, unknown: connector.countLabelled('unknown-command', ids), replies: connector.repliesFor(ids) };
  };

  const pooled = (): Record<Bot, Pooled> => ({
    echo: { requests: 0, seconds: 0, latencies: [], errors: 0, samples: new Set() },
    ours: { requests: 0, seconds: 0, latencies: [], errors: 0, samples: new Set() },
  });
  const totals = { echo: { turns: 0, replies: 0 }, ours: { turns: 0, replies: 0, unknown: 0 } };
  const results: Result[] = [];
  let errorsEcho = 0;
  let errorsOurs = 0;

  try {
    // Priming, unmeasured: every pool owner talks to each bot once, so measured turns are returning
    // users (no first-contact welcome card) and both processes' code paths are warm.
    for (const bot of ['echo', 'ours'] as const) {
      const tag = `prime-${bot}`;
      const r = await runLoad({ url: url[bot], makeActivity: activities(tag, (i) => pool[i]!), requests: pool.length, concurrency: clients, warmup: 0 });
      const c = check(tag, pool.length);
      const errs = r.errors + c.missing + c.errorCards;
      if (errs > 0) process.stderr.write(`  priming ${bot}: ${errs} errors (${r.errors} HTTP, ${c.missing} without reply, ${c.errorCards} error cards) ${r.errorSamples.join('; ')}\n`);
      if (bot === 'echo') errorsEcho += errs;
      else errorsOurs += errs;
    }

    for (const [mode, concurrency] of [['sequential', 1], [`${clients} clients`, clients]] as const) {
      const acc = pooled();
      for (let round = 0; round < rounds; round++) {
        const order: Bot[] = round % 2 === 0 ? ['echo', 'ours'] : ['ours', 'echo'];
        for (const bot of order) {
          const tag = `${bot}-c${concurrency}-r${round}`;
          const r: LoadResult = await runLoad({ url: url[bot], makeActivity: activities(tag, randomPick), requests, concurrency, warmup });
          const c = check(tag, requests + warmup);
          const errs = r.errors + r.warmupErrors + c.missing + c.errorCards;
          const a = acc[bot];
          a.requests += r.requests;
          a.seconds += r.seconds;
          a.latencies.push(...r.latencies);
          a.errors += errs;
          r.errorSamples.forEach((s) => a.samples.add(s));
          if (c.missing) a.samples.add(`${c.missing} turns without a reply`);
          if (c.errorCards) a.samples.add(`${c.errorCards} turns answered with an error card`);
          totals[bot].turns += requests + warmup;
          totals[bot].replies += c.replies;
          if (bot === 'ours') totals.ours.unknown += c.unknown;
          process.stderr.write(
            `  ${bot.padEnd(4)} ${mode}, run ${round + 1}/${rounds}: ${r.perSecond.toFixed(0)} turns/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${errs ? `, ${errs} ERRORS` : ''}\n`,
          );
        }
      }
      const stat = (p: Pooled) => {
        const sorted = [...p.latencies].sort((x, y) => x - y);
        return { perSecond: p.requests / p.seconds, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
      };
      const e = stat(acc.echo);
      const o = stat(acc.ours);
      results.push(
        { name: `${command} turns/s, ${mode}${suffix}`, value: o.perSecond, unit: 'turns/s', baseline: e.perSecond, ratio: o.perSecond / e.perSecond },
        { name: `${command} turn p50, ${mode}${suffix}`, value: o.p50, unit: 'ms', baseline: e.p50, ratio: o.p50 / e.p50 },
        { name: `${command} turn p99, ${mode}${suffix}`, value: o.p99, unit: 'ms', baseline: e.p99, ratio: o.p99 / e.p99 },
      );
      errorsEcho += acc.echo.errors;
      errorsOurs += acc.ours.errors;
      for (const bot of ['echo', 'ours'] as const) {
        if (acc[bot].errors) process.stderr.write(`  ${bot} ${mode}: ${acc[bot].errors} errors: ${[...acc[bot].samples].slice(0, 5).join('; ')}\n`);
      }
    }
  } finally {
    await ours.stop();
    await echo.stop();
    await connector.stop();
  }

  process.stderr.write(
    `  ${large.publishers.toLocaleString('en-US')} publishers${suffix}, pool of ${pool.length} owners; replies per turn: ours ${(totals.ours.replies / totals.ours.turns).toFixed(2)}, echo ${(totals.echo.replies / totals.echo.turns).toFixed(2)}\n`,
  );
  if (totals.ours.unknown > 0) {
    process.stderr.write(`  note: ${totals.ours.unknown} of ${totals.ours.turns} measured turns of ours answered “I don't know ${command}” (the command does not exist yet)\n`);
  }
  results.push({ name: `${command} turn errors (non-200, no reply, error card)${suffix}`, value: errorsOurs, unit: 'errors', baseline: errorsEcho, ratio: null });
  return results;
}

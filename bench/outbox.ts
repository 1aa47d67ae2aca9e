/**
 * outbox: the proactive delivery engine (durable outbox → rate limiter → BotFrameworkSender →
 * botbuilder's connector client) against a local fake Bot Connector on 127.0.0.1.
 *
 * (a) Engine overhead, limits off: N recipients (10,000; quick 2,000), one queued message each,
 *     sent by the real OutboxWorker through the real BotFrameworkSender (auth off). Baseline: the
 *     same sends straight through BotFrameworkSender in a tight loop at the same concurrency, with no
 *     store and no outbox, so the ratio is what the durable outbox costs. Goal ≥ 1,000 messages/s.
 * (b) Pacing under faults: a global limit of 500/s (Teams limits off), and the connector injecting
 *     5% 429 (half with `Retry-After: 1`, half without) and 1% 502, decided per request from a hash
 *     of the conversation id and the request's number for that conversation (so every run sees the
 *     same faults). N recipients (20,000; quick 2,000).
 *     - Achieved rate / limit, goal ≥ 0.95: requests sent per second over the whole run (first
 *       request to last request) against the limit, which counts requests. It shows the engine
 *       keeps sending at the limit while faults come back and retries wait their turn.
 *     - Delivered rate / limit: 200s per second (first request to last 200). Every attempt, failed
 *       or not, spends a token, so with 6% of requests refused this cannot pass 0.94; it is also
 *       reported against that ceiling.
 *     - Delivered, duplicates and lost must be N, 0, 0.
 *
 * The connector runs on its own worker thread (plain JS, no tsx), so answering requests does not
 * take CPU from the engine it measures; it reports per-conversation counts back over the port.
 * Each part uses its own temp DATA_DIR, removed afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CloudAdapter } from 'botbuilder';
import { BotFrameworkSender } from '../src/adapters/bot/proactive-sender.js';
import { createAdapter } from '../src/adapters/http/server.js';
import { LowdbStore } from '../src/adapters/store/lowdb/lowdb-store.js';
import type { Store } from '../src/services/ports/index.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { systemClock } from '../src/services/outbox/clock.js';
import { RateLimiter } from '../src/services/outbox/rate-limiter.js';
import { RetryPolicySchema } from '../src/services/outbox/retry-policy.js';
import { OutboxWorker, type Sender } from '../src/services/outbox/worker.js';
import { mulberry32, percentile, quick, type Result } from './lib.js';
import { busiestPerKey } from '../test/fixtures/windows.js';

export interface OutboxBenchOptions {
  /** Recipients of part (a) (default 10,000; quick 2,000). */
  overheadRecipients?: number;
  /** Recipients of part (b) (default 20,000; quick 2,000): long enough that the last retries' 1 s Retry-After waits are a small part of the run. */
  faultRecipients?: number;
  /** Sends in flight at once: the worker's lanes and the baseline's (default 32: with 10,000 recipients ~1,100/s against ~870/s at 64; no clear difference at 2,000). */
  concurrency?: number;
  /** Items the worker claims at a time, refilling its lanes' queue when it runs dry (default 100, as src/app.ts). */
  batchSize?: number;
  /** Global limit of part (b), messages per second (default 500). */
  limitPerSecond?: number;
  /** Alternating direct / outbox rounds of part (a) (default 2; quick 3). */
  rounds?: number;
  /** Lanes of part (c) (default 16, the app's OUTBOX_CONCURRENCY). */
  tenantConcurrency?: number;
  /** Which parts to run (default all). */
  parts?: Array<'a' | 'b' | 'c'>;
}

const TENANT = '00000000-0000-0000-0000-0000000000b1';
const log = (s: string) => process.stderr.write(`  ${s}\n`);

// ---- the fake connector, on a worker thread -----------------------------------------------------

/**
 * Answers `POST /v3/conversations/{id}/activities` at once on keep-alive sockets and counts, per
 * conversation, the requests seen and the ones answered 200. With `faults`, request number n of a
 * conversation is answered, from hash(id + '#' + n) % 10,000:
 *   < 250: 429 with `Retry-After: 1`: the outbox re-queues the item due a second later.
 *   < 500: 429 without Retry-After: re-queued with the retry policy's jittered backoff.
 *   < 600: 502: likewise.
 * botbuilder's own retries are off on the outbox's adapter (as in the app), so every retry is an
 * outbox attempt: claimed again, paced by the limiter and recorded.
 * Times are absolute (timeOrigin + now) so the main thread can compare them with its own.
 */
const CONNECTOR_CODE = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const faults = workerData.faults;
const PATH = /^\\/v3\\/conversations\\/([^/?]+)\\/activities/;
const now = () => performance.timeOrigin + performance.now();
const hash = (s) => { let h = 0x811c9dc5; for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 0x01000193); } h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b); h ^= h >>> 13; return h >>> 0; };
let s;
const reset = () => { s = { requests: 0, first: 0, last: 0, lastOk: 0, seen: new Map(), ok: new Map(), statuses: {}, times: [] }; };
reset();
let next = 0;
const ERROR_BODY = '{"error":{"code":"Injected","message":"injected by the bench connector"}}';
const server = http.createServer({ keepAlive: true }, (req, res) => {
  req.resume();
  req.on('end', () => {
    const m = req.method === 'POST' ? PATH.exec(req.url || '') : null;
    if (!m) { res.writeHead(404, { 'content-length': 0 }); res.end(); return; }
    const conv = decodeURIComponent(m[1]);
    const t = now();
    if (s.requests++ === 0) s.first = t;
    s.last = t;
    s.times.push(t);
    const n = (s.seen.get(conv) || 0) + 1;
    s.seen.set(conv, n);
    let status = 200;
    let label = '200';
    const headers = { 'content-type': 'application/json' };
    if (faults) {
      const h = hash(conv + '#' + n) % 10000;
      if (h < 250) { status = 429; headers['retry-after'] = '1'; label = '429 Retry-After: 1'; }
      else if (h < 500) { status = 429; label = '429'; }
      else if (h < 600) { status = 502; label = '502'; }
    }
    s.statuses[label] = (s.statuses[label] || 0) + 1;
    let body = ERROR_BODY;
    if (status === 200) {
      s.ok.set(conv, (s.ok.get(conv) || 0) + 1);
      s.lastOk = t;
      body = '{"id":"m' + (++next) + '"}';
    }
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(status, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
parentPort.on('message', (cmd) => {
  if (cmd === 'stats') parentPort.postMessage({ requests: s.requests, first: s.first, last: s.last, lastOk: s.lastOk, ok: s.ok, statuses: s.statuses, times: s.times });
  else if (cmd === 'reset') { reset(); parentPort.postMessage('ok'); }
  else if (cmd === 'stop') {
    server.close(() => { parentPort.postMessage('stopped'); parentPort.close(); });
    server.closeIdleConnections();
  }
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
`;

export interface ConnectorStats {
  requests: number;
  /** Absolute ms of the first request, the last request and the last 200. */
  first: number;
  last: number;
  lastOk: number;
  /** 200s answered, by conversation id. */
  ok: Map<string, number>;
  /** Requests by answer ('200', '429', '429 Retry-After: 1', '502'). */
  statuses: Record<string, number>;
  /** Absolute ms each request arrived, in order. */
  times: number[];
}

export interface Connector {
  url: string;
  stats(): Promise<ConnectorStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** The bench's Bot Connector on a worker thread; `faults` as part (b) injects them. */
export async function startConnector(faults: boolean): Promise<Connector> {
  const worker = new Worker(CONNECTOR_CODE, { eval: true, workerData: { faults } });
  let dead: Error | undefined;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      dead ??= new Error(`the bench connector exited (${code})`);
      resolve();
    }),
  );
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', (m: { port: number }) => resolve(m.port));
    worker.once('error', reject);
  });
  worker.on('error', (err) => {
    dead = err;
    log(`connector: ${err.message}`);
  });
  /** One question at a time; rejects if the connector died (rather than leaving the bench hanging). */
  const ask = <T>(cmd: string) =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(dead);
      const onMessage = (m: T) => {
        worker.off('exit', onExit);
        resolve(m);
      };
      const onExit = () => {
        worker.off('message', onMessage);
        reject(dead ?? new Error('the bench connector exited'));
      };
      worker.once('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage(cmd);
    });
  return {
    url: `http://127.0.0.1:${port}/`,
    stats: () => ask<ConnectorStats>('stats'),
    reset: () => ask<string>('reset').then(() => undefined),
    async stop() {
      if (!dead) {
        const timer = setTimeout(() => void worker.terminate(), 10_000);
        await ask<string>('stop').catch(() => undefined);
        clearTimeout(timer);
      }
      await exited;
    },
  };
}

// ---- recipients, store, sender ------------------------------------------------------------------

const convId = (i: number) => `conv-${i}`;
const keyOf = (i: number) => `user:${TENANT}:u${i}`;
const referenceOf = (i: number, serviceUrl: string, prefix = '') => ({
  bot: { id: '28:rewards-bench-bot', name: 'Rewards' },
  user: { id: `29:${prefix}u${i}`, name: `User ${i}`, aadObjectId: `20000000-0000-0000-0000-${i.toString(16).padStart(12, '0')}` },
  conversation: { id: `${prefix}${convId(i)}`, tenantId: TENANT, conversationType: 'personal' },
  channelId: 'msteams',
  serviceUrl,
});
/** A campaign-sized message: some markdown text and a link button card. */
const activityOf = (i: number) => ({
  type: 'message',
  text: `**Marketplace Rewards**: your offer is eligible for new benefits (recipient ${i}). Open the bot to see your tier, the benefits it unlocks and how to activate them before the window ends.`,
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [{ type: 'TextBlock', text: 'New benefits are available', weight: 'Bolder', wrap: true }],
        actions: [{ type: 'Action.Submit', title: 'Acknowledge', data: { verb: 'ack', campaign: 'bench' } }],
      },
    },
  ],
});

interface Prepared {
  dir: string;
  store: LowdbStore;
  adapter: CloudAdapter;
  sender: Sender;
}

/** A fresh store holding `n` conversation references to the connector, and the real sender. */
async function prepare(n: number, serviceUrl: string, part: string): Promise<Prepared> {
  const dir = await mkdtemp(join(tmpdir(), `rewards-bench-outbox-${part}-`));
  const store = new LowdbStore(dir);
  await store.open();
  const t0 = performance.now();
  let next = 0;
  // Concurrent saves so their shard writes coalesce (setup, not measured).
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < n) {
        const i = next++;
        await store.saveConversationRef(keyOf(i), referenceOf(i, serviceUrl));
      }
    }),
  );
  log(`(${part}) ${n.toLocaleString('en-US')} conversation references saved in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent', PLAYGROUND: 'off', DEMO_DATA: 'off' });
  // As in src/app.ts: the outbox's adapter has botbuilder's own retries off.
  const adapter = createAdapter(config, {}, undefined, { clientRetries: false });
  return { dir, store, adapter, sender: new BotFrameworkSender(adapter, config.bot.appId) };
}

/** Enqueues one message per recipient in one call; returns its duration in ms. */
async function enqueueAll(store: LowdbStore, n: number, part: string): Promise<number> {
  const dueAt = new Date().toISOString();
  const items = Array.from({ length: n }, (_, i) => ({ idempotencyKey: `bench:${part}:${i}`, conversationKey: keyOf(i), payload: { activity: activityOf(i) }, dueAt }));
  const t0 = performance.now();
  const r = await store.enqueueOutbox(items);
  const ms = performance.now() - t0;
  if (r.enqueued !== n) throw new Error(`enqueued ${r.enqueued} of ${n}`);
  log(`(${part}) enqueued ${n.toLocaleString('en-US')} in one call: ${ms.toFixed(0)} ms (${((ms * 1000) / n).toFixed(1)} µs per message)`);
  return ms;
}

/** Sends `n` messages straight through the sender, `concurrency` at a time; resolves with the seconds taken. */
async function directSends(sender: Sender, serviceUrl: string, n: number, concurrency: number, prefix = ''): Promise<{ seconds: number; errors: number }> {
  const refs = Array.from({ length: n }, (_, i) => referenceOf(i, serviceUrl, prefix));
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (next < n) {
        const i = next++;
        const outcome = await sender.send(refs[i]!, activityOf(i));
        if (!('ok' in outcome)) errors++;
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, errors };
}

interface OutboxRun {
  /** From start() to the last item recorded in a final state. */
  seconds: number;
  /** Items the worker recorded in a final state (sent, failed, unreachable), and claims it made. */
  settled: number;
  claims: number;
  timedOut: boolean;
}

/**
 * Runs the real OutboxWorker until all `n` items are recorded in a final state (or `timeoutMs`).
 * The worker sees the store through a proxy that only counts final completions (nothing polls the
 * store while it runs).
 */
async function runOutbox(p: Prepared, n: number, limiter: RateLimiter, opts: { concurrency: number; batchSize: number; policy: ReturnType<typeof RetryPolicySchema.parse>; timeoutMs: number; random?: () => number }): Promise<OutboxRun> {
  let settled = 0;
  let claims = 0;
  let finish: () => void = () => undefined;
  const allSettled = new Promise<void>((resolve) => (finish = resolve));
  const store = p.store;
  const counted = new Proxy(store, {
    get(target, prop) {
      if (prop === 'completeOutbox') {
        return async (...args: Parameters<Store['completeOutbox']>) => {
          await target.completeOutbox(...args);
          if (args[1].status !== 'queued' && ++settled === n) finish();
        };
      }
      if (prop === 'claimOutbox') {
        return async (...args: Parameters<Store['claimOutbox']>) => {
          const items = await target.claimOutbox(...args);
          if (items.length > 0) claims++;
          return items;
        };
      }
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  }) as Store;
  const worker = new OutboxWorker(counted, p.sender, limiter, systemClock, createLogger('silent'), {
    batchSize: opts.batchSize,
    concurrency: opts.concurrency,
    idleMs: 10,
    policy: opts.policy,
    ...(opts.random ? { random: opts.random } : {}),
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), opts.timeoutMs)));
  const tty = process.stderr.isTTY;
  const progress = setInterval(() => process.stderr.write(`${tty ? '\r' : ''}  … ${settled.toLocaleString('en-US')} / ${n.toLocaleString('en-US')} settled${tty ? '' : '\n'}`), tty ? 500 : 5_000);
  const t0 = performance.now();
  worker.start();
  const late = await Promise.race([allSettled.then(() => false), timedOut]);
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(progress);
  clearTimeout(timer);
  if (tty) process.stderr.write('\r\x1b[K');
  await worker.stop();
  return { seconds, settled, claims, timedOut: late };
}

async function cleanup(p: Prepared | undefined, connector: Connector | undefined): Promise<void> {
  await p?.store.close();
  await connector?.stop();
  if (p) await rm(p.dir, { recursive: true, force: true });
}

// ---- (a) engine overhead ------------------------------------------------------------------------

async function overhead(n: number, concurrency: number, batchSize: number, rounds: number): Promise<Result[]> {
  const connector = await startConnector(false);
  let p: Prepared | undefined;
  try {
    p = await prepare(n, connector.url, 'a');
    const tag = `${n.toLocaleString('en-US')} recipients, limits off, concurrency ${concurrency}, batch ${batchSize}`;
    const policy = RetryPolicySchema.parse({ maxAttempts: 3, baseDelayMs: 50 });
    const limiter = () => new RateLimiter({ perConversation: [], perTenant: [], global: [] });
    // Warm-up (JIT, sockets) on other conversations.
    await directSends(p.sender, connector.url, Math.min(1_000, n), concurrency, 'warm-');
    // Rounds alternate direct / outbox to spread the noise of a shared machine; rates are pooled.
    let directSeconds = 0;
    let outboxSeconds = 0;
    for (let r = 1; r <= rounds; r++) {
      await connector.reset();
      const direct = await directSends(p.sender, connector.url, n, concurrency);
      directSeconds += direct.seconds;
      log(`(a) round ${r}/${rounds}: direct BotFrameworkSender: ${n.toLocaleString('en-US')} in ${direct.seconds.toFixed(2)} s = ${(n / direct.seconds).toFixed(0)}/s${direct.errors ? ` (${direct.errors} ERRORS)` : ''}`);

      await connector.reset();
      await enqueueAll(p.store, n, `a${r}`);
      const run = await runOutbox(p, n, limiter(), { concurrency, batchSize, policy, timeoutMs: 300_000 });
      outboxSeconds += run.seconds;
      const stats = await connector.stats();
      log(`(a) round ${r}/${rounds}: outbox (batch ${batchSize}): ${run.settled.toLocaleString('en-US')} settled in ${run.seconds.toFixed(2)} s = ${(n / run.seconds).toFixed(0)}/s, ${run.claims} claims${run.timedOut ? ' (TIMED OUT)' : ''}`);
      if (run.settled !== n || stats.ok.size !== n || stats.requests !== n) log(`(a) WARNING: ${run.settled} settled, ${stats.ok.size} conversations answered 200 (${stats.requests} requests), of ${n}`);
    }
    const sent = (await p.store.listOutbox({ status: 'sent' })).length;
    if (sent !== n * rounds) log(`(a) WARNING: ${sent} items sent of ${n * rounds}`);

    // Where the time goes: the same worker with a sender that answers at once (store + limiter only).
    await enqueueAll(p.store, n, 'a-engine');
    const instant = { send: () => Promise.resolve({ ok: true as const }) };
    const engine = await runOutbox({ ...p, sender: instant }, n, limiter(), { concurrency, batchSize, policy, timeoutMs: 300_000 });
    log(`(a) outbox with an instant sender (store + limiter + worker only): ${(n / engine.seconds).toFixed(0)}/s`);

    const directRate = (n * rounds) / directSeconds;
    const rate = (n * rounds) / outboxSeconds;
    return [
      { name: `outbox (a) direct sends/s, no outbox (${tag})`, value: directRate, unit: 'msg/s', baseline: null, ratio: null },
      { name: `outbox (a) outbox sends/s (${tag})`, value: rate, unit: 'msg/s', baseline: directRate, ratio: rate / directRate },
    ];
  } finally {
    await cleanup(p, connector);
  }
}

// ---- (b) pacing under injected faults ------------------------------------------------------------

async function underFaults(n: number, concurrency: number, batchSize: number, limitPerSecond: number): Promise<Result[]> {
  const connector = await startConnector(true);
  let p: Prepared | undefined;
  try {
    p = await prepare(n, connector.url, 'b');
    // Warm-up on other conversations (faults included), unmeasured.
    await directSends(p.sender, connector.url, Math.min(500, n), concurrency, 'warm-');
    await connector.reset();
    await enqueueAll(p.store, n, 'b');
    const limiter = new RateLimiter({ perConversation: [], perTenant: [], global: [{ count: limitPerSecond, perMs: 1_000 }] });
    const policy = RetryPolicySchema.parse({ maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 1_000 });
    const run = await runOutbox(p, n, limiter, { concurrency, batchSize, policy, timeoutMs: Math.max(120_000, (n / limitPerSecond) * 10_000), random: mulberry32(1) });
    const stats = await connector.stats();
    const items = await p.store.listOutbox();

    let delivered = 0;
    let duplicates = 0;
    for (let i = 0; i < n; i++) {
      const k = stats.ok.get(convId(i)) ?? 0;
      if (k >= 1) delivered++;
      if (k > 1) duplicates++;
    }
    const convOfKey = new Map(Array.from({ length: n }, (_, i) => [keyOf(i), convId(i)]));
    let notSent = 0;
    let sentUnanswered = 0;
    const byStatus: Record<string, number> = {};
    let attempts = 0;
    for (const it of items) {
      byStatus[it.status] = (byStatus[it.status] ?? 0) + 1;
      attempts += it.attempts;
      if (it.status !== 'sent') notSent++;
      else if (!stats.ok.has(convOfKey.get(it.conversationKey) ?? '')) sentUnanswered++;
    }
    const lost = notSent + sentUnanswered;
    const seconds = (stats.lastOk - stats.first) / 1000;
    const rate = delivered / seconds;
    const sendRate = stats.requests / ((stats.last - stats.first) / 1000);
    const refused = stats.requests - (stats.statuses['200'] ?? 0);
    const ceiling = limitPerSecond * (1 - refused / stats.requests);
    log(`(b) outbox, limit ${limitPerSecond}/s, concurrency ${concurrency}, batch ${batchSize}: ${stats.requests.toLocaleString('en-US')} requests, first → last ${((stats.last - stats.first) / 1000).toFixed(2)} s = ${sendRate.toFixed(0)}/s (${((100 * sendRate) / limitPerSecond).toFixed(1)}% of the limit)`);
    log(`(b) ${delivered.toLocaleString('en-US')} delivered, first request → last 200 ${seconds.toFixed(2)} s = ${rate.toFixed(0)}/s (${((100 * rate) / limitPerSecond).toFixed(1)}% of the limit); worker settled all in ${run.seconds.toFixed(2)} s with ${run.claims} claims${run.timedOut ? ' (TIMED OUT)' : ''}`);
    log(`(b) connector answers: ${Object.entries(stats.statuses).map(([k, v]) => `${k}: ${v}`).join(', ')}; outbox items: ${Object.entries(byStatus).map(([k, v]) => `${k}: ${v}`).join(', ')}; outbox attempts: ${attempts} for ${n} items`);
    const tag = `${n.toLocaleString('en-US')} recipients, 5% 429 + 1% 502, concurrency ${concurrency}, batch ${batchSize}`;
    return [
      { name: `outbox (b) achieved send rate / ${limitPerSecond}/s limit (${tag})`, value: sendRate, unit: 'req/s', baseline: limitPerSecond, ratio: sendRate / limitPerSecond },
      { name: `outbox (b) delivered rate / ${limitPerSecond}/s limit (${tag})`, value: rate, unit: 'msg/s', baseline: limitPerSecond, ratio: rate / limitPerSecond },
      { name: `outbox (b) delivered rate / ceiling (limit × share answered 200) (${tag})`, value: rate, unit: 'msg/s', baseline: ceiling, ratio: rate / ceiling },
      { name: `outbox (b) delivered (${tag})`, value: delivered, unit: 'messages', baseline: null, ratio: null },
      { name: `outbox (b) duplicates, must be 0 (${tag})`, value: duplicates, unit: 'messages', baseline: null, ratio: null },
      { name: `outbox (b) lost, must be 0 (${tag})`, value: lost, unit: 'messages', baseline: null, ratio: null },
    ];
  } finally {
    await cleanup(p, connector);
  }
}

// ---- (c) scheduling across tenants --------------------------------------------------------------

/** Conversation `t<t>-u<i>` in tenant `tenant-<t>`: one recipient of a many-tenant campaign. */
const tenantKey = (t: number, i: number) => `user:tenant-${t}:u${i}`;
const tenantConv = (t: number, i: number) => `t${t}-u${i}`;
const tenantRef = (t: number, i: number, serviceUrl: string) => ({
  bot: { id: '28:rewards-bench-bot', name: 'Rewards' },
  user: { id: `29:t${t}u${i}`, name: `User ${i}` },
  conversation: { id: tenantConv(t, i), tenantId: `tenant-${t}`, conversationType: 'personal' },
  channelId: 'msteams',
  serviceUrl,
});

/** A fresh store holding references for `tenants` × `perTenant` recipients, and the real sender. */
async function prepareTenants(tenants: number, perTenant: number, serviceUrl: string, part: string): Promise<Prepared> {
  const dir = await mkdtemp(join(tmpdir(), `rewards-bench-outbox-${part}-`));
  const store = new LowdbStore(dir);
  await store.open();
  const all = Array.from({ length: tenants * perTenant }, (_, k) => [Math.floor(k / perTenant), k % perTenant] as const);
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < all.length) {
        const [t, i] = all[next++]!;
        await store.saveConversationRef(tenantKey(t, i), tenantRef(t, i, serviceUrl));
      }
    }),
  );
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent', PLAYGROUND: 'off', DEMO_DATA: 'off' });
  const adapter = createAdapter(config, {}, undefined, { clientRetries: false });
  return { dir, store, adapter, sender: new BotFrameworkSender(adapter, config.bot.appId) };
}

/**
 * Wraps a sender to note, per send, its tenant and when it left, on the limiter's own clock
 * (Date.now(), whole ms): sub-millisecond times would see two sends 999.2 ms apart that the
 * limiter, counting whole ms, put 1,000 ms apart. (Teams counts arrivals, with network jitter on
 * top: the limit is configurable for that reason.)
 */
function timedSender(inner: Sender): { sender: Sender; sends: Array<{ tenant: string; conv: string; at: number }> } {
  const sends: Array<{ tenant: string; conv: string; at: number }> = [];
  return {
    sends,
    sender: {
      send(reference, activity) {
        const c = reference.conversation as { id: string; tenantId: string };
        sends.push({ tenant: c.tenantId, conv: c.id, at: Date.now() });
        return inner.send(reference, activity);
      },
    },
  };
}


interface TenantCase {
  rate: number;
  busiestTenant: number;
  busiestConversation: number;
  lost: number;
  duplicates: number;
}

/** Queues one message per recipient (tenant after tenant, or round-robin) and runs the worker until all settle. */
async function tenantCase(p: Prepared, connector: Connector, label: string, tenants: number, perTenant: number, order: 'tenant' | 'round', limits: 'teams' | 'off', concurrency: number, batchSize: number): Promise<TenantCase> {
  const n = tenants * perTenant;
  const dueAt = new Date().toISOString();
  const pairs: Array<[number, number]> = [];
  if (order === 'tenant') for (let t = 0; t < tenants; t++) for (let i = 0; i < perTenant; i++) pairs.push([t, i]);
  else for (let i = 0; i < perTenant; i++) for (let t = 0; t < tenants; t++) pairs.push([t, i]);
  await connector.reset();
  await p.store.enqueueOutbox(pairs.map(([t, i]) => ({ idempotencyKey: `bench:${label}:${t}:${i}`, conversationKey: tenantKey(t, i), payload: { activity: activityOf(i) }, dueAt })));
  const timed = timedSender(p.sender);
  const limiter = limits === 'teams' ? new RateLimiter() : new RateLimiter({ perConversation: [], perTenant: [], global: [] });
  const policy = RetryPolicySchema.parse({ maxAttempts: 3, baseDelayMs: 50 });
  const run = await runOutbox({ ...p, sender: timed.sender }, n, limiter, { concurrency, batchSize, policy, timeoutMs: 600_000 });
  const stats = await connector.stats();
  let delivered = 0;
  let duplicates = 0;
  for (const [t, i] of pairs) {
    const k = stats.ok.get(tenantConv(t, i)) ?? 0;
    if (k >= 1) delivered++;
    if (k > 1) duplicates++;
  }
  const rate = n / run.seconds;
  const busiestTenant = busiestPerKey(timed.sends, (s) => s.tenant);
  const busiestConversation = busiestPerKey(timed.sends, (s) => s.conv);
  log(`(c) ${label}: ${n.toLocaleString('en-US')} (${tenants} tenants × ${perTenant}, ${order === 'tenant' ? 'tenant after tenant' : 'round-robin'}, limits ${limits}) in ${run.seconds.toFixed(2)} s = ${rate.toFixed(0)}/s, ${run.claims} claims, busiest tenant-second ${busiestTenant}${run.timedOut ? ' (TIMED OUT)' : ''}`);
  return { rate, busiestTenant, busiestConversation, lost: n - delivered, duplicates };
}

/**
 * A notification to another tenant while one tenant's large campaign is going out at its 50 / s:
 * one every 50 ms for `count` notifications, each to a different tenant; the latency from queueing
 * to leaving. The worker polls as in the app (nobody wakes it).
 */
async function notificationLatency(connectorUrl: string, campaign: number, count: number, concurrency: number, batchSize: number): Promise<number[]> {
  const p = await prepareTenants(1, campaign, connectorUrl, 'c-latency');
  try {
    for (let t = 1; t <= count; t++) await p.store.saveConversationRef(tenantKey(t, 0), tenantRef(t, 0, connectorUrl));
    const dueAt = new Date().toISOString();
    await p.store.enqueueOutbox(Array.from({ length: campaign }, (_, i) => ({ idempotencyKey: `bench:lat:big:${i}`, conversationKey: tenantKey(0, i), payload: { activity: activityOf(i) }, dueAt })));
    const timed = timedSender(p.sender);
    const worker = new OutboxWorker(p.store, timed.sender, new RateLimiter(), systemClock, createLogger('silent'), { batchSize, concurrency, idleMs: 250, policy: RetryPolicySchema.parse({}) });
    worker.start();
    await new Promise((r) => setTimeout(r, 1_000)); // the campaign is under way
    const queuedAt = new Map<string, number>();
    for (let t = 1; t <= count; t++) {
      queuedAt.set(tenantConv(t, 0), Date.now());
      await p.store.enqueueOutbox([{ idempotencyKey: `bench:lat:n:${t}`, conversationKey: tenantKey(t, 0), payload: { activity: activityOf(t) }, dueAt: new Date().toISOString() }]);
      await new Promise((r) => setTimeout(r, 50));
    }
    const deadline = performance.now() + 30_000;
    const latencies = () => timed.sends.filter((s) => queuedAt.has(s.conv)).map((s) => s.at - queuedAt.get(s.conv)!);
    while (latencies().length < count && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.stop();
    const l = latencies().sort((a, b) => a - b);
    const big = timed.sends.filter((s) => s.tenant === 'tenant-0');
    log(`(c) notifications during a ${campaign.toLocaleString('en-US')}-recipient single-tenant campaign: ${l.length} of ${count} sent, p50 ${percentile(l, 0.5).toFixed(0)} ms, p99 ${percentile(l, 0.99).toFixed(0)} ms; campaign at ${busiestPerKey(big, () => 'big')} in its busiest second`);
    return l.length < count ? [...l, ...Array.from({ length: count - l.length }, () => Infinity)] : l;
  } finally {
    await cleanup(p, undefined);
  }
}

async function acrossTenants(concurrency: number, batchSize: number): Promise<Result[]> {
  const connector = await startConnector(false);
  let p: Prepared | undefined;
  let q: Prepared | undefined;
  try {
    const [tenants, perTenant] = quick ? [100, 50] : [200, 100];
    p = await prepareTenants(tenants, perTenant, connector.url, 'c');
    await directSends(p.sender, connector.url, 1_000, concurrency, 'warm-');
    const e = await tenantCase(p, connector, 'E', tenants, perTenant, 'tenant', 'off', concurrency, batchSize);
    const b = await tenantCase(p, connector, 'B', tenants, perTenant, 'tenant', 'teams', concurrency, batchSize);
    const c = await tenantCase(p, connector, 'C', tenants, perTenant, 'round', 'teams', concurrency, batchSize);
    await cleanup(p, undefined);
    p = undefined;
    const [dTenants, dPer] = [(tenants * perTenant) / 10, 10];
    q = await prepareTenants(dTenants, dPer, connector.url, 'c-d');
    const d = await tenantCase(q, connector, 'D', dTenants, dPer, 'tenant', 'teams', concurrency, batchSize);
    await cleanup(q, undefined);
    q = undefined;
    const lat = await notificationLatency(connector.url, quick ? 2_000 : 10_000, quick ? 40 : 100, concurrency, batchSize);
    const p99 = percentile(lat, 0.99);
    const n = tenants * perTenant;
    const tag = (x: string) => `${n.toLocaleString('en-US')} recipients, ${x}, Teams limits, concurrency ${concurrency}, batch ${batchSize}`;
    const cases = [
      ['B', b, tag(`${tenants} tenants × ${perTenant} queued tenant after tenant`)],
      ['C', c, tag(`${tenants} tenants × ${perTenant} queued round-robin`)],
      ['D', d, tag(`${dTenants.toLocaleString('en-US')} tenants × ${dPer} tenant after tenant`)],
    ] as const;
    return [
      { name: `outbox (c) E: limits off, ${tenants} tenants × ${perTenant} tenant after tenant (the engine's speed)`, value: e.rate, unit: 'msg/s', baseline: null, ratio: null },
      ...cases.map(([k, r, t]) => ({ name: `outbox (c) ${k} / E, goal ≥ 0.9 (${t})`, value: r.rate, unit: 'msg/s', baseline: e.rate, ratio: r.rate / e.rate })),
      { name: 'outbox (c) busiest tenant-second in B, C, D / the 50 / s limit, must be ≤ 1', value: Math.max(b.busiestTenant, c.busiestTenant, d.busiestTenant), unit: 'sends', baseline: 50, ratio: Math.max(b.busiestTenant, c.busiestTenant, d.busiestTenant) / 50 },
      { name: 'outbox (c) busiest conversation-second in B, C, D / the 7 / s limit, must be ≤ 1', value: Math.max(b.busiestConversation, c.busiestConversation, d.busiestConversation), unit: 'sends', baseline: 7, ratio: Math.max(b.busiestConversation, c.busiestConversation, d.busiestConversation) / 7 },
      { name: 'outbox (c) lost in B, C, D, E, must be 0', value: b.lost + c.lost + d.lost + e.lost, unit: 'messages', baseline: null, ratio: null },
      { name: 'outbox (c) duplicated in B, C, D, E, must be 0', value: b.duplicates + c.duplicates + d.duplicates + e.duplicates, unit: 'messages', baseline: null, ratio: null },
      { name: 'outbox (c) p99 latency of a notification to another tenant during a single-tenant campaign / 2 s goal', value: p99, unit: 'ms', baseline: 2_000, ratio: p99 / 2_000 },
    ];
  } finally {
    await cleanup(p, undefined);
    await cleanup(q, connector);
  }
}

export async function outboxBench(opts: OutboxBenchOptions = {}): Promise<Result[]> {
  const concurrency = opts.concurrency ?? 32;
  const batchSize = opts.batchSize ?? 100;
  const parts = opts.parts ?? ['a', 'b', 'c'];
  const results: Result[] = [];
  if (parts.includes('a')) results.push(...(await overhead(opts.overheadRecipients ?? (quick ? 2_000 : 10_000), concurrency, batchSize, opts.rounds ?? (quick ? 3 : 2))));
  if (parts.includes('b')) results.push(...(await underFaults(opts.faultRecipients ?? (quick ? 2_000 : 20_000), concurrency, batchSize, opts.limitPerSecond ?? 500)));
  if (parts.includes('c')) results.push(...(await acrossTenants(opts.tenantConcurrency ?? 16, batchSize)));
  return results;
}

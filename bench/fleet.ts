/**
 * fleet: three bot instances as real processes (`node --import tsx src/main.ts`) on one throwaway
 * PostgreSQL database, one campaign of N recipients (2,000; quick 500: about 45 s and 12 s at the app's pacing) in one tenant under one
 * tenant limit (OUTBOX_PER_TENANT_PER_SECOND=50), sent to the bench's Bot Connector on a worker
 * thread, which notes when every request arrived.
 *   - achieved send rate / limit, goal ≥ 0.95: (N − limit) requests over the time from the first
 *     request to the (N − limit)-th after it. The limiter sends each second's `limit` in a burst;
 *     first-to-last would count the final burst as taking no time and overstate short runs (500
 *     requests in 10 bursts span 9 windows), while this is exact for bursts and even streams alike.
 *     The app paces each tenant at `limit` per 1.1 s (src/app.ts rateLimits: a 10% margin for
 *     network jitter), so it cannot pass limit / 1.1 ≈ 0.91; the row against that pacing shows
 *     how close the fleet gets to what it allows itself.
 *   - busiest one-second window (sliding, at the connector) / limit: must be ≤ 1.
 *   - lost and duplicated must be 0; instances that sent must be 1 (the leader).
 * The database is a fresh one on DATABASE_URL's server when it is set, else on a throwaway
 * cluster from the system's PostgreSQL (src/adapters/store/postgres/local-cluster.ts); without
 * either the part is skipped with a line saying so. Runs alone with `npm run bench:fleet`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { findPgBin, startLocalCluster, type LocalCluster } from '../src/adapters/store/postgres/local-cluster.js';
import { PostgresStore } from '../src/adapters/store/postgres/postgres-store.js';
import { quick, type Result } from './lib.js';
import { startConnector } from './outbox.js';
import { busiestWindow } from '../test/fixtures/windows.js';

export interface FleetBenchOptions {
  /** Recipients of the campaign (default 2,000; quick 500). */
  recipients?: number;
  /** OUTBOX_PER_TENANT_PER_SECOND of every instance (default 50, Teams' limit). */
  limit?: number;
  /** Instances (default 3). */
  instances?: number;
}

const ROOT = join(import.meta.dirname, '..');
const TENANT = '00000000-0000-0000-0000-0000000000f2';
const log = (s: string) => process.stderr.write(`  ${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A fresh database for the run, and how to get rid of it (and of the cluster it may have started). */
async function throwawayDatabase(): Promise<{ url: string; drop(): Promise<void> } | string> {
  let cluster: LocalCluster | undefined;
  let admin = process.env.DATABASE_URL;
  if (!admin) {
    if (!findPgBin()) return 'PostgreSQL is unavailable (set DATABASE_URL, or install postgresql for a throwaway cluster)';
    cluster = await startLocalCluster();
    admin = cluster.url;
  }
  const name = `rewards_bench_fleet_${process.pid}`;
  const c = new pg.Client(admin);
  try {
    await c.connect();
    await c.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    await cluster?.stop();
    return `cannot create a database on DATABASE_URL's server (${(err as Error).message})`;
  } finally {
    await c.end().catch(() => undefined);
  }
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const d = new pg.Client(admin);
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).finally(() => d.end());
      await cluster?.stop();
    },
  };
}

interface Instance {
  child: ChildProcess;
  port: number;
  output(): string;
  readyz(): Promise<{ status?: string; leading?: boolean }>;
}

async function startInstance(url: string, limit: number): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: url, PLAYGROUND: 'off', DEMO_DATA: 'off', SCHEDULER_INTERVAL_MINUTES: '0', LOG_LEVEL: 'warn', MicrosoftAppId: '', METRICS_PORT: '', OUTBOX_PER_TENANT_PER_SECOND: String(limit) },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  type Ready = { status?: string; leading?: boolean };
  const readyz = (): Promise<Ready> =>
    fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.json() as Promise<Ready>,
      () => ({}),
    );
  const deadline = Date.now() + 60_000;
  while ((await readyz()).status !== 'ready') {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`a bench instance did not start:\n${output}`);
    }
    await sleep(200);
  }
  return { child, port, output: () => output, readyz };
}

async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null || i.child.signalCode !== null) return;
  const exited = new Promise((r) => i.child.once('exit', r));
  i.child.kill('SIGTERM');
  const timer = setTimeout(() => i.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}


export async function fleetBench(opts: FleetBenchOptions = {}): Promise<Result[]> {
  const n = opts.recipients ?? (quick ? 500 : 2_000);
  const limit = opts.limit ?? 50;
  const size = opts.instances ?? 3;
  const db = await throwawayDatabase();
  if (typeof db === 'string') {
    log(`fleet: skipped: ${db}`);
    return [];
  }
  const connector = await startConnector(false);
  const store = new PostgresStore(db.url);
  const fleet: Instance[] = [];
  try {
    await store.open();
    const conv = (i: number) => `fleet-conv-${i}`;
    const key = (i: number) => `user:${TENANT}:fleet-u${i}`;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = next++; i < n; i = next++) {
          await store.saveConversationRef(key(i), { bot: { id: '28:rewards-bench-bot', name: 'Rewards' }, user: { id: `29:fleet-u${i}`, name: `User ${i}` }, conversation: { id: conv(i), tenantId: TENANT, conversationType: 'personal' }, channelId: 'msteams', serviceUrl: connector.url });
        }
      }),
    );
    fleet.push(...(await Promise.all(Array.from({ length: size }, () => startInstance(db.url, limit)))));
    const deadline = Date.now() + 30_000;
    let leading = 0;
    while ((leading = (await Promise.all(fleet.map((i) => i.readyz()))).filter((r) => r.leading === true).length) !== 1) {
      if (Date.now() > deadline) throw new Error(`no single leader among ${size} instances (${leading} lead)`);
      await sleep(200);
    }
    await connector.reset();
    const dueAt = new Date().toISOString();
    await store.enqueueOutbox(Array.from({ length: n }, (_, i) => ({ idempotencyKey: `bench:fleet:${i}`, conversationKey: key(i), payload: { activity: { type: 'message', text: `Fleet campaign, message ${i}` } }, dueAt })));
    log(`fleet: ${size} instances, one leads; ${n.toLocaleString('en-US')} recipients in one tenant at ${limit}/s queued…`);
    const until = Date.now() + Math.max(120_000, (n / limit) * 3_000);
    let sent = 0;
    for (;;) {
      sent = (await store.listOutbox({ status: 'sent' })).length;
      if (sent === n || Date.now() > until) break;
      await sleep(1_000);
    }
    const stats = await connector.stats();
    const items = await store.listOutbox();
    let delivered = 0;
    let duplicates = 0;
    for (let i = 0; i < n; i++) {
      const k = stats.ok.get(conv(i)) ?? 0;
      if (k >= 1) delivered++;
      if (k > 1) duplicates += k - 1;
    }
    const lost = n - delivered + items.filter((i) => i.status !== 'sent').length;
    const senders = new Set(items.map((i) => i.claimedBy).filter(Boolean)).size;
    const times = [...stats.times].sort((a, b) => a - b);
    const counted = Math.max(1, times.length - limit);
    const seconds = (times[counted]! - times[0]!) / 1000;
    const rate = counted / seconds;
    const busiest = busiestWindow(times);
    const pacing = limit / 1.1;
    log(`fleet: ${stats.requests.toLocaleString('en-US')} requests, ${counted.toLocaleString('en-US')} of them in ${seconds.toFixed(2)} s = ${rate.toFixed(1)}/s; busiest second ${busiest}; ${delivered} delivered, ${duplicates} duplicated, ${lost} lost; ${senders} instance(s) sent${sent < n ? ' (TIMED OUT)' : ''}`);
    const tag = `${size} instances, ${n.toLocaleString('en-US')} recipients in one tenant`;
    return [
      { name: `fleet achieved send rate / ${limit}/s tenant limit, goal ≥ 0.95 (${tag})`, value: rate, unit: 'req/s', baseline: limit, ratio: rate / limit },
      { name: `fleet achieved send rate / the app's pacing, ${limit} per 1.1 s (${tag})`, value: rate, unit: 'req/s', baseline: pacing, ratio: rate / pacing },
      { name: `fleet busiest one-second window / ${limit} limit, must be ≤ 1 (${tag})`, value: busiest, unit: 'requests', baseline: limit, ratio: busiest / limit },
      { name: `fleet lost, must be 0 (${tag})`, value: lost, unit: 'messages', baseline: null, ratio: null },
      { name: `fleet duplicated, must be 0 (${tag})`, value: duplicates, unit: 'messages', baseline: null, ratio: null },
      { name: `fleet instances that sent, must be 1 (${tag})`, value: senders, unit: 'instances', baseline: null, ratio: null },
    ];
  } finally {
    await Promise.all(fleet.map(stopInstance));
    await store.close().catch(() => undefined);
    await connector.stop();
    await db.drop().catch((err: unknown) => log(`fleet: could not drop the bench database: ${(err as Error).message}`));
  }
}

// `npm run bench:fleet`: this part alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await fleetBench();
  for (const r of results) console.log(`${r.name.padEnd(90)} ${r.value.toLocaleString('en-US', { maximumFractionDigits: 3 }).padStart(10)} ${r.unit.padEnd(9)} ${r.ratio === null ? '' : r.ratio.toFixed(3)}`);
}

/**
 * A fleet of bot instances for tests: each one a real process (`node --import tsx src/main.ts`, as
 * `npm start` runs it, Playground off) on a port of its own, all on one PostgreSQL database, all
 * answering through one fake Bot Connector. A test drives each instance through its HTTP endpoint
 * and kills it with a real signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FakeConnector } from '../fixtures/fake-connector.js';
import { busiestWindow } from '../fixtures/windows.js';

export { busiestWindow };

const ROOT = join(import.meta.dirname, '..', '..');

export interface Instance {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** What the process wrote (warnings and errors at LOG_LEVEL=warn), for failure messages. */
  output(): string;
  /** POSTs an activity to its /api/messages; the connector then has the app installed in that conversation. */
  post(body: unknown): Promise<Response>;
  /**
   * Clicks an Action.Execute button on card `activityId` as the sender of `base`, through this
   * instance, and shows the answer to the clicker only (Teams' "replace for interactor").
   */
  click(base: Record<string, unknown>, verb: string, data: Record<string, unknown>, activityId: string): Promise<Record<string, unknown>>;
  /** GET /readyz: `leading` says whether this instance sends the outbox now. */
  readyz(): Promise<{ status: string; leading?: boolean }>;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<void>;
  readonly exited: boolean;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The environment every instance of a test fleet shares; `env` adds to it or overrides it. */
export function fleetEnv(databaseUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    PLAYGROUND: 'off',
    DEMO_DATA: 'off',
    SCHEDULER_INTERVAL_MINUTES: '0',
    LOG_LEVEL: 'warn',
    MicrosoftAppId: '',
    METRICS_PORT: '',
    ...env,
  };
}

/** Starts one instance and resolves once its /readyz answers 200. */
export async function startInstance(name: string, connector: FakeConnector, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TEST_DATABASE_URL: '', ...env, PORT: String(port) },
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exit = new Promise<void>((r) => child.once('exit', () => r()));
  const base = `http://127.0.0.1:${port}`;
  const post = (body: unknown) => {
    const conversation = (body as { conversation?: { id?: unknown } } | null)?.conversation?.id;
    if (typeof conversation === 'string') connector.install(conversation);
    return fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  };
  const instance: Instance = {
    name,
    port,
    child,
    output: () => output,
    post,
    async click(activity, verb, data, activityId) {
      const res = await post({ ...activity, type: 'invoke', name: 'adaptiveCard/action', text: undefined, replyToId: activityId, value: { action: { type: 'Action.Execute', verb, data } } });
      if (res.status !== 200) throw new Error(`${name}: ${verb} answered ${res.status}\n${output}`);
      const card = ((await res.json()) as { value?: Record<string, unknown> }).value ?? {};
      const from = activity.from as { aadObjectId: string };
      connector.answerInvoke(String((activity.conversation as { id: string }).id), activityId, from.aadObjectId, card);
      return card;
    },
    async readyz() {
      const res = await fetch(`${base}/readyz`);
      return (await res.json()) as { status: string; leading?: boolean };
    },
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exit;
    },
    get exited() {
      return child.exitCode !== null || child.signalCode !== null;
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (instance.exited) throw new Error(`${name} exited before it was ready:\n${output}`);
    const ready = await fetch(`${base}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return instance;
    if (Date.now() > deadline) {
      await instance.stop('SIGKILL');
      throw new Error(`${name} was not ready within a minute:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `count` instances named A, B, C…, the first with `first` added to its environment (demo data, say). */
export async function startFleet(count: number, connector: FakeConnector, env: Record<string, string>, first: Record<string, string> = {}): Promise<Instance[]> {
  const names = 'ABCDEFGH'.slice(0, count).split('');
  // The first one alone (it may load demo data), the others together.
  const a = await startInstance(names[0]!, connector, { ...env, ...first });
  return [a, ...(await Promise.all(names.slice(1).map((n) => startInstance(n, connector, env))))];
}

/**
 * Polls until `cond` holds; throws naming `what` after `ms`. A bound on waiting, never an assertion
 * on time. Polls are spaced 200 ms: the test process hosts the connector, and a busy test delays
 * the arrival times it records.
 */
export async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Which of the running instances say they lead, by name. */
export async function leaders(fleet: readonly Instance[]): Promise<string[]> {
  const alive = fleet.filter((i) => !i.exited);
  const answers = await Promise.all(alive.map(async (i) => [i.name, (await i.readyz()).leading] as const));
  return answers.filter(([, leading]) => leading === true).map(([n]) => n);
}

/** Waits until exactly one instance leads (the lead is checked every 2 s) and returns it. */
export async function leaderOf(fleet: readonly Instance[]): Promise<Instance> {
  let names: string[] = [];
  await until(async () => (names = await leaders(fleet)).length === 1, 'one instance to lead');
  return fleet.find((i) => i.name === names[0])!;
}

/** SIGKILLs whatever is still running. */
export async function stopFleet(fleet: readonly Instance[]): Promise<void> {
  await Promise.all(fleet.map((i) => i.stop('SIGKILL')));
}


/** Arrival times relative to the first, for a failure message that shows the bursts. */
export const relativeTimes = (times: readonly number[]): string => `arrivals (ms): ${times.map((t) => t - times[0]!).join(' ')}`;

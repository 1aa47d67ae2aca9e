/**
 * startup: one bot instance started as a real process (node + tsx, as `npm start` runs it) on a
 * store of 1,000 publishers and on one of 50,000 (2,000,000 transactions), timed from process
 * start to listening, and app.start() alone (store open + listen). Goal on PostgreSQL: flat in data
 * size, 50k ≤ 1.2× 1k; the embedded store loads and validates everything at open, so it is not.
 * Runs alternate sizes; the median of each size is reported. The scheduler is off (its first scan
 * runs after listening and is not start-up).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { quick, type Result } from './lib.js';

export interface StartupTarget {
  publishers: number;
  /** The embedded store's folder, or a PostgreSQL URL. */
  dir?: string;
  databaseUrl?: string;
}

interface Timing {
  processMs: number;
  startMs: number;
}

const instance = fileURLToPath(new URL('./startup-instance.ts', import.meta.url));

async function startOnce(t: StartupTarget): Promise<Timing> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    PLAYGROUND: 'off',
    DEMO_DATA: 'off',
    LOG_LEVEL: 'silent',
    SCHEDULER_INTERVAL_MINUTES: '0',
    ...(t.databaseUrl ? { DATABASE_URL: t.databaseUrl } : { DATA_DIR: t.dir }),
  };
  const child = spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', instance], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`start-up instance exited ${code}: ${err.trim().slice(0, 500)}`);
  return JSON.parse(line) as Timing;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Rows for one backend (`label`: embedded or PostgreSQL). */
export async function startupBench(label: string, small: StartupTarget, large: StartupTarget): Promise<Result[]> {
  const runs = quick ? 3 : 5;
  const timings: Timing[][] = [[], []];
  await startOnce(small); // unmeasured: tsx's compile cache and the OS page cache warm for both
  for (let i = 0; i < runs; i++) {
    for (const [k, t] of (i % 2 === 0 ? [[0, small], [1, large]] : [[1, large], [0, small]]) as Array<[number, StartupTarget]>) {
      const r = await startOnce(t);
      timings[k]!.push(r);
      process.stderr.write(`  ${label} @${t.publishers.toLocaleString('en-US')}: listening ${r.processMs.toFixed(0)} ms after process start (app.start ${r.startMs.toFixed(0)} ms)\n`);
    }
  }
  const tag = `${(large.publishers / 1000).toLocaleString('en-US')}k`;
  const [sp, lp] = timings.map((ts) => median(ts.map((x) => x.processMs / 1000))) as [number, number];
  const [ss, ls] = timings.map((ts) => median(ts.map((x) => x.startMs / 1000))) as [number, number];
  return [
    { name: `start-up, process start to listening @${tag} vs 1k, ${label}`, value: lp, unit: 's', baseline: sp, ratio: lp / sp },
    { name: `start-up, app.start() @${tag} vs 1k, ${label}`, value: ls, unit: 's', baseline: ss, ratio: ls / ss },
  ];
}

/**
 * tab dashboard: `GET /api/tab/dashboard` (SSO token checked, caller resolved, evaluation, monthly
 * sales, tickets) against a `status` turn of the same owners on the same app, sequentially and
 * interleaved, so both see the same machine. Goal (issue 12): dashboard p50 ≤ 2× status turn p50.
 */
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { teamsMessage } from '../test/fixtures/activities.js';
import { TokenKit } from '../test/tab/token-kit.js';
import { mulberry32, percentile, quick, type Result } from './lib.js';
import { LoadConnector } from './load.js';

export async function tabDashboardBench(large: { dir: string; publishers: number }): Promise<Result[]> {
  const requests = quick ? 300 : 2_000;
  const rng = mulberry32(7);
  const pool = Array.from({ length: quick ? 200 : 500 }, () => Math.floor(rng() * large.publishers));
  const kit = new TokenKit();
  await kit.start();
  const connector = new LoadConnector();
  await connector.start();
  const app = createApp(loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: large.dir, PLAYGROUND: 'off', DEMO_DATA: 'off', LOG_LEVEL: 'silent', ...kit.env() }));
  const port = await app.start();
  const hex = (p: number) => p.toString(16).padStart(12, '0');
  const tokens = new Map<number, string>();
  for (const p of pool) tokens.set(p, await kit.sign({ tid: `10000000-0000-0000-0000-${hex(p)}`, oid: `20000000-0000-0000-0000-${hex(p)}` }));
  const status = async (p: number) => {
    const a = teamsMessage('status', { serviceUrl: connector.url, aadObjectId: `20000000-0000-0000-0000-${hex(p)}`, tenantId: `10000000-0000-0000-0000-${hex(p)}`, name: `Owner ${p}` });
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(a) });
    await res.arrayBuffer();
    return res.status === 200;
  };
  const dashboard = async (p: number) => {
    const res = await fetch(`http://127.0.0.1:${port}/api/tab/dashboard`, { headers: { authorization: `Bearer ${tokens.get(p)}` } });
    await res.arrayBuffer();
    return res.status === 200;
  };
  const timed = async (f: (p: number) => Promise<boolean>, p: number, into: number[]) => {
    const t0 = performance.now();
    const ok = await f(p);
    into.push(performance.now() - t0);
    return ok;
  };
  const lat = { status: [] as number[], dashboard: [] as number[] };
  let errors = 0;
  try {
    // Unmeasured: every owner once each way (no first-contact card, keys fetched, code warm).
    for (const p of pool) errors += Number(!(await status(p))) + Number(!(await dashboard(p)));
    for (let i = 0; i < requests; i++) {
      const p = pool[Math.floor(rng() * pool.length)]!;
      const [first, second] = i % 2 === 0 ? [status, dashboard] : [dashboard, status];
      errors += Number(!(await timed(first, p, first === status ? lat.status : lat.dashboard)));
      errors += Number(!(await timed(second, p, second === status ? lat.status : lat.dashboard)));
    }
  } finally {
    await app.stop();
    await connector.stop();
    await kit.stop();
  }
  const p50 = (l: number[]) => percentile([...l].sort((a, b) => a - b), 0.5);
  const p99 = (l: number[]) => percentile([...l].sort((a, b) => a - b), 0.99);
  process.stderr.write(`  dashboard p50 ${p50(lat.dashboard).toFixed(2)} ms vs status turn p50 ${p50(lat.status).toFixed(2)} ms, ${errors} errors\n`);
  return [
    { name: 'tab dashboard p50 vs status turn, sequential (goal ≤ 2)', value: p50(lat.dashboard), unit: 'ms', baseline: p50(lat.status), ratio: p50(lat.dashboard) / p50(lat.status) },
    { name: 'tab dashboard p99 vs status turn, sequential', value: p99(lat.dashboard), unit: 'ms', baseline: p99(lat.status), ratio: p99(lat.dashboard) / p99(lat.status) },
    { name: 'tab dashboard errors (non-200)', value: errors, unit: 'errors', baseline: null, ratio: null },
  ];
}

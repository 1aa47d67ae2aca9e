/**
 * `npm run bench [-- --quick]`: performance as ratios against a baseline measured in the same run
 * (never thresholds in tests). Prints a table and writes bench/results.json.
 */
import { rm, writeFile } from 'node:fs/promises';
import { evaluationBench } from './evaluation.js';
import { TX_PER_PUBLISHER, buildStore, quick, type Result } from './lib.js';
import { storeWrite } from './store-write.js';
import { turnsBench } from './turns.js';
import { outboxBench } from './outbox.js';
import { fleetBench } from './fleet.js';
import { tabDashboardBench } from './tab-dashboard.js';

const results: Result[] = [];
const smallN = 1_000;
const largeN = quick ? 5_000 : 50_000;

console.log(`building stores: ${smallN.toLocaleString('en-US')} and ${largeN.toLocaleString('en-US')} publishers, ${TX_PER_PUBLISHER} transactions each${quick ? ' (--quick)' : ''}…`);
const small = { ...(await buildStore(smallN)), publishers: smallN };
const large = { ...(await buildStore(largeN)), publishers: largeN };
try {
  console.log('store-write…');
  results.push(...(await storeWrite(small, large)));
  console.log('evaluation…');
  results.push(...(await evaluationBench(large)));
  console.log('status turn vs. echo bot…');
  results.push(...(await turnsBench(large, 'status')));
  console.log('tab dashboard vs. status turn…');
  results.push(...(await tabDashboardBench(large)));
  console.log('outbox engine…');
  results.push(...(await outboxBench()));
  console.log('fleet of 3 instances on one PostgreSQL database…');
  results.push(...(await fleetBench()));
} finally {
  await rm(small.dir, { recursive: true, force: true });
  await rm(large.dir, { recursive: true, force: true });
}

const fmt = (n: number | null, d = 2) => (n === null ? '' : n.toLocaleString('en-US', { maximumFractionDigits: d }));
console.log(`\n${'benchmark'.padEnd(66)} ${'value'.padStart(12)} ${'unit'.padEnd(8)} ${'baseline'.padStart(10)} ${'ratio'.padStart(9)}`);
for (const r of results) console.log(`${r.name.padEnd(66)} ${fmt(r.value, 3).padStart(12)} ${r.unit.padEnd(8)} ${fmt(r.baseline, 3).padStart(10)} ${fmt(r.ratio, 3).padStart(9)}`);
await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

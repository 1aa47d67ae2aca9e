/**
 * `npm run bench [-- --quick]`: performance as ratios against a baseline measured in the same run
 * (never thresholds in tests). Prints a table and writes bench/results.json.
 *
 * The PostgreSQL rows run on DATABASE_URL when set (in databases of their own, dropped afterwards),
 * else on a throwaway local cluster; without PostgreSQL they are skipped with a line saying so.
 */
import { rm, writeFile } from 'node:fs/promises';
import { evaluationBench } from './evaluation.js';
import { TX_PER_PUBLISHER, buildStore, quick, type Result } from './lib.js';
import { benchPostgres, buildPgStore, txOf } from './postgres.js';
import { startupBench } from './startup.js';
import { storeWrite, storeWritePostgres } from './store-write.js';
import { turnsBench } from './turns.js';
import { outboxBench } from './outbox.js';
import { fleetBench } from './fleet.js';
import { tabDashboardBench } from './tab-dashboard.js';

const results: Result[] = [];
const smallN = 1_000;
const largeN = quick ? 5_000 : 50_000;
const tag = `${(largeN / 1000).toLocaleString('en-US')}k`;

console.log(`building stores: ${smallN.toLocaleString('en-US')} and ${largeN.toLocaleString('en-US')} publishers, ${TX_PER_PUBLISHER} transactions each${quick ? ' (--quick)' : ''}…`);
const small = { ...(await buildStore(smallN)), publishers: smallN };
const large = { ...(await buildStore(largeN)), publishers: largeN };
const pgServer = await benchPostgres();
if ('skipped' in pgServer) console.log(`PostgreSQL: skipped (${pgServer.skipped}); only the embedded store is measured`);
else console.log(`PostgreSQL: ${pgServer.source}`);
const pg = 'skipped' in pgServer ? undefined : pgServer;
try {
  const embeddedImport: Result = { name: `import rate @${tag} (${txOf(largeN).toLocaleString('en-US')} tx), embedded`, value: txOf(largeN) / large.seconds, unit: 'tx/s', baseline: null, ratio: null };
  results.push(embeddedImport);
  let pgSmall: { url: string; seconds: number; publishers: number } | undefined;
  let pgLarge: typeof pgSmall;
  if (pg) {
    pgSmall = await buildPgStore(await pg.database('small'), smallN);
    pgLarge = await buildPgStore(await pg.database('large'), largeN);
    const rate = txOf(largeN) / pgLarge.seconds;
    results.push({ name: `import rate @${tag}, PostgreSQL vs embedded`, value: rate, unit: 'tx/s', baseline: embeddedImport.value, ratio: rate / embeddedImport.value });
  }
  console.log('store-write…');
  const embeddedWrites = await storeWrite(small, large);
  results.push(...embeddedWrites);
  if (pgSmall && pgLarge) {
    console.log('store-write, PostgreSQL…');
    results.push(...(await storeWritePostgres(pgSmall, pgLarge, embeddedWrites[1])));
  }
  console.log('start-up…');
  results.push(...(await startupBench('embedded', { publishers: smallN, dir: small.dir }, { publishers: largeN, dir: large.dir })));
  if (pgSmall && pgLarge) results.push(...(await startupBench('PostgreSQL', { publishers: smallN, databaseUrl: pgSmall.url }, { publishers: largeN, databaseUrl: pgLarge.url })));
  console.log('evaluation…');
  results.push(...(await evaluationBench(large)));
  console.log('status turn vs. echo bot…');
  results.push(...(await turnsBench(large, 'status')));
  if (pgLarge) {
    console.log('status turn vs. echo bot, PostgreSQL…');
    results.push(...(await turnsBench({ dir: large.dir, databaseUrl: pgLarge.url, publishers: largeN }, 'status', { label: 'PostgreSQL' })));
  }
  console.log('tab dashboard vs. status turn…');
  results.push(...(await tabDashboardBench(large)));
  console.log('outbox engine…');
  results.push(...(await outboxBench()));
  console.log('fleet of 3 instances on one PostgreSQL database…');
  results.push(...(await fleetBench()));
} finally {
  await pg?.stop();
  await rm(small.dir, { recursive: true, force: true });
  await rm(large.dir, { recursive: true, force: true });
}

const fmt = (n: number | null, d = 2) => (n === null ? '' : n.toLocaleString('en-US', { maximumFractionDigits: d }));
console.log(`\n${'benchmark'.padEnd(66)} ${'value'.padStart(12)} ${'unit'.padEnd(8)} ${'baseline'.padStart(10)} ${'ratio'.padStart(9)}`);
for (const r of results) console.log(`${r.name.padEnd(66)} ${fmt(r.value, 3).padStart(12)} ${r.unit.padEnd(8)} ${fmt(r.baseline, 3).padStart(10)} ${fmt(r.ratio, 3).padStart(9)}`);
await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

/** `npm run build` (after tsc): the tabs' bundles into dist/tab-assets, which production serves. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleTabs } from '../http/tab-assets.js';

const out = process.argv[2] ?? 'dist/tab-assets';
mkdirSync(out, { recursive: true });
for (const [name, bytes] of await bundleTabs()) {
  writeFileSync(join(out, name), bytes);
  process.stdout.write(`${join(out, name)}: ${(bytes.length / 1024).toFixed(0)} KB, ${(gzipSync(bytes).length / 1024).toFixed(0)} KB gzipped\n`);
}

/**
 * The tabs' JavaScript: bundled from src/tabs by esbuild. `npm run build` writes the bundles to
 * dist/tab-assets, and production serves those files; running from the sources (npm start, tests),
 * they are bundled in memory on first use, so a change to a tab needs no separate build step.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** Each page's entry point under src/tabs. */
export const TAB_ENTRIES = { rewards: 'rewards/main.tsx', console: 'console/main.tsx', host: 'host/host.ts' } as const;
export type TabBundle = keyof typeof TAB_ENTRIES;

const BUILT = fileURLToPath(new URL('../../tab-assets/', import.meta.url));
const SOURCES = fileURLToPath(new URL('../../tabs/', import.meta.url));

/** Bundles every tab with esbuild (a development dependency): `{ 'rewards.js': bytes, … }`. */
export async function bundleTabs(opts: { minify?: boolean } = {}): Promise<Map<string, Uint8Array>> {
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(Object.entries(TAB_ENTRIES).map(([name, entry]) => [name, join(SOURCES, entry)])),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120', 'edge120', 'safari16', 'firefox120'],
    minify: opts.minify ?? true,
    legalComments: 'none',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: '/out',
    write: false,
    logLevel: 'silent',
    tsconfig: join(SOURCES, 'tsconfig.json'),
  });
  return new Map(result.outputFiles.map((f) => [f.path.slice('/out/'.length), f.contents]));
}

export class TabAssets {
  private files: Promise<Map<string, Uint8Array>> | undefined;

  constructor(private readonly dir: string | undefined = existsSync(BUILT) ? BUILT : undefined) {}

  /** Whether the bundles come from a build (production) or are made from the sources. */
  get prebuilt(): boolean {
    return this.dir !== undefined;
  }

  private load(): Promise<Map<string, Uint8Array>> {
    this.files ??= (this.dir ? readBuilt(this.dir) : bundleTabs()).catch((err: unknown) => {
      this.files = undefined; // a failed bundle is tried again on the next request
      throw err;
    });
    return this.files;
  }

  /** Starts bundling now, so the first page opens quickly. */
  warm(): void {
    void this.load().catch(() => undefined);
  }

  async get(name: string): Promise<Uint8Array | undefined> {
    return (await this.load()).get(name);
  }
}

async function readBuilt(dir: string): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const f of await readdir(dir)) out.set(f, await readFile(join(dir, f)));
  return out;
}

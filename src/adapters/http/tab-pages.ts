/**
 * The tabs' pages: `/tabs/rewards` and `/tabs/console` (an HTML shell and its bundle), and in
 * development the local Teams-like host page `/dev/host` that frames them. No inline script
 * anywhere; a CSP lets only Teams (and, in development, the local host page) frame the pages.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type restify from 'restify';
import { assetDir } from '../../assets.js';
import { DEMO_USERS } from '../../services/demo-data.js';
import type { Logger } from '../../log.js';
import type { TabAssets } from './tab-assets.js';

/** Where Teams runs (web, desktop and the Microsoft 365 hosts that show Teams apps). */
export const TEAMS_FRAME_ANCESTORS = ['https://teams.microsoft.com', 'https://*.teams.microsoft.com', 'https://teams.cloud.microsoft', 'https://*.cloud.microsoft', 'https://*.office.com', 'https://outlook.office.com', 'https://*.microsoft365.com'];

export const TAB_PAGES: Record<string, { title: string; bundle: string }> = {
  rewards: { title: 'Rewards', bundle: 'rewards.js' },
  console: { title: 'Console', bundle: 'console.js' },
};

/** Which tabs a demo person can open in the local host (as Teams would offer them): staff get the console. */
const demoTabs = (u: (typeof DEMO_USERS)[number]): string[] => (u.role === 'Rewards team' || u.role === 'Support agent' ? ['console'] : ['rewards']);

export function pageCsp(dev: boolean): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Fluent UI and the Adaptive Cards renderer set styles at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    // teams-js fetches Microsoft's current list of Teams origins from this CDN (and has a built-in one).
    "connect-src 'self' https://res.cdn.office.net",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-ancestors ${[...(dev ? ["'self'"] : []), ...TEAMS_FRAME_ANCESTORS].join(' ')}`,
  ].join('; ');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function shell(title: string, script: string, extra = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="icon" type="image/png" href="/tabs/icon.png">
${extra}</head>
<body>
<div id="root"></div>
<script type="module" src="/tabs/assets/${script}"></script>
</body>
</html>
`;
}

const HOST_STYLE = `<style>
body { margin: 0; font-family: "Segoe UI", system-ui, sans-serif; background: #ebebeb; color: #242424; display: flex; flex-direction: column; height: 100vh; }
header { display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: center; padding: 8px 16px; background: #464775; color: #fff; }
header h1 { font-size: 16px; margin: 0 12px 0 0; }
header p { margin: 0; font-size: 13px; }
header label { font-size: 13px; }
iframe { flex: 1; border: 0; width: 100%; background: #fff; }
</style>
`;

export interface TabPagesOptions {
  assets: TabAssets;
  /** Development: the local host page, `/dev/people`, and framing by this origin. */
  dev: boolean;
  log: Logger;
}

export function registerTabPages(server: restify.Server, opts: TabPagesOptions): void {
  const headers = {
    'content-security-policy': pageCsp(opts.dev),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-cache',
  };
  const html = (res: restify.Response, body: string) => {
    res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  };

  for (const [name, page] of Object.entries(TAB_PAGES)) {
    server.get(`/tabs/${name}`, async (_req, res) => html(res, shell(page.title, page.bundle)));
  }

  server.get('/tabs/icon.png', async (_req, res) => {
    icon ??= readFile(join(assetDir('manifest'), 'color.png'));
    const bytes = await icon;
    res.writeHead(200, { ...headers, 'content-type': 'image/png', 'cache-control': 'max-age=86400', 'content-length': String(bytes.length) });
    res.end(bytes);
  });
  let icon: Promise<Buffer> | undefined;

  server.get('/tabs/assets/:file', async (req, res) => {
    const file = String(req.params.file ?? '');
    let bytes: Uint8Array | undefined;
    try {
      bytes = /^[a-z-]+\.js$/.test(file) ? await opts.assets.get(file) : undefined;
    } catch (err) {
      opts.log.error({ err }, 'the tabs could not be bundled');
      res.send(500, { error: 'The tabs could not be built; see the server log.' });
      return;
    }
    if (!bytes) {
      res.send(404, { error: 'Not found' });
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8', 'content-length': String(bytes.length) });
    res.end(Buffer.from(bytes));
  });

  if (!opts.dev) return;
  server.get('/dev/host', async (_req, res) => html(res, shell('Local Teams host', 'host.js', HOST_STYLE)));
  server.get('/dev/people', async (_req, res) => {
    res.send(
      200,
      DEMO_USERS.map((u) => ({ aadObjectId: u.aadObjectId, name: u.name, role: u.role, tabs: demoTabs(u) })),
    );
  });
}

/** The local host page's address for a person and tab. */
export function hostUrl(origin: string, aadObjectId: string, tab: string): string {
  return `${origin}/dev/host?${new URLSearchParams({ as: aadObjectId, tab })}`;
}

/** One line per demo person (those whose id ends in one of `keys`) and tab, for `npm start`. */
export function describeTabs(origin: string, keys: readonly string[]): string {
  const people = DEMO_USERS.filter((u) => keys.some((k) => u.aadObjectId.endsWith(k)));
  const rows = people.flatMap((u) => demoTabs(u).map((t) => ({ url: hostUrl(origin, u.aadObjectId, t), text: `${TAB_PAGES[t]!.title} tab as ${u.name}` })));
  const width = Math.max(...rows.map((r) => r.url.length));
  return rows.map((r) => `    ${r.url.padEnd(width)}  ${r.text}`).join('\n');
}

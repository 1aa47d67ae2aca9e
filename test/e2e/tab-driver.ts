/**
 * Opens a tab the way a person would: the local Teams-like host page (`/dev/host`) signed in as a
 * demo person, with the tab in its iframe, in Debian's Chromium through playwright-core. Console
 * errors and page errors are collected so a test can assert the page ran cleanly.
 */
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './playground-driver.js';

export const DEMO = {
  alex: '00000000-0000-0000-0000-0000000000020', // owner, Contoso
  megan: '00000000-0000-0000-0000-0000000000021', // developer, Contoso: looks, does not act
  adele: '00000000-0000-0000-0000-0000000000022', // owner, Fabrikam
  lee: '00000000-0000-0000-0000-0000000000023', // manager, Northwind
  nestor: '00000000-0000-0000-0000-0000000000024', // Rewards team
  isaiah: '00000000-0000-0000-0000-0000000000025', // support agent
} as const;

export interface OpenTab {
  page: Page;
  /** The tab's document (inside the host's iframe). */
  tab: FrameLocator;
  /**
   * Console errors and uncaught page errors so far, in the host and the tab, except teams-js failing
   * to fetch Microsoft's list of Teams origins (this machine is offline; teams-js has a built-in list).
   */
  errors: string[];
  close(): Promise<void>;
}

const OFFLINE_NOISE = /res\.cdn\.office\.net\/teams-js\/validDomains|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED/;

export class TabBrowser {
  private browser: Browser | undefined;

  async start(): Promise<void> {
    this.browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  }

  async stop(): Promise<void> {
    await this.browser?.close();
  }

  /** `origin`: the bot's `http://127.0.0.1:<port>`; `theme`: default, dark or contrast. */
  async open(origin: string, as: string, tab: 'rewards' | 'console', theme = 'default'): Promise<OpenTab> {
    if (!this.browser) throw new Error('TabBrowser not started');
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && !OFFLINE_NOISE.test(m.text()) && !OFFLINE_NOISE.test(m.location().url)) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/dev/host?${new URLSearchParams({ as, tab, theme })}`);
    return { page, tab: page.frameLocator('iframe'), errors, close: () => context.close() };
  }
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in the tab's document and returns the serious and critical violations (WCAG 2.1 A
 * and AA rules). axe is evaluated through the browser's debugging protocol, which the page's CSP does
 * not govern, so the page keeps its CSP as in production.
 */
export async function seriousViolations(open: OpenTab): Promise<AxeViolation[]> {
  const { default: axe } = await import('axe-core');
  const frame = open.page.frames().find((f) => f.url().includes('/tabs/'));
  if (!frame) throw new Error('the tab frame is not loaded');
  await frame.evaluate(axe.source);
  const result = (await frame.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })`)) as { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> };
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
}

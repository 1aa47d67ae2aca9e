/**
 * Opens a tab the way a person would: the local Teams-like host page (`/dev/host`) signed in as a
 * demo person, with the tab in its iframe, in Debian's Chromium through playwright-core. Console
 * errors and page errors are collected so a test can assert the page ran cleanly.
 */
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './playground-driver.js';

export const DEMO = {
  alex: '00000000-0000-0000-0000-000000000020', // owner, Contoso
  megan: '00000000-0000-0000-0000-000000000021', // developer, Contoso: looks, does not act
  adele: '00000000-0000-0000-0000-000000000022', // owner, Fabrikam
  lee: '00000000-0000-0000-0000-000000000023', // manager, Northwind
  nestor: '00000000-0000-0000-0000-000000000024', // Rewards team
  isaiah: '00000000-0000-0000-0000-000000000025', // support agent
} as const;

export interface OpenTab {
  page: Page;
  /** The tab's document (inside the host's iframe). */
  tab: FrameLocator;
  /** Console errors and uncaught page errors so far, in the host and the tab. */
  errors: string[];
  close(): Promise<void>;
}

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
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/dev/host?${new URLSearchParams({ as, tab, theme })}`);
    return { page, tab: page.frameLocator('iframe'), errors, close: () => context.close() };
  }
}

/**
 * The tabs' pages in Chromium, framed by the local Teams-like host page: teams-js initialises
 * against the host, signs in with a local SSO token, and follows the host's theme.
 */
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { CHROMIUM_PATH, requireChromium } from './playground-driver.js';
import { DEMO, TabBrowser, seriousViolations } from './tab-driver.js';

describe('tab pages in the local Teams host (Chromium)', function () {
  this.timeout(120_000);
  let h: HttpApp;
  const browser = new TabBrowser();
  let origin = '';

  before(async function () {
    requireChromium(this);
    h = await startHttpApp();
    origin = `http://127.0.0.1:${h.port}`;
    await browser.start();
  });
  after(async () => {
    if (existsSync(CHROMIUM_PATH)) await browser.stop();
    await h?.stop();
  });

  it('when the host page opens a tab, then the tab signs in through teams-js and renders with no script errors', async () => {
    const t = await browser.open(origin, DEMO.alex, 'rewards');
    try {
      await t.tab.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60_000 });
      expect(t.errors).to.deep.equal([]);
      expect(await t.page.title()).to.contain('Alex Wilber');
    } finally {
      await t.close();
    }
  });

  it('when the host switches to the dark theme, then the tab follows it without reloading', async () => {
    const t = await browser.open(origin, DEMO.alex, 'rewards');
    try {
      await t.tab.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60_000 });
      const background = () => t.tab.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
      const light = await background();
      await t.page.getByLabel('Theme').selectOption('dark');
      let dark = light;
      for (let i = 0; i < 50 && dark === light; i++) {
        await new Promise((r) => setTimeout(r, 100));
        dark = await background();
      }
      expect(dark).to.not.equal(light);
      const [r, g, b] = dark.match(/\d+/g)!.map(Number);
      expect(r! + g! + b!).to.be.lessThan(200, `dark background ${dark}`);
    } finally {
      await t.close();
    }
  });

  it('when axe runs in a tab frame under the page CSP, then it runs and finds no serious or critical violations', async () => {
    const t = await browser.open(origin, DEMO.nestor, 'console');
    try {
      await t.tab.getByRole('heading', { level: 1 }).first().waitFor({ timeout: 60_000 });
      // The host opened the console as the Rewards team member asked for, not a fallback person.
      expect(await t.page.title()).to.equal('Console as Nestor Wilke (local Teams host)');
      expect(await seriousViolations(t)).to.deep.equal([]);
    } finally {
      await t.close();
    }
  });

  it('when a tab page is opened outside Teams (no host), then it says so instead of a blank page', async () => {
    const t = await browser.open(origin, DEMO.alex, 'rewards');
    try {
      await t.page.goto(`${origin}/tabs/rewards`);
      await t.page.getByText('open it in Teams', { exact: false }).waitFor({ timeout: 30_000 });
    } finally {
      await t.close();
    }
  });
});

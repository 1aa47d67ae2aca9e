/**
 * The newcomer's path, end to end: start the app exactly as `npm start` does (bot + Agents
 * Playground + demo data), drive the Playground in headless Chromium, then Ctrl-C.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { launch, requireChromium, type PlaygroundDriver } from './playground-driver.js';
import { PLAYGROUND_BOT_NAME, startNpmApp, type StartedApp } from './app-process.js';

describe('npm start → Agents Playground (headless Chromium)', function () {
  this.timeout(90_000);
  let app: ChildProcess | undefined;
  let ui: PlaygroundDriver | undefined;
  let dataDir: string | undefined;
  let started: StartedApp | undefined;
  let playgroundUrl = '';
  let botUrl = '';

  before(async function () {
    requireChromium(this);
    started = await startNpmApp();
    app = started.child;
    dataDir = started.dataDir;
    playgroundUrl = started.playgroundUrl;
    botUrl = started.botUrl;
    const launched = await launch(playgroundUrl, { botName: PLAYGROUND_BOT_NAME });
    if (!launched.driver) throw new Error(launched.reason);
    ui = launched.driver;
    await ui.ready();
  });

  after(async () => {
    await ui?.close().catch(() => undefined);
    await started?.cleanup();
  });

  it('when the Playground opens, then the bot has welcomed the user', async () => {
    await ui!.waitForText('Type one of these', 20_000);
  });

  it('when help is typed, then a welcome card lists the commands', async () => {
    const welcomes = async () => (await ui!.messages()).filter((m) => m.fromBot && m.text.includes('Type one of these')).length;
    const before = await welcomes();
    await ui!.send('help');
    const deadline = Date.now() + 15_000;
    while ((await welcomes()) <= before) {
      if (Date.now() > deadline) throw new Error(`no new welcome card after help; messages: ${JSON.stringify(await ui!.messages())}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const last = (await ui!.lastBotMessageText()) ?? '';
    expect(last).to.contain('Marketplace Rewards').and.contain('whoami');
  });

  it('when whoami is typed, then the bot names the demo company and the Partner Center role', async () => {
    await ui!.send('whoami');
    const msg = await ui!.waitForText('Who you are to me', 15_000);
    expect(msg.text).to.contain('Contoso Cloud').and.contain('Owner');
  });

  it('when Ctrl-C is pressed, then the bot and the Playground both stop cleanly', async () => {
    await ui?.close();
    ui = undefined;
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => app!.once('exit', (code, signal) => r({ code, signal })));
    process.kill(-app!.pid!, 'SIGINT');
    // npm itself dies of the SIGINT, as in a terminal; the bot under it must shut down cleanly.
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGINT', `npm exited with ${code ?? signal}`).to.equal(true);
    const down = async (url: string) => fetch(url).then(() => false, () => true);
    const deadline = Date.now() + 10_000;
    while (!((await down(playgroundUrl)) && (await down(botUrl.replace('/api/messages', '/healthz'))))) {
      if (Date.now() > deadline) throw new Error('the bot or the Playground still answers after Ctrl-C');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The store releases its lock only in its orderly close (after in-flight writes finished).
    const lockDeadline = Date.now() + 10_000;
    while (existsSync(join(dataDir!, '.lock'))) {
      if (Date.now() > lockDeadline) throw new Error(`the store was not closed cleanly:\n${started!.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
});

/**
 * The newcomer's path, end to end: start the app exactly as `npm start` does (bot + one Agents
 * Playground per demo person + demo data), drive the owner's Playground in headless Chromium, then
 * Ctrl-C; and the deploy's path: `kill <pid of npm start>` (SIGTERM to npm alone).
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { launch, requireChromium, type PlaygroundDriver } from './playground-driver.js';
import { PLAYGROUND_BOT_NAME, startNpmApp, type StartedApp } from './app-process.js';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';

const down = async (url: string) => fetch(url).then(() => false, () => true);

/** Waits until nothing answers at any of `urls` (connection refused). */
async function allDown(urls: string[], what: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = [];
    for (const url of urls) if (!(await down(url))) up.push(url);
    if (up.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still answering after ${what}: ${up.join(', ')}\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The store's lock is released only by its orderly close (after in-flight writes finished); then it opens again. */
async function storeReleased(dataDir: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (existsSync(join(dataDir, '.lock'))) {
    if (Date.now() > deadline) throw new Error(`the store was not closed cleanly (its lock is still held):\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const store = new LowdbStore(dataDir);
  await store.open();
  await store.close();
}

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

  it('when started, then it prints one Playground per demo role with who you are there', () => {
    expect(started!.seats.map((s) => s.name)).to.deep.equal(['Alex Wilber', 'Megan Bowen', 'Adele Vance', 'Nestor Wilke', 'Isaiah Langer']);
    expect(new Set(started!.seats.map((s) => s.url)).size).to.equal(5);
    expect(started!.output()).to.contain('Starting 5 Agents Playgrounds, one per person').and.contain('5/5 ready');
    expect(started!.output()).to.match(/you are Nestor Wilke: Rewards team/);
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
    await allDown([botUrl.replace('/api/messages', '/healthz'), ...started!.seats.map((s) => s.url)], 'Ctrl-C', started!.output);
    await storeReleased(dataDir!, started!.output);
  });
});

describe('kill <pid of npm start> (SIGTERM to npm alone, as a deploy does)', function () {
  this.timeout(90_000);
  let started: StartedApp | undefined;

  before(async () => {
    // Two Playgrounds are enough to see that all of them stop.
    started = await startNpmApp({ PLAYGROUND_USERS: '20,25' });
  });

  after(async () => {
    await started?.cleanup();
  });

  it('when npm is sent SIGTERM, then the bot and every Playground stop and the store is released', async () => {
    const app = started!.child;
    const exited = new Promise<{ code: number | null; signal: string | null }>((r) => app.once('exit', (code, signal) => r({ code, signal })));
    expect(started!.seats).to.have.length(2);
    process.kill(app.pid!, 'SIGTERM');
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM', `npm exited with ${code ?? signal}`).to.equal(true);
    await allDown([started!.botUrl.replace('/api/messages', '/healthz'), ...started!.seats.map((s) => s.url)], 'SIGTERM', started!.output);
    await storeReleased(started!.dataDir, started!.output);
    expect(started!.output()).to.not.match(/did not stop cleanly/);
  });
});

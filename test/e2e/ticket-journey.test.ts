/**
 * A ticket across two people in the Agents Playground (headless Chromium): Alex (publisher owner)
 * in the app as `npm start` runs it, and a second Playground where Isaiah (support agent) works the
 * support channel. Alex raises a ticket; Isaiah sees it in the channel, assigns it and replies;
 * Alex sees the reply and the new status in the personal chat.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { launch, requireChromium, type PlaygroundDriver } from './playground-driver.js';
import { PLAYGROUND_BOT_NAME, startNpmApp, type StartedApp } from './app-process.js';
import { writePlaygroundConfig } from '../../src/adapters/playground/config.js';
import { startPlayground, type PlaygroundProcess } from '../../src/adapters/playground/process.js';
import { DEMO_USERS, PLAYGROUND_TENANT } from '../../src/services/demo-data.js';

// The agent's card, by its headline: the help text also mentions "ticket RW-1001", and channel
// posts are drawn newest first.
const TICKET = 'RW-1001 · Contoso Cloud';

describe('ticket journey across two Playgrounds (headless Chromium)', function () {
  this.timeout(150_000);
  let started: StartedApp | undefined;
  let agentPlayground: PlaygroundProcess | undefined;
  let agentDir: string | undefined;
  let alex: PlaygroundDriver | undefined;
  let isaiah: PlaygroundDriver | undefined;

  before(async function () {
    requireChromium(this);
    started = await startNpmApp();
    const isaiahUser = DEMO_USERS.find((u) => u.name === 'Isaiah Langer')!;
    agentDir = await mkdtemp(join(tmpdir(), 'pg-agent-'));
    await writePlaygroundConfig(agentDir, {
      tenantId: PLAYGROUND_TENANT,
      botName: PLAYGROUND_BOT_NAME,
      currentUser: { aadObjectId: isaiahUser.aadObjectId, name: isaiahUser.name, email: isaiahUser.email },
      users: DEMO_USERS.filter((u) => u !== isaiahUser).map((u) => ({ aadObjectId: u.aadObjectId, name: u.name, email: u.email })),
      team: { name: 'Marketplace Rewards', channels: [{ name: 'Support' }] },
      personalChatId: `a:personal-${isaiahUser.aadObjectId}`,
    });
    agentPlayground = await startPlayground({ botEndpoint: started.botUrl.replace('localhost', '127.0.0.1'), port: 0, cwd: agentDir });
    const a = await launch(started.playgroundUrl, { botName: PLAYGROUND_BOT_NAME });
    const b = await launch(agentPlayground.url, { botName: PLAYGROUND_BOT_NAME });
    if (!a.driver || !b.driver) throw new Error(a.reason ?? b.reason);
    alex = a.driver;
    isaiah = b.driver;
    await alex.ready();
    await isaiah.ready();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      for (const [name, ui] of [['alex', alex], ['isaiah', isaiah]] as const) {
        const path = join(tmpdir(), `ticket-${name}-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 40)}.png`);
        await ui?.screenshot(path).catch(() => undefined);
        // eslint-disable-next-line no-console
        console.log(`    screenshot: ${path}`);
      }
      // eslint-disable-next-line no-console
      console.log(started?.output().slice(-2000));
    }
  });

  after(async () => {
    await alex?.close().catch(() => undefined);
    await isaiah?.close().catch(() => undefined);
    await agentPlayground?.stop();
    if (agentDir) await rm(agentDir, { recursive: true, force: true });
    await started?.cleanup();
  });

  it('when the support agent registers the support channel, then the bot confirms in the channel', async () => {
    await isaiah!.switchToChannel('Support');
    await isaiah!.send('register support channel');
    await isaiah!.waitForText('This channel now receives support tickets', 20_000);
  });

  it('when the publisher raises a ticket, then it gets a number in the personal chat', async () => {
    await alex!.waitForText('Type one of these', 20_000);
    await alex!.send('ticket');
    await alex!.waitForText('Raise a support ticket', 15_000);
    await alex!.fillInput('Description', 'Our offer has been live for six weeks and nobody called.');
    await alex!.click('Submit ticket');
    await alex!.waitForText('RW-1001', 15_000);
  });

  it('when the agent assigns and replies in the channel, then the publisher sees the reply and the new status', async () => {
    await isaiah!.waitForText('Our offer has been live for six weeks', 20_000);
    await isaiah!.click('Assign to me', TICKET);
    await isaiah!.waitForText('assigned it to themselves', 15_000);
    await isaiah!.fillInput('Reply to the publisher', 'Sorry about that: your engagement manager will call today.', TICKET);
    await isaiah!.click('Reply', TICKET);
    await isaiah!.waitForText('Isaiah Langer replied', 15_000);
    const seen = await alex!.waitForText('your engagement manager will call today', 20_000);
    expect(seen.text).to.contain('RW-1001');
    await alex!.waitForText('Status: assigned', 10_000);
  });
});

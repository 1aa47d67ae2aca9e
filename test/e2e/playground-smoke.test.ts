/**
 * End to end through the real Microsoft 365 Agents Playground UI: a throwaway bot, the Playground
 * started with generated mock data, headless Chromium typing, filling and clicking.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { writePlaygroundConfig, type PlaygroundConfigOptions } from '../../src/adapters/playground/config.js';
import { startPlayground, type PlaygroundProcess } from '../../src/adapters/playground/process.js';
import { launch, requireChromium, type PlaygroundDriver } from './playground-driver.js';
import { startEchoCardBot, type EchoCardBot } from './fixtures/echo-card-bot.js';

const CONFIG: PlaygroundConfigOptions = {
  tenantId: '11111111-2222-3333-4444-555555555555',
  botId: '28:rewards-bot-test',
  botName: 'Rewards Bot',
  currentUser: { aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001', name: 'Alice Admin', email: 'alice@contoso.test' },
  users: [{ aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000002', name: 'Bob Member' }],
  team: { name: 'Contoso Sales', id: '19:sales-general@thread.tacv2', channels: [{ name: 'Rewards', id: '19:sales-rewards@thread.tacv2' }] },
  personalChatId: 'a:personal-alice',
};

describe('Playground smoke (headless Chromium)', function () {
  this.timeout(60_000);
  let bot: EchoCardBot | undefined;
  let pg: PlaygroundProcess | undefined;
  let ui: PlaygroundDriver | undefined;
  let dir: string | undefined;
  const logs: string[] = [];

  const driver = (): PlaygroundDriver => {
    if (!ui) throw new Error('driver not started');
    return ui;
  };
  const received = (pred: (a: Partial<Activity>) => boolean): Partial<Activity>[] => (bot?.received ?? []).filter(pred);

  before(async function () {
    requireChromium(this);
    bot = await startEchoCardBot();
    dir = mkdtempSync(join(tmpdir(), 'pg-smoke-'));
    await writePlaygroundConfig(dir, CONFIG);
    pg = await startPlayground({ botEndpoint: bot.endpoint, port: 0, cwd: dir, log: (l) => logs.push(l) });
    const launched = await launch(pg.url, { botName: CONFIG.botName });
    if (!launched.driver) throw new Error(launched.reason);
    ui = launched.driver;
  });

  after(async function () {
    if (ui && this.currentTest?.state === 'failed' && dir) await ui.screenshot(join(tmpdir(), 'pg-smoke-failure.png')).catch(() => undefined);
    await ui?.close().catch(() => undefined);
    await pg?.stop();
    await bot?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && ui) {
      const path = join(tmpdir(), `pg-smoke-${this.currentTest.title.replace(/\W+/g, '-')}.png`);
      await ui.screenshot(path).catch(() => undefined);
      // eslint-disable-next-line no-console
      console.log(`    screenshot: ${path}\n    playground log: ${pg?.logFile}\n${logs.join('\n')}`);
    }
  });

  it('installs the bot in the personal chat on connect, with the configured ids', async () => {
    const deadline = Date.now() + 10_000;
    while (received((a) => a.type === 'conversationUpdate').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const install = received((a) => a.type === 'installationUpdate')[0];
    expect(install?.action).to.equal('add');
    expect(install?.from).to.deep.equal({ id: '29:aaaaaaaa-0000-0000-0000-000000000001', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001' });
    expect(install?.conversation).to.deep.include({ id: 'a:personal-alice', conversationType: 'personal', tenantId: CONFIG.tenantId });
    expect(install?.recipient).to.deep.equal({ id: '28:rewards-bot-test', name: 'Rewards Bot' });
    expect(install?.serviceUrl).to.equal(pg?.serviceUrl);
    const update = received((a) => a.type === 'conversationUpdate')[0];
    expect(update?.membersAdded?.map((m) => m.id)).to.deep.equal(['29:aaaaaaaa-0000-0000-0000-000000000001', '28:rewards-bot-test']);
  });

  it('shows the card for a message, and replaces it in place on Action.Execute', async () => {
    const ui = driver();
    await ui.send('hello bot');
    await ui.waitForText('You said: hello bot');
    const message = received((a) => a.type === 'message').at(-1);
    expect(message?.text).to.equal('hello bot');
    expect(message?.from).to.deep.equal({ id: '29:aaaaaaaa-0000-0000-0000-000000000001', name: 'Alice Admin', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001' });
    expect((message?.channelData as { tenant?: { id?: string } }).tenant?.id).to.equal(CONFIG.tenantId);

    await ui.fillInput('Your name', 'Zoë "Q"');
    await ui.chooseOption('Favourite color', 'Blue');
    await ui.chooseOption('Size', 'Large');
    await ui.click('Ping');
    await ui.waitForText('Pinged (ping) by Alice Admin: name=Zoë "Q" color=blue size=l');
    expect(await ui.lastBotMessageText()).to.contain('Pinged (ping)');
    expect(await ui.page.locator('.ac-adaptiveCard').count(), 'the card was replaced, not added').to.equal(1);
    expect(await ui.page.getByText('You said: hello bot').count()).to.equal(0);

    const invoke = received((a) => a.type === 'invoke').at(-1);
    expect(invoke?.name).to.equal('adaptiveCard/action');
    expect(invoke?.value).to.deep.equal({ action: { type: 'Action.Execute', title: 'Ping', verb: 'ping', data: { k: 1, name: 'Zoë "Q"', color: 'blue', size: 'l' } } });
    expect(invoke?.replyToId, 'invoke points at the card message').to.be.a('string');
  });

  it('delivers Action.Submit as a message with a value', async () => {
    const ui = driver();
    await ui.send('submit test');
    await ui.waitForText('You said: submit test');
    await ui.fillInput('Your name', 'Sam');
    await ui.click('Submit it');
    await ui.waitForText('submitted: {"via":"submit","name":"Sam","color":"red"}');
    // The card with inputs is still on screen, which steals the composer's focus: send() reloads.
    await ui.send('after submit');
    await ui.waitForText('You said: after submit');
  });

  it('shows proactive messages sent through the mock connector, and answers member lookups', async () => {
    const ui = driver();
    await bot?.proactive('Your points were updated', 'a:personal-alice');
    await ui.waitForText('Your points were updated');
    const member = (await bot?.getMember('a:personal-alice', '29:aaaaaaaa-0000-0000-0000-000000000001')) as Record<string, unknown>;
    expect(member).to.include({ id: '29:aaaaaaaa-0000-0000-0000-000000000001', name: 'Alice Admin', aadObjectId: 'aaaaaaaa-0000-0000-0000-000000000001', email: 'alice@contoso.test', tenantId: CONFIG.tenantId });
  });

  it('works in a team channel (the bot must be @mentioned)', async () => {
    const ui = driver();
    await ui.switchToChannel('Rewards', 'Contoso Sales');
    await ui.send('channel hello');
    await ui.waitForText('You said: Rewards Bot channel hello');
    const message = received((a) => a.type === 'message').at(-1);
    expect(message?.text).to.equal('<at>Rewards Bot</at> channel hello');
    expect(message?.conversation).to.deep.include({ conversationType: 'channel', isGroup: true, tenantId: CONFIG.tenantId });
    expect(message?.conversation?.id).to.match(/^19:sales-rewards@thread\.tacv2;messageid=\d+$/);
    const channelData = message?.channelData as { team?: { id?: string }; channel?: { id?: string } };
    expect(channelData.team?.id).to.equal('19:sales-general@thread.tacv2');
    expect(channelData.channel?.id).to.equal('19:sales-rewards@thread.tacv2');

    await ui.fillInput('Your name', 'Chan');
    await ui.click('Ping');
    await ui.waitForText('Pinged (ping) by Alice Admin: name=Chan');
    await ui.switchToPersonalChat();
  });
});

/**
 * A campaign interrupted by a kill: the bot process is stopped while sending and started again on
 * the same store.
 * - `kill` (SIGTERM, also Ctrl-C and a deploy's stop): sends on the wire finish and are recorded,
 *   the rest wait in the store. Every recipient gets the message exactly once.
 * - `kill -9` (SIGKILL, a power cut): nothing queued is lost; a message can be sent twice only if it
 *   was on the wire at the kill (Teams offers no idempotent send, so such a send cannot be told from
 *   a lost one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { LowdbStore } from '../../src/adapters/store/lowdb/lowdb-store.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TENANT = '00000000-0000-0000-0000-0000000000001';
const RECIPIENTS = 300;
const CONCURRENCY = 8;

describe('outbox across a crash (SIGKILL mid-campaign, then restart)', function () {
  this.timeout(120_000);
  let dir: string;
  let server: Server;
  let url: string;
  const delivered = new Map<string, number>();
  let child: ChildProcess | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-crash-'));
    // A connector that takes a little while per message, so the kill lands mid-campaign.
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        setTimeout(() => {
          const conv = decodeURIComponent(/\/v3\/conversations\/([^/]+)\/activities/.exec(req.url ?? '')?.[1] ?? '');
          if (req.method === 'POST' && conv) delivered.set(conv, (delivered.get(conv) ?? 0) + 1);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{"id":"x"}');
        }, 15);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  /** A campaign to RECIPIENTS new recipients named `${prefix}N`, queued while the bot is down. */
  async function queueCampaign(prefix: string) {
    const store = new LowdbStore(dir);
    await store.open();
    for (let i = 0; i < RECIPIENTS; i++) {
      await store.saveConversationRef(`user:${TENANT}:${prefix}${i}`, { bot: { id: '28:bot' }, user: { id: `29:${prefix}${i}` }, conversation: { id: `conv-${prefix}${i}`, tenantId: TENANT }, channelId: 'msteams', serviceUrl: url });
    }
    await store.enqueueOutbox(Array.from({ length: RECIPIENTS }, (_, i) => ({ idempotencyKey: `campaign:${prefix}:${i}`, conversationKey: `user:${TENANT}:${prefix}${i}`, payload: { activity: { type: 'message', text: `hello ${prefix}${i}` } }, dueAt: new Date().toISOString() })));
    await store.close();
    delivered.clear();
  }

  async function stopBot(signal: NodeJS.Signals) {
    child!.kill(signal);
    await new Promise((r) => child!.once('exit', r));
  }

  async function unsent() {
    const store = new LowdbStore(dir);
    await store.open();
    const items = await store.listOutbox();
    await store.close();
    return items.filter((i) => i.status !== 'sent').map((i) => `${i.idempotencyKey}:${i.status}`);
  }

  after(async () => {
    if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
    await new Promise<void>((r) => server.close(() => r()));
    await rm(dir, { recursive: true, force: true });
  });

  const startBot = () =>
    spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test', PORT: '0', DATA_DIR: dir, PLAYGROUND: 'off', DEMO_DATA: 'off', LOG_LEVEL: 'error', SCHEDULER_INTERVAL_MINUTES: '0', OUTBOX_CONCURRENCY: String(CONCURRENCY), OUTBOX_PER_TENANT_PER_SECOND: '0' },
    });
  const total = () => [...delivered.values()].reduce((a, b) => a + b, 0);
  const waitFor = async (cond: () => boolean, ms: number, what: string) => {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (delivered ${total()})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  /**
   * Starts the bot on a new campaign, stops it with `signal` a third of the way through (checking
   * it was mid-campaign), runs `atStop`, then starts it again until every recipient has the message.
   */
  async function interruptAndFinish(prefix: string, signal: NodeJS.Signals, atStop: () => Promise<void> = async () => undefined) {
    await queueCampaign(prefix);
    child = startBot();
    await waitFor(() => total() >= RECIPIENTS / 3, 60_000, 'a third of the campaign');
    await stopBot(signal);
    expect(total()).to.be.lessThan(RECIPIENTS);
    await atStop();

    child = startBot();
    await waitFor(() => delivered.size === RECIPIENTS, 60_000, 'every recipient');
    await stopBot('SIGTERM');
  }

  it('when the bot is stopped (SIGTERM) mid-campaign and restarted, then every recipient gets the message exactly once', async () => {
    await interruptAndFinish('t', 'SIGTERM', async () => {
      expect((await unsent()).filter((u) => u.endsWith(':sending'))).to.deep.equal([]); // nothing left in doubt
    });
    expect(await unsent()).to.deep.equal([]);
    expect([...delivered.entries()].filter(([, n]) => n !== 1)).to.deep.equal([]);
    expect(total()).to.equal(RECIPIENTS);
  });

  it('when the bot is killed (SIGKILL) mid-campaign and restarted, then every recipient gets the message and only in-flight ones may repeat', async () => {
    await interruptAndFinish('k', 'SIGKILL');
    expect(await unsent()).to.deep.equal([]);
    const duplicates = [...delivered.values()].filter((n) => n > 1).length;
    // Lost: none. Repeats: only messages that were being sent when the process died.
    expect(delivered.size).to.equal(RECIPIENTS);
    expect(duplicates).to.be.at.most(CONCURRENCY);
    if (process.env.SHOW_DUPLICATES) process.stderr.write(`duplicates after the crash: ${duplicates}\n`);
  });
});

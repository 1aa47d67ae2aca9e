/**
 * A campaign interrupted by SIGKILL: the bot process is killed while sending and started again on
 * the same store. Nothing queued may be lost; a message can be sent twice only if it was in flight
 * at the kill (Teams offers no idempotent send, so such a send cannot be told from a lost one).
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
    const store = new LowdbStore(dir);
    await store.open();
    for (let i = 0; i < RECIPIENTS; i++) {
      await store.saveConversationRef(`user:${TENANT}:r${i}`, { bot: { id: '28:bot' }, user: { id: `29:r${i}` }, conversation: { id: `conv-r${i}`, tenantId: TENANT }, channelId: 'msteams', serviceUrl: url });
    }
    await store.enqueueOutbox(Array.from({ length: RECIPIENTS }, (_, i) => ({ idempotencyKey: `campaign:crash:r${i}`, conversationKey: `user:${TENANT}:r${i}`, payload: { activity: { type: 'message', text: `hello r${i}` } }, dueAt: new Date().toISOString() })));
    await store.close();
  });

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

  it('when the bot is killed mid-campaign and restarted, then every recipient gets the message and only in-flight ones may repeat', async () => {
    child = startBot();
    await waitFor(() => total() >= RECIPIENTS / 3, 60_000, 'a third of the campaign');
    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    const atKill = total();
    expect(atKill).to.be.lessThan(RECIPIENTS);

    child = startBot();
    await waitFor(() => delivered.size === RECIPIENTS, 60_000, 'every recipient');
    child.kill('SIGTERM');
    await new Promise((r) => child!.once('exit', r));

    const store = new LowdbStore(dir);
    await store.open();
    const items = await store.listOutbox();
    await store.close();
    expect(items.filter((i) => i.status !== 'sent').map((i) => `${i.idempotencyKey}:${i.status}`)).to.deep.equal([]);
    const duplicates = [...delivered.values()].filter((n) => n > 1).length;
    // Lost: none. Repeats: only messages that were being sent when the process died.
    expect(delivered.size).to.equal(RECIPIENTS);
    expect(duplicates).to.be.at.most(CONCURRENCY);
    if (process.env.SHOW_DUPLICATES) process.stderr.write(`duplicates after the crash: ${duplicates}\n`);
  });
});

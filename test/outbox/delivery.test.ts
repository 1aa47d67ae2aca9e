/**
 * The outbox end to end: the real app's worker sends through botbuilder to a local fake connector
 * that injects 429 with Retry-After, 500/502, 403, 404 and dropped connections.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { FakeConnector, type Recorded, type Scripted } from '../fixtures/fake-connector.js';

const TENANT = '00000000-0000-0000-0000-0000000000001';
const convOf = (call: Recorded) => decodeURIComponent(/\/v3\/conversations\/([^/]+)\/activities/.exec(call.path)?.[1] ?? '');

async function until(cond: () => Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('outbox delivery through botbuilder to a fake connector', function () {
  this.timeout(60_000);
  let dir: string;
  let app: App | undefined;
  let connector: FakeConnector;

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(script: (call: Recorded, n: number) => Scripted | undefined, env: Record<string, string> = {}) {
    dir = await mkdtemp(join(tmpdir(), 'rewards-outbox-'));
    connector = new FakeConnector(script);
    await connector.start();
    app = createApp(loadConfig({ NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, PLAYGROUND: 'off', DEMO_DATA: 'off', OUTBOX_MAX_ATTEMPTS: '4', ...env }), { log: createLogger('silent') });
    await app.start();
  }

  async function recipients(names: string[]) {
    for (const n of names) {
      await app!.deps.store.saveConversationRef(`user:${TENANT}:${n}`, {
        bot: { id: '28:bot' },
        user: { id: `29:${n}` },
        conversation: { id: `conv-${n}`, tenantId: TENANT, conversationType: 'personal' },
        channelId: 'msteams',
        serviceUrl: connector.url,
      });
    }
    await app!.deps.store.enqueueOutbox(names.map((n) => ({ idempotencyKey: `test:${n}`, conversationKey: `user:${TENANT}:${n}`, payload: { activity: { type: 'message', text: `hello ${n}` } }, dueAt: new Date().toISOString() })));
  }

  const byKey = async () => Object.fromEntries((await app!.deps.store.listOutbox()).map((i) => [i.idempotencyKey.slice(5), i]));

  it('when the connector throttles, errs, refuses and drops, then every reachable recipient gets the message once and the rest are marked', async () => {
    const seen = new Map<string, number>();
    const at = new Map<string, number[]>();
    await start((call) => {
      const conv = convOf(call);
      const n = (seen.get(conv) ?? 0) + 1;
      seen.set(conv, n);
      at.set(conv, [...(at.get(conv) ?? []), Date.now()]);
      if (conv === 'conv-throttled' && n === 1) return { status: 429, headers: { 'retry-after': '1' } };
      if (conv === 'conv-flaky' && n <= 2) return { status: n === 1 ? 502 : 500 };
      if (conv === 'conv-removed') return { status: 403 };
      if (conv === 'conv-gone') return { status: 404 };
      if (conv === 'conv-dropped' && n === 1) return 'drop';
      if (conv === 'conv-broken') return { status: 400 };
      return undefined;
    });
    await recipients(['ok1', 'ok2', 'throttled', 'flaky', 'removed', 'gone', 'dropped', 'broken']);
    await app!.deps.store.enqueueOutbox([{ idempotencyKey: 'test:nobody', conversationKey: `user:${TENANT}:nobody`, payload: { activity: { type: 'message', text: 'x' } }, dueAt: new Date().toISOString() }]);
    await until(async () => (await app!.deps.store.listOutbox()).every((i) => i.status !== 'queued' && i.status !== 'sending'), 45_000, 'every item to settle');
    const items = await byKey();
    for (const k of ['ok1', 'ok2', 'throttled', 'flaky', 'dropped']) expect(items[k]?.status, k).to.equal('sent');
    expect(items.removed).to.include({ status: 'unreachable', lastStatus: 403 });
    expect(items.gone).to.include({ status: 'unreachable', lastStatus: 404 });
    expect(items.broken).to.include({ status: 'failed', lastStatus: 400 });
    expect(items.nobody?.status).to.equal('unreachable');
    // Exactly one delivered message per reachable recipient, despite botbuilder's and our retries.
    const delivered = connector.delivered.map(convOf).sort();
    expect(delivered).to.deep.equal(['conv-dropped', 'conv-flaky', 'conv-ok1', 'conv-ok2', 'conv-throttled']);
    // Every request is an outbox attempt (botbuilder's own retries are off), so each is recorded
    // and paced: the connector saw exactly as many requests as the item counts attempts.
    for (const k of ['ok1', 'throttled', 'flaky', 'removed', 'dropped', 'broken']) expect(seen.get(`conv-${k}`) ?? 0, k).to.equal(items[k]!.attempts);
    expect(items.throttled?.attempts).to.equal(2);
    expect(items.flaky?.attempts).to.equal(3);
    // Retry-After: 1 was honoured by the outbox itself.
    const [first, second] = at.get('conv-throttled')!;
    expect(second! - first!).to.be.at.least(1_000);
  });

  it('when a recipient keeps failing, then it is retried with backoff and failed after the maximum attempts with its last status', async () => {
    await start((call) => (convOf(call) === 'conv-down' ? { status: 504 } : undefined), { OUTBOX_MAX_ATTEMPTS: '2' });
    await recipients(['down']);
    await until(async () => (await byKey()).down?.status === 'failed', 45_000, 'the item to fail');
    const item = (await byKey()).down!;
    expect(item).to.include({ status: 'failed', lastStatus: 504, attempts: 2 });
  });

  it('when 20 messages go to one conversation, then no more than 7 leave in any second', async () => {
    const times: number[] = [];
    await start(() => {
      times.push(Date.now());
      return undefined;
    });
    for (const k of Array.from({ length: 20 }, (_, i) => i)) {
      await app!.deps.store.enqueueOutbox([{ idempotencyKey: `burst:${k}`, conversationKey: `user:${TENANT}:one`, payload: { activity: { type: 'message', text: `m${k}` } }, dueAt: new Date().toISOString() }]);
    }
    await app!.deps.store.saveConversationRef(`user:${TENANT}:one`, { bot: { id: '28:bot' }, user: { id: '29:one' }, conversation: { id: 'conv-one', tenantId: TENANT }, channelId: 'msteams', serviceUrl: connector.url });
    await until(async () => times.length >= 20, 30_000, '20 sends');
    for (const t of times) expect(times.filter((u) => u >= t && u < t + 1000).length).to.be.at.most(7);
  });
});

import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { storableConversationKey } from '../../src/adapters/bot/rewards-bot.js';
import { teamsMessage } from '../fixtures/activities.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';

/** Every file of the store folder with its content: what a request may have changed. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), await readFile(p, 'utf8'));
    }
  };
  await walk(dir);
  return out;
}

function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n));
}

const STRANGER = '99999999-9999-9999-9999-999999999999';
const ALEX = '00000000-0000-0000-0000-0000000000020';
const NESTOR = '00000000-0000-0000-0000-0000000000024';

describe('unknown senders leave nothing in the store', () => {
  let h: HttpApp;
  beforeEach(async () => {
    h = await startHttpApp();
    // Settle start-up writes (demo data) before looking.
    await h.post(teamsMessage('help', { serviceUrl: h.connector.url }));
  });
  afterEach(() => h.stop());

  const stranger = (text: string, extra: Record<string, unknown> = {}) => ({ ...teamsMessage(text, { serviceUrl: h.connector.url, aadObjectId: STRANGER, name: 'Stranger' }), ...extra });
  const invoke = (verb: string, data: Record<string, unknown> = {}) => stranger('', { type: 'invoke', name: 'adaptiveCard/action', text: undefined, replyToId: 'card-1', value: { action: { type: 'Action.Execute', verb, data } } });

  it('when a stranger writes, clicks and installs the app, in chats and channels, then no file of the store changes', async () => {
    const before = await snapshot(h.app.deps.config.dataDir);
    const group = { conversation: { id: '19:group@thread.v2', conversationType: 'groupChat', tenantId: '00000000-0000-0000-0000-0000000000001' } };
    const channel = { conversation: { id: '19:chan@thread.tacv2;messageid=1', conversationType: 'channel', tenantId: '00000000-0000-0000-0000-0000000000001' }, channelData: { tenant: { id: '00000000-0000-0000-0000-0000000000001' }, channel: { id: '19:chan@thread.tacv2' } } };
    const bodies = [
      ...['hello', 'help', 'whoami', 'status', 'benefits', 'enroll', 'contact', 'tech', 'ticket', 'tickets', 'campaign', 'register rewards channel'].map((t) => stranger(t)),
      stranger('help', group),
      stranger('help', channel),
      stranger('', { type: 'installationUpdate', action: 'add', text: undefined }),
      stranger('whoami', { conversation: { id: 'a:personal-x', conversationType: 'personal', tenantId: '44444444-4444-4444-4444-444444444444' }, from: { id: `29:${ALEX}`, name: 'Alex elsewhere', aadObjectId: ALEX } }),
      invoke('enroll.submit'),
      invoke('ticket.submit', { category: 'other', severity: 'normal', description: 'let me in' }),
      invoke('tech.submit'),
      invoke('campaign.ack', { campaignId: 'C-00000000' }),
      invoke('no.such.verb'),
    ];
    for (const body of bodies) {
      const res = await h.post(body);
      expect(res.status, JSON.stringify(body)).to.be.below(500);
    }
    expect(changes(before, await snapshot(h.app.deps.config.dataDir))).to.deep.equal([]);
  });

  it('when a stranger installs the app, then they get no welcome', async () => {
    const before = h.connector.sent().length;
    await h.post(stranger('', { type: 'installationUpdate', action: 'add', text: undefined }));
    expect(h.connector.sent().slice(before)).to.deep.equal([]);
  });

  it('when a known user installs the app, then they are welcomed and their conversation is stored', async () => {
    const before = h.connector.sent().length;
    const megan = '00000000-0000-0000-0000-0000000000021';
    await h.post({ ...teamsMessage('', { serviceUrl: h.connector.url, aadObjectId: megan, name: 'Megan Bowen' }), type: 'installationUpdate', action: 'add', text: undefined });
    expect(h.connector.sent().slice(before)).to.have.length(1);
    expect(await h.app.deps.store.getConversationRef(`user:00000000-0000-0000-0000-0000000000001:${megan}`)).to.not.equal(undefined);
  });

  it('when a publisher user writes in a team channel, then no channel reference is stored; when staff do, it is', async () => {
    const inChannel = (aad: string) => ({
      ...teamsMessage('whoami', { serviceUrl: h.connector.url, aadObjectId: aad }),
      conversation: { id: '19:chan@thread.tacv2;messageid=7', conversationType: 'channel', tenantId: '00000000-0000-0000-0000-0000000000001' },
      channelData: { tenant: { id: '00000000-0000-0000-0000-0000000000001' }, channel: { id: '19:chan@thread.tacv2' } },
    });
    await h.post(inChannel(ALEX));
    expect(await h.app.deps.store.getConversationRef('conversation:19:chan@thread.tacv2;messageid=7')).to.equal(undefined);
    await h.post(inChannel(NESTOR));
    expect(await h.app.deps.store.getConversationRef('conversation:19:chan@thread.tacv2;messageid=7')).to.not.equal(undefined);
  });
});

describe('store keys from activities', () => {
  const cases: Array<[string, Record<string, unknown>, string | undefined]> = [
    ['a personal chat', { conversation: { id: 'a:1', conversationType: 'personal', tenantId: 'T' }, from: { aadObjectId: 'A' } }, 'user:t:a'],
    ['a group chat', { conversation: { id: '19:g@thread.v2', conversationType: 'groupChat' }, from: { aadObjectId: 'A' } }, 'conversation:19:g@thread.v2'],
    ['a conversation id that is an object', { conversation: { id: { a: 1 }, conversationType: 'groupChat' } }, undefined],
    ['no conversation', {}, undefined],
    ['an object id that is an object, in a personal chat', { conversation: { id: 'a:1', conversationType: 'personal', tenantId: 'T' }, from: { aadObjectId: {} } }, 'conversation:a:1'],
    ['a conversation id with spaces and markup', { conversation: { id: '<x> y', conversationType: 'groupChat' } }, undefined],
    ['an empty conversation id', { conversation: { id: '', conversationType: 'groupChat' } }, undefined],
  ];
  for (const [name, activity, key] of cases) {
    it(`when the activity has ${name}, then the key is ${key ?? 'none'}`, () => {
      expect(storableConversationKey(activity)).to.equal(key);
    });
  }
});

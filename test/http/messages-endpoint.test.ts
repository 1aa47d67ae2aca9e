import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { FakeConnector, textOf } from '../fixtures/fake-connector.js';
import { teamsMessage } from '../fixtures/activities.js';

const silent = createLogger('silent');

async function post(port: number, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('POST /api/messages (HTTP end to end, auth off, local fake connector)', () => {
  let dir: string;
  let app: App;
  let port: number;
  const connector = new FakeConnector();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-http-'));
    await connector.start();
    app = createApp(loadConfig({ NODE_ENV: 'development', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, PLAYGROUND: 'off' }), { log: silent });
    port = await app.start();
  });
  after(async () => {
    await app.stop();
    await connector.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('when a known publisher owner types whoami, then the reply names the company and Partner Center role', async () => {
    const res = await post(port, teamsMessage('whoami', { serviceUrl: connector.url }));
    expect(res.status).to.equal(200);
    const text = connector.sent().map(textOf).join('\n');
    expect(text).to.contain('Contoso Cloud').and.contain('Owner');
  });

  it('when help is typed, then a welcome card lists the commands', async () => {
    const before = connector.sent().length;
    await post(port, teamsMessage('HELP', { serviceUrl: connector.url }));
    const replies = connector.sent().slice(before);
    expect(replies).to.have.length(1);
    expect(textOf(replies[0]!)).to.contain('Marketplace Rewards').and.contain('whoami');
  });

  it('when an unknown user writes, then they get one clear message and no company data', async () => {
    const before = connector.sent().length;
    await post(port, teamsMessage('whoami', { serviceUrl: connector.url, aadObjectId: '99999999-9999-9999-9999-999999999999', name: 'Stranger' }));
    const text = connector.sent().slice(before).map(textOf).join('\n');
    expect(text).to.contain('ask an owner');
    expect(text).to.not.contain('Contoso').and.not.contain('4412345');
  });

  it('when a user of another tenant uses a known object id, then they are not taken for that user', async () => {
    const before = connector.sent().length;
    await post(port, teamsMessage('whoami', { serviceUrl: connector.url, tenantId: '33333333-3333-3333-3333-333333333333' }));
    const text = connector.sent().slice(before).map(textOf).join('\n');
    expect(text).to.contain('ask an owner').and.not.contain('Contoso');
  });

  it('when an unknown command is typed, then the answer lists what I can help with', async () => {
    const before = connector.sent().length;
    await post(port, teamsMessage('make me a sandwich', { serviceUrl: connector.url }));
    const text = connector.sent().slice(before).map(textOf).join('\n');
    expect(text).to.contain('I can help with').and.contain('help');
  });

  it('when the caller writes, then their conversation reference is stored for proactive messages', async () => {
    const ref = await app.deps.store.getConversationRef('user:00000000-0000-0000-0000-0000000000001:00000000-0000-0000-0000-0000000000020');
    expect(ref?.reference).to.have.nested.property('conversation.id', 'a:personal-00000000-0000-0000-0000-0000000000020');
    expect(ref?.reference).to.have.property('serviceUrl', connector.url);
    // The per-message activity id is not part of it, or every turn would rewrite it.
    expect(ref?.reference).to.not.have.property('activityId');
  });

  it('when the owner enrolls and activates through HTTP invokes, then each answer is the replacing card in the response body', async () => {
    const invoke = (verb: string, data: Record<string, unknown>) => ({
      ...teamsMessage('', { serviceUrl: connector.url }),
      type: 'invoke',
      name: 'adaptiveCard/action',
      text: undefined,
      value: { action: { type: 'Action.Execute', verb, data } },
    });
    const enroll = await post(port, invoke('enroll.submit', {}));
    expect(enroll.status).to.equal(200);
    const enrollBody = (await enroll.json()) as { statusCode: number; type: string; value: Record<string, unknown> };
    expect(enrollBody.type).to.equal('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(enrollBody.value)).to.contain('Contoso Cloud is enrolled');
    const contact = await post(port, invoke('contact.submit', { user: '00000000-0000-0000-0000-0000000000021', email: 'partners@contoso.example', phone: '+14255550100', language: 'en' }));
    expect(JSON.stringify(await contact.json())).to.contain('different from the company');
    await post(port, invoke('contact.submit', { user: '00000000-0000-0000-0000-0000000000021', email: 'megan@contoso.example', phone: '+14255550100', language: 'en' }));
    const activate = await post(port, invoke('benefit.activate', { offerId: 'contoso-insights', benefitId: 'engagement-manager' }));
    expect(JSON.stringify(await activate.json())).to.contain('will contact Megan Bowen within a week');
    const before = connector.sent().length;
    await post(port, teamsMessage('status', { serviceUrl: connector.url }));
    expect(connector.sent().slice(before).map(textOf).join('\n')).to.contain('Engagement manager (go-to-market plan) (Contoso Insights)').and.contain('activated');
  });

  it('when /healthz is asked, then it reports the store readable (status only)', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ok' });
  });
});

describe('POST /api/messages with Bot Framework authentication on', () => {
  let dir: string;
  let app: App;
  let port: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rewards-auth-'));
    app = createApp(
      loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'secret' }),
      { log: silent },
    );
    port = await app.start();
  });
  after(async () => {
    await app.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [name, headers] of [
    ['no token', {}],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }],
    ['an unsigned forged JWT', { authorization: `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"aud":"x"}').toString('base64url')}.` }],
  ] as const) {
    it(`when a request carries ${name}, then it is refused with 401 and nothing is processed`, async () => {
      const res = await post(port, teamsMessage('whoami', { serviceUrl: 'http://127.0.0.1:9/' }), headers);
      expect(res.status).to.equal(401);
    });
  }
});

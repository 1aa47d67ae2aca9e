import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, routeTables, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { teamsMessage } from '../fixtures/activities.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { FakeConnector } from '../fixtures/fake-connector.js';

async function post(port: number, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

/** Bodies a client may send by mistake (or on purpose), each with the field the answer must name. */
function malformed(serviceUrl: string): Array<[string, unknown, string]> {
  const base = teamsMessage('help', { serviceUrl });
  const invoke = (value: unknown) => ({ ...base, text: undefined, type: 'invoke', name: 'adaptiveCard/action', value });
  return [
    ['an empty object', {}, 'type'],
    ['a numeric type', { ...base, type: 1 }, 'type'],
    ['no type', { ...base, type: undefined }, 'type'],
    ['an invoke whose value is a string', invoke('x'), 'value'],
    ['an invoke whose value has no action', invoke({}), 'value.action'],
    ['an invoke whose verb is a number', invoke({ action: { type: 'Action.Execute', verb: 1 } }), 'value.action.verb'],
    ['an invoke whose action is not Action.Execute', invoke({ action: { type: 'Action.Submit', verb: 'x' } }), 'value.action.type'],
    ['an invoke the bot does not answer', { ...base, type: 'invoke', name: 'task/fetch', value: {} }, 'name'],
    ['no recipient', { ...base, recipient: undefined }, 'recipient'],
    ['a conversation id that is an object', { ...base, conversation: { id: { a: 1 }, conversationType: 'groupChat' } }, 'conversation.id'],
    ['no conversation', { ...base, conversation: undefined }, 'conversation'],
    ['a serviceUrl that is no URL', { ...base, serviceUrl: 'nope' }, 'serviceUrl'],
    ['a mention without mentioned', { ...base, entities: [{ type: 'mention', text: '<at>x</at>' }] }, 'entities'],
    ['entities that are not a list', { ...base, entities: 'x' }, 'entities'],
    ['membersAdded that are not accounts', { ...base, type: 'conversationUpdate', membersAdded: [1] }, 'membersAdded'],
    ['a text that is an object', { ...base, text: { a: 1 } }, 'text'],
    ['a list', [], '(body)'],
    ['null', null, '(body)'],
  ];
}

describe('the edge: no request body gets a 5xx', () => {
  describe('with authentication off', () => {
    let h: HttpApp;
    before(async () => (h = await startHttpApp()));
    after(() => h.stop());

    for (const [name, , field] of malformed('http://x/')) {
      it(`when the body is ${name}, then the answer is 400 naming ${field}, with no internal error text`, async () => {
        const body = malformed(h.connector.url).find(([n]) => n === name)![1];
        const res = await post(h.port, body);
        expect(res.status, res.text).to.equal(400);
        const answer = JSON.parse(res.text) as { error: string };
        expect(answer.error).to.match(/^Bad request: /);
        if (field !== '(body)') expect(answer.error).to.contain(`${field}`);
        expect(res.text).to.not.match(/TypeError|validateAndFixActivity|Cannot read|\bat \w/);
      });
    }

    it('when the body is not valid JSON, then the answer is 400 in the same short form, without the parser message', async () => {
      const res = await fetch(`http://127.0.0.1:${h.port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type": "message", ' });
      expect(res.status).to.equal(400);
      expect(await res.json()).to.deep.equal({ error: 'Bad request: the body is not valid JSON' });
    });

    it('when the body is larger than 1 MB, then the answer is 413 with a short message', async () => {
      const res = await post(h.port, { ...teamsMessage('x', { serviceUrl: h.connector.url }), text: 'x'.repeat(1_100_000) });
      expect(res.status).to.equal(413);
      expect(JSON.parse(res.text)).to.deep.equal({ error: 'Payload too large (at most 1 MB)' });
    });

    it('when a healthCheck invoke comes, then it is answered 200 with a health result', async () => {
      const res = await post(h.port, { ...teamsMessage('', { serviceUrl: h.connector.url }), type: 'invoke', name: 'healthCheck', text: undefined });
      expect(res.status).to.equal(200);
      expect(JSON.parse(res.text)).to.have.nested.property('healthResults.success', true);
    });

    it('when a well-formed message follows the malformed ones, then it is still answered', async () => {
      const res = await h.post(teamsMessage('whoami', { serviceUrl: h.connector.url }));
      expect(res.status).to.equal(200);
    });

    it('when any field of a message is replaced by arbitrary JSON, then the answer is never a 5xx', async () => {
      const fields = ['type', 'id', 'name', 'channelId', 'from', 'recipient', 'conversation', 'text', 'entities', 'attachments', 'channelData', 'value', 'replyToId', 'membersAdded', 'action', 'timestamp', 'locale'];
      const nested = ['from.id', 'from.aadObjectId', 'conversation.id', 'conversation.tenantId', 'conversation.conversationType', 'channelData.tenant', 'channelData.tenant.id', 'recipient.id'];
      const types = ['message', 'invoke', 'conversationUpdate', 'installationUpdate', 'messageReaction', 'event'];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...types), fc.constantFrom(...fields, ...nested), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }), async (type, path, value) => {
          const body = JSON.parse(JSON.stringify({ ...teamsMessage('help', { serviceUrl: h.connector.url }), type, name: type === 'invoke' ? 'adaptiveCard/action' : undefined })) as Record<string, unknown>;
          const [head, tail] = path.split('.') as [string, string | undefined];
          if (tail === undefined) body[head] = value;
          else if (body[head] && typeof body[head] === 'object') (body[head] as Record<string, unknown>)[tail] = value;
          const res = await post(h.port, body);
          expect(res.status, `${type} ${path}=${JSON.stringify(value)}: ${res.text}`).to.be.below(500);
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('card actions with arbitrary data', () => {
    let h: HttpApp;
    before(async () => (h = await startHttpApp()));
    after(() => h.stop());

    it('when any registered verb is clicked with arbitrary data, by a publisher, staff or a stranger, then the answer is never a 5xx', async () => {
      const verbs = Object.keys(routeTables(h.app.deps).verbs);
      const people = ['00000000-0000-0000-0000-0000000000020', '00000000-0000-0000-0000-0000000000024', '00000000-0000-0000-0000-0000000000025', '99999999-9999-9999-9999-999999999999'];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...verbs), fc.constantFrom(...people), fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), async (verb, aad, data) => {
          const base = teamsMessage('', { serviceUrl: h.connector.url, aadObjectId: aad });
          const res = await h.post({ ...base, type: 'invoke', name: 'adaptiveCard/action', text: undefined, replyToId: 'card-1', value: { action: { type: 'Action.Execute', verb, data } } });
          expect(res.status, `${verb} ${JSON.stringify(data)}: ${await res.clone().text()}`).to.be.below(500);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('when the channel refuses every reply', () => {
    let h: HttpApp;
    before(async () => (h = await startHttpApp({}, new FakeConnector(() => ({ status: 403 })))));
    after(() => h.stop());

    it('when a well-formed message cannot be answered, then the request is still acknowledged (200), not a 500 the channel would retry', async () => {
      const res = await h.post(teamsMessage('whoami', { serviceUrl: h.connector.url }));
      expect(res.status).to.equal(200);
      expect(h.connector.calls.length).to.be.greaterThan(0);
    });
  });

  describe('with authentication on, before any token is looked at', () => {
    let dir: string;
    let app: App;
    let port: number;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'rewards-edge-'));
      app = createApp(loadConfig({ NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', DATA_DIR: dir, MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'secret' }), { log: createLogger('silent') });
      port = await app.start();
    });
    after(async () => {
      await app.stop();
      await rm(dir, { recursive: true, force: true });
    });

    for (const [name, body] of malformed('http://127.0.0.1:9/')) {
      it(`when the body is ${name}, then the answer is 400, not 500`, async () => {
        const res = await post(port, body, { authorization: 'Bearer not-a-jwt' });
        expect(res.status, res.text).to.equal(400);
      });
    }
  });
});

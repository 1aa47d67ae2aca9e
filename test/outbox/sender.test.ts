/**
 * The outbox's sender on the outbox's adapter: one outbox attempt is exactly one request (botbuilder
 * does not retry behind the rate limiter), the status and Retry-After come back to the outbox, and a
 * connector that never answers times out instead of holding the send lane.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { BotFrameworkSender } from '../../src/adapters/bot/proactive-sender.js';
import { createAdapter, type AdapterOptions } from '../../src/adapters/http/server.js';
import { loadConfig } from '../../src/config.js';

describe('outbox sender (BotFrameworkSender on the outbox adapter)', function () {
  this.timeout(20_000);
  let server: Server;
  let url: string;
  let answer: (res: ServerResponse) => void;
  let requests = 0;
  const hung: ServerResponse[] = [];

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests++;
        answer(res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    for (const res of hung) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => (requests = 0));

  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: '/nonexistent', LOG_LEVEL: 'silent', PLAYGROUND: 'off', DEMO_DATA: 'off' });
  const send = (options: AdapterOptions) =>
    new BotFrameworkSender(createAdapter(config, {}, undefined, options), config.bot.appId).send(
      { bot: { id: '28:bot' }, user: { id: '29:u' }, conversation: { id: 'conv-1', tenantId: 't' }, channelId: 'msteams', serviceUrl: url },
      { type: 'message', text: 'hello' },
    );
  const throttle = (res: ServerResponse) => {
    res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end('{"error":{"code":"Throttled","message":"slow down"}}');
  };

  it('when the connector answers 429 with Retry-After, then one request is made and the status and header reach the outbox', async () => {
    answer = throttle;
    expect(await send({ clientRetries: false })).to.deep.equal({ status: 429, retryAfter: '1' });
    expect(requests).to.equal(1);
  });

  it('when the connector answers 502, then one request is made (botbuilder would have retried it)', async () => {
    answer = (res) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end('{}');
    };
    expect(await send({ clientRetries: false })).to.include({ status: 502 });
    expect(requests).to.equal(1);
  });

  it('when the same 429 goes through the default adapter, then botbuilder retries it itself (why the outbox turns that off)', async () => {
    let n = 0;
    answer = (res) => {
      if (++n === 1) return throttle(res);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id":"a1"}');
    };
    expect(await send({})).to.deep.equal({ ok: true, activityId: 'a1' });
    expect(requests).to.equal(2);
  });

  it('when the connector never answers, then the send times out as a network error (to be retried) instead of hanging', async () => {
    answer = (res) => void hung.push(res);
    const outcome = await send({ clientRetries: false, requestTimeoutMs: 300 });
    expect(outcome).to.have.property('networkError').that.is.a('string');
    expect(requests).to.equal(1);
  });
});

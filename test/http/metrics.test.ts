/**
 * Operations endpoints: Prometheus metrics on a port of their own (never on the bot's public one),
 * counting turns by kind and outcome, outbox outcomes and send latency, store calls; `/readyz` says
 * whether the instance can serve and whether it leads the fleet's duties.
 */
import { expect } from 'chai';
import { ALEX, teamsMessage } from '../fixtures/activities.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { userConversationKey } from '../../src/services/conversations.js';
import { DEMO_USERS, PLAYGROUND_TENANT } from '../../src/services/demo-data.js';

describe('metrics and readiness', function () {
  this.timeout(30_000);
  let h: HttpApp | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  /** The value of one sample line of the exposition, or undefined. */
  const sample = (text: string, line: string): number | undefined => {
    const hit = text.split('\n').find((l) => l.startsWith(`${line} `));
    return hit === undefined ? undefined : Number(hit.slice(line.length + 1));
  };

  it('when METRICS_PORT is set, then /metrics on that port counts turns, outbox sends and store calls, and the bot port does not serve it', async () => {
    h = await startHttpApp({ METRICS_PORT: '0' });
    const metricsPort = h.app.metricsPort();
    expect(metricsPort).to.be.a('number').and.not.equal(h.port);
    expect((await h.post(teamsMessage('help', { serviceUrl: h.connector.url }))).status).to.equal(200);
    expect((await h.post({})).status).to.equal(400);
    await h.app.deps.store.enqueueOutbox([
      { idempotencyKey: 'metrics:1', conversationKey: userConversationKey(PLAYGROUND_TENANT, ALEX), payload: { activity: { type: 'message', text: 'hello' } }, dueAt: new Date().toISOString() },
    ]);
    // The store shows the item sent a moment before the worker counts it: read until the count shows.
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.contain('text/plain');
      return res.text();
    };
    const deadline = Date.now() + 10_000;
    let text = await scrape();
    while (sample(text, 'rewards_outbox_items_total{outcome="sent"}') === undefined) {
      if (Date.now() > deadline) throw new Error(`the outbox send was not counted; item: ${JSON.stringify(await h.app.deps.store.findOutbox('metrics:1'))}`);
      await new Promise((r) => setTimeout(r, 50));
      text = await scrape();
    }
    expect(sample(text, 'rewards_turns_total{kind="message",outcome="ok"}')).to.equal(1);
    expect(sample(text, 'rewards_turns_total{kind="malformed",outcome="refused"}')).to.equal(1);
    expect(sample(text, 'rewards_outbox_items_total{outcome="sent"}')).to.equal(1);
    expect(sample(text, 'rewards_outbox_send_seconds_count')).to.equal(1);
    expect(sample(text, 'rewards_outbox_queued')).to.equal(0);
    expect(sample(text, 'rewards_store_call_seconds_count{method="resolveIdentity",ok="true"}')).to.be.at.least(1);
    expect((await fetch(`http://127.0.0.1:${h.port}/metrics`)).status).to.equal(404);
  });

  it('when a refused card action is clicked, then the error is counted by its reason', async () => {
    h = await startHttpApp({ METRICS_PORT: '0' });
    // An agent's action by a publisher is refused (an AppError), not a failure.
    const megan = teamsMessage('', { serviceUrl: h.connector.url, aadObjectId: DEMO_USERS.find((u) => u.name === 'Megan Bowen')!.aadObjectId, name: 'Megan Bowen' });
    const answer = await h.click(megan, 'ticket.assign_me', { ticketId: 'RW-1001' }, 'card-1');
    expect(JSON.stringify(answer.card)).to.contain('support');
    const text = await (await fetch(`http://127.0.0.1:${h.app.metricsPort()}/metrics`)).text();
    expect(text).to.match(/^rewards_errors_total\{kind="forbidden"\} 1$/m);
    expect(text).to.not.match(/^rewards_errors_total\{kind="unexpected"\}/m);
  });

  it('when METRICS_PORT is unset, then no metrics server runs', async () => {
    h = await startHttpApp();
    expect(h.app.metricsPort()).to.equal(undefined);
  });

  it('when the app is started, then /readyz is 200 and says it leads; anonymous callers learn nothing else', async () => {
    h = await startHttpApp();
    const res = await fetch(`http://127.0.0.1:${h.port}/readyz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.deep.equal({ status: 'ready', leading: true });
  });
});

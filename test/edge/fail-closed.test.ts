import { expect } from 'chai';
import { networkInterfaces } from 'node:os';
import { loadConfig } from '../../src/config.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { CampaignContent, Audience } from '../../src/services/campaigns.js';

describe('the edge fails closed', () => {
  describe('where the bot listens', () => {
    it('when authentication is off and HOST is unset, then the bot listens on loopback only', () => {
      expect(loadConfig({}).host).to.equal('127.0.0.1');
    });

    it('when authentication is on and HOST is unset, then the bot listens on every interface', () => {
      expect(loadConfig({ MicrosoftAppId: 'id', MicrosoftAppPassword: 'pw' }).host).to.equal('0.0.0.0');
    });

    it('when HOST is set, then it wins even with authentication off', () => {
      expect(loadConfig({ HOST: '0.0.0.0' }).host).to.equal('0.0.0.0');
    });

    it('when the app starts with authentication off and no HOST, then another interface of this machine cannot reach it', async function () {
      const external = Object.values(networkInterfaces())
        .flat()
        .find((i) => i && i.family === 'IPv4' && !i.internal);
      if (!external) this.skip();
      const h = await startHttpApp({ HOST: '' });
      try {
        expect((await fetch(`http://127.0.0.1:${h.port}/healthz`)).status).to.equal(200);
        const outside = await fetch(`http://${external!.address}:${h.port}/healthz`).then(
          (r) => r.status,
          (err: Error) => (err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.message,
        );
        expect(outside).to.equal('ECONNREFUSED');
      } finally {
        await h.stop();
      }
    });
  });

  describe('what anonymous callers see and change', () => {
    let h: HttpApp;
    beforeEach(async () => (h = await startHttpApp()));
    afterEach(() => h.stop());

    const secretStored = async () => (await h.app.deps.store.kvRead(['settings/secret']))['settings/secret'] !== undefined;

    it('when /healthz is asked, then the answer is the status only, with no store kind or counts', async () => {
      const res = await fetch(`http://127.0.0.1:${h.port}/healthz`);
      expect(res.status).to.equal(200);
      expect(await res.json()).to.deep.equal({ status: 'ok' });
    });

    it('when a CSV export of an unknown campaign is asked for, then the answer is 404 and nothing is written', async () => {
      const res = await fetch(`http://127.0.0.1:${h.port}/api/campaigns/C-00000000/results.csv?exp=9999999999&sig=x`);
      expect(res.status).to.equal(404);
      expect(await secretStored()).to.equal(false);
    });

    it('when a CSV export of a real campaign carries a forged signature, then the answer is 403 and no signing secret is created', async () => {
      const c = await h.app.deps.campaigns.create(CampaignContent.parse({ title: 'T', text: 'x' }), Audience.parse({ kind: 'all' }), 'test');
      const res = await fetch(`http://127.0.0.1:${h.port}/api/campaigns/${c.id}/results.csv?exp=9999999999&sig=${'0'.repeat(64)}`);
      expect(res.status).to.equal(403);
      expect(await secretStored()).to.equal(false);
    });

    it('when a CSV export has query parameters given twice, then the answer is 403, not an error', async () => {
      const c = await h.app.deps.campaigns.create(CampaignContent.parse({ title: 'T', text: 'x' }), Audience.parse({ kind: 'all' }), 'test');
      await h.app.deps.campaigns.secret();
      const res = await fetch(`http://127.0.0.1:${h.port}/api/campaigns/${c.id}/results.csv?exp=1&exp=2&sig=a&sig=b`);
      expect(res.status).to.equal(403);
    });
  });
});

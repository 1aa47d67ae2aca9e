/**
 * The tabs' JSON API through the real HTTP server: SSO tokens from a test key pair (the app is
 * pointed at its JWKS and issuer with the TAB_SSO_* rows), the demo data, and the chat beside it.
 */
import { expect } from 'chai';
import { textOf } from '../fixtures/fake-connector.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';
import { teamsMessage } from '../fixtures/activities.js';
import { OTHER_TENANT, TENANT, TokenKit } from './token-kit.js';

const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const ALEX = id(20); // owner, Contoso
const MEGAN = id(21); // developer, Contoso: looks, does not act
const ADELE = id(22); // owner, Fabrikam
const NESTOR = id(24); // Rewards team
const STRANGER = '99999999-0000-0000-0000-000000000001';

describe('tab API: /api/tab/… signed in with Teams SSO', function () {
  this.timeout(60_000);
  const kit = new TokenKit();
  let h: HttpApp;
  const tokens = new Map<string, string>();

  before(async () => {
    await kit.start();
    h = await startHttpApp(kit.env());
    for (const who of [ALEX, MEGAN, ADELE, NESTOR, STRANGER]) tokens.set(who, await kit.sign({ oid: who }));
  });
  after(async () => {
    await h.stop();
    await kit.stop();
  });

  const call = async (path: string, opts: { as?: string; token?: string; body?: unknown; raw?: string } = {}) => {
    const token = opts.token ?? (opts.as ? tokens.get(opts.as) : undefined);
    const init: RequestInit = { method: opts.body !== undefined || opts.raw !== undefined ? 'POST' : 'GET', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' } };
    if (opts.body !== undefined) init.body = JSON.stringify(opts.body);
    if (opts.raw !== undefined) init.body = opts.raw;
    const res = await fetch(`http://127.0.0.1:${h.port}${path}`, init);
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { [k: string]: never } };
  };
  const docOf = async (publisherId: string) => (await h.app.deps.store.getPublisher(publisherId))!;
  const ready = async (publisherId: string, owner: string) => {
    const program = h.app.deps.program;
    const { caller } = await program.publisherCaller(await h.app.deps.store.resolveIdentity(TENANT, owner));
    await program.enroll(caller);
    const doc = await docOf(publisherId);
    const user = doc.publisher.users.find((u) => u.aadObjectId === owner)!;
    const r = await program.assignContact(caller, { aadObjectId: owner, email: user.email, phone: '+1 425 555 0100', language: 'en' });
    expect(r.ok, JSON.stringify(r)).to.equal(true);
  };

  describe('when the token is not a genuine one for this app, then 401 with no data and the security headers', () => {
    const kinds: Array<[string, () => Promise<string> | string]> = [
      ['no token', () => ''],
      ['a forged signature', () => kit.forged({ oid: ALEX })],
      ['a tampered payload (another user)', () => kit.tampered({ oid: MEGAN }, ALEX)],
      ['an expired token', () => kit.sign({ oid: ALEX, exp: -600 })],
      ['a wrong audience', () => kit.sign({ oid: ALEX, aud: 'api://elsewhere.example/123' })],
      ['a wrong issuer (another tenant’s)', () => kit.sign({ oid: ALEX, iss: kit.issuerOf(OTHER_TENANT) })],
      ['HS256', () => kit.hs256({ oid: ALEX })],
      ['alg none', () => kit.none({ oid: ALEX })],
      ['garbage', () => 'x.y.z'],
    ];
    for (const [what, make] of kinds) {
      it(`${what}: every route answers 401`, async () => {
        const token = await make();
        for (const [path, body] of [['/api/tab/me'], ['/api/tab/dashboard'], ['/api/tab/activate', { offerId: 'contoso-insights', benefitId: 'x' }], ['/api/tab/console/campaigns'], ['/api/tab/console/activations']] as const) {
          const r = await call(path, { token, ...(body ? { body } : {}) });
          expect(r.status, `${path}: ${r.text}`).to.equal(401);
          expect(r.json).to.deep.equal({ error: 'Unauthorized' });
          expect(r.headers.get('cache-control')).to.equal('no-store');
          expect(r.headers.get('x-content-type-options')).to.equal('nosniff');
          expect(r.headers.get('www-authenticate')).to.equal('Bearer');
        }
      });
    }
  });

  it('when a publisher user asks who they are, then company and role come from the store', async () => {
    const alex = await call('/api/tab/me', { as: ALEX });
    expect(alex.status).to.equal(200);
    expect(alex.json).to.deep.include({ kind: 'publisher' });
    expect(alex.json.publisher).to.deep.include({ company: { id: 'contoso', name: 'Contoso Cloud' }, role: 'owner', canAct: true });
    expect(alex.headers.get('cache-control')).to.equal('no-store');
    expect(alex.headers.get('x-content-type-options')).to.equal('nosniff');
    const megan = await call('/api/tab/me', { as: MEGAN });
    expect(megan.json.publisher).to.deep.include({ role: 'developer', canAct: false, actors: ['Alex Wilber'] });
    const nestor = await call('/api/tab/me', { as: NESTOR });
    expect(nestor.json).to.deep.equal({ kind: 'staff', staff: { name: 'Nestor Wilke', roles: ['rewards'] } });
  });

  it('when a genuine token also claims roles or a company, then those claims change nothing: the store decides', async () => {
    const token = await kit.sign({ oid: ALEX, extra: { roles: ['rewards', 'support'], publisherId: 'fabrikam', companyId: 'fabrikam', staff: true } });
    expect(((await call('/api/tab/me', { token })).json.publisher as { company: { id: string } }).company.id).to.equal('contoso');
    expect((await call('/api/tab/dashboard', { token })).text).not.to.match(/fabrikam/i);
    expect((await call('/api/tab/console/campaigns', { token })).status).to.equal(403);
  });

  it('when the identity provider cannot be reached, then 503 (not 500), and HS256 or alg none are still 401', async () => {
    const down = await startHttpApp({ ...kit.env(), TAB_SSO_JWKS_URL: 'http://127.0.0.1:9/keys', IDENTITY_FETCH_TIMEOUT_MS: '300' });
    try {
      const at = (token: string) => fetch(`http://127.0.0.1:${down.port}/api/tab/me`, { headers: { authorization: `Bearer ${token}` } });
      expect((await at(tokens.get(ALEX)!)).status).to.equal(503);
      expect((await at(await kit.hs256({ oid: ALEX }))).status).to.equal(401);
      expect((await at(kit.none({ oid: ALEX }))).status).to.equal(401);
    } finally {
      await down.stop();
    }
  });

  it('when a genuine token names someone the store does not know, then 403 and no data', async () => {
    const r = await call('/api/tab/me', { as: STRANGER });
    expect(r.status).to.equal(403);
    expect(Object.keys(r.json)).to.deep.equal(['error']);
    expect((await call('/api/tab/dashboard', { as: STRANGER })).status).to.equal(403);
  });

  it('when a publisher opens the dashboard, then it shows their own company only, with the figures the chat uses', async () => {
    const r = await call('/api/tab/dashboard', { as: ADELE });
    expect(r.status).to.equal(200);
    const d = r.json as unknown as { company: { id: string }; sales: { countedUsd: number; monthly: Array<{ countedUsd: number }>; excluded: Array<{ status: string; reason: string; amountUsd: number }> }; offers: Array<{ offerId: string }>; seats: number | null; tier: { name: string } };
    expect(d.company.id).to.equal('fabrikam');
    expect(d.offers.map((o) => o.offerId).sort()).to.deep.equal(['fabrikam-byol', 'fabrikam-planner']);
    expect(r.text).not.to.match(/contoso|northwind|Alex Wilber/i);
    // The monthly series adds up to the counted total the tier is computed from.
    expect(d.sales.monthly.reduce((s, m) => s + m.countedUsd, 0)).to.equal(d.sales.countedUsd);
    expect(d.sales.excluded.map((x) => x.status)).to.deep.equal(['fraud', 'cancelled_accidental', 'cancelled_before_use']);
    expect(d.sales.excluded[0]!.reason).to.contain('fraud');
    const e = await h.app.deps.program.evaluate('fabrikam');
    expect(d.sales.countedUsd).to.equal(e.countedBilledSalesUsd);
    expect(d.tier.name).to.equal(e.tierName);
    expect((await call('/api/tab/dashboard', { as: ALEX })).text).not.to.match(/fabrikam/i);
  });

  it('when staff open the publisher dashboard, or a publisher the console, then 403', async () => {
    expect((await call('/api/tab/dashboard', { as: NESTOR })).status).to.equal(403);
    expect((await call('/api/tab/console/campaigns', { as: ALEX })).status).to.equal(403);
    expect((await call('/api/tab/console/activations', { as: MEGAN })).status).to.equal(403);
  });

  it('when a body or query is malformed, then 400 with a short message and nothing changes', async () => {
    const before = JSON.stringify(await docOf('contoso'));
    const bodies: unknown[] = [{}, { offerId: 'contoso-insights' }, { offerId: 1, benefitId: 2 }, { offerId: 'contoso-insights', benefitId: 'x', publisherId: 'fabrikam' }, { offerId: 'x'.repeat(65), benefitId: 'y' }, [], 'text', null];
    for (const body of bodies) {
      const r = await call('/api/tab/activate', { as: ALEX, body });
      expect(r.status, JSON.stringify(body)).to.equal(400);
      expect(String(r.json.error)).to.match(/^Bad request/).and.have.length.below(201);
    }
    expect((await call('/api/tab/activate', { as: ALEX, raw: '{not json' })).status).to.equal(400);
    expect((await call('/api/tab/dashboard?publisherId=fabrikam', { as: ALEX })).status).to.equal(400);
    expect((await call('/api/tab/console/activations?filter=everything', { as: NESTOR })).status).to.equal(400);
    expect((await call('/api/tab/console/campaigns?status=bogus', { as: NESTOR })).status).to.equal(400);
    expect(JSON.stringify(await docOf('contoso'))).to.equal(before);
  });

  it('when a publisher activates with another company’s offer id, then it is refused, tells nothing about it, and nothing changes', async () => {
    await ready('fabrikam', ADELE);
    const before = { contoso: JSON.stringify(await docOf('contoso')), fabrikam: JSON.stringify(await docOf('fabrikam')) };
    const benefitId = h.app.deps.program.edition.benefits[0]!.id;
    const r = await call('/api/tab/activate', { as: ALEX, body: { offerId: 'fabrikam-planner', benefitId } });
    expect(r.status).to.equal(403);
    expect(r.text).not.to.match(/fabrikam/i);
    expect(JSON.stringify(await docOf('contoso'))).to.equal(before.contoso);
    expect(JSON.stringify(await docOf('fabrikam'))).to.equal(before.fabrikam);
  });

  it('when a look-only user activates, then 403 names who can, and nothing changes', async () => {
    await ready('contoso', ALEX);
    const dash = (await call('/api/tab/dashboard', { as: MEGAN })).json as unknown as { you: { canAct: boolean; lookOnly: string }; offers: Array<{ offerId: string; benefits: Array<{ id: string; state: string; use: string; canActivate: boolean }> }> };
    expect(dash.you.canAct).to.equal(false);
    expect(dash.you.lookOnly).to.contain('Alex Wilber');
    const offer = dash.offers.find((o) => o.offerId === 'contoso-insights')!;
    const benefit = offer.benefits.find((b) => b.state === 'available' && b.use === 'activate')!;
    expect(benefit, 'an available benefit').to.not.equal(undefined);
    expect(offer.benefits.every((b) => !b.canActivate)).to.equal(true);
    const before = JSON.stringify(await docOf('contoso'));
    const r = await call('/api/tab/activate', { as: MEGAN, body: { offerId: 'contoso-insights', benefitId: benefit.id } });
    expect(r.status).to.equal(403);
    expect(r.json).to.deep.include({ code: 'forbidden', actors: ['Alex Wilber'] });
    expect(String(r.json.error)).to.contain('Only an owner or a manager').and.contain('Alex Wilber');
    expect(JSON.stringify(await docOf('contoso'))).to.equal(before);
  });

  it('when an owner activates in the tab, then the chat status shows it, and the Rewards console lists it as due', async () => {
    const dash = (await call('/api/tab/dashboard', { as: ALEX })).json as unknown as { offers: Array<{ offerId: string; benefits: Array<{ id: string; name: string; canActivate: boolean }> }> };
    const benefit = dash.offers.find((o) => o.offerId === 'contoso-insights')!.benefits.find((b) => b.canActivate)!;
    const r = await call('/api/tab/activate', { as: ALEX, body: { offerId: 'contoso-insights', benefitId: benefit.id } });
    expect(r.status, r.text).to.equal(201);
    const activation = r.json.activation as unknown as { id: string; benefitName: string; ageDays: number; promiseDays: number; overdue: boolean; state: string };
    expect(activation).to.deep.include({ benefitName: benefit.name, ageDays: 0, promiseDays: 7, overdue: false, state: 'activated' });
    // The same service as chat: a second activation is a no-op that says so.
    const again = await call('/api/tab/activate', { as: ALEX, body: { offerId: 'contoso-insights', benefitId: benefit.id } });
    expect(again.status).to.equal(200);
    expect(again.json.alreadyActive).to.equal(true);
    expect((await docOf('contoso')).state.activations).to.have.length(1);

    const res = await h.post(teamsMessage('status', { serviceUrl: h.connector.url, aadObjectId: ALEX }));
    expect(res.status).to.equal(200);
    const status = h.connector.messagesIn(`a:personal-${ALEX}`).at(-1)!;
    expect(textOf(status.activity)).to.contain(`${benefit.name} (Contoso Insights)`);

    const due = await call('/api/tab/console/activations', { as: NESTOR });
    expect(due.status).to.equal(200);
    const listed = (due.json.activations as unknown as Array<Record<string, unknown>>).find((a) => a.id === activation.id);
    expect(listed).to.deep.include({ publisherId: 'contoso', publisherName: 'Contoso Cloud', benefitName: benefit.name, ageDays: 0, overdue: false });
    expect(((await call('/api/tab/console/activations?filter=overdue', { as: NESTOR })).json.activations as unknown as unknown[]).length).to.equal(0);
    const tabView = (await call('/api/tab/dashboard', { as: ALEX })).json.activations as unknown as Array<{ id: string }>;
    expect(tabView.map((a) => a.id)).to.deep.equal([activation.id]);
  });

  it('when the Rewards team lists campaigns, then each comes with its delivery counts', async () => {
    const c = await h.app.deps.campaigns.create({ title: 'Webinar', text: 'Join us', linkTitle: '', linkUrl: '' }, { kind: 'all', people: 'account_users' }, NESTOR);
    const r = await call('/api/tab/console/campaigns', { as: NESTOR });
    expect(r.status).to.equal(200);
    const list = r.json.campaigns as unknown as Array<{ id: string; title: string; status: string; stats: { total: number } }>;
    expect(list.find((x) => x.id === c.id)).to.deep.include({ title: 'Webinar', status: 'draft', stats: { queued: 0, sending: 0, sent: 0, retrying: 0, failed: 0, unreachable: 0, cancelled: 0, acknowledged: 0, total: 0 } });
    expect(((await call('/api/tab/console/campaigns?status=done', { as: NESTOR })).json.campaigns as unknown as unknown[]).length).to.equal(0);
  });
});

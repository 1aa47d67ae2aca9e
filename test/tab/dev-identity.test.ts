/**
 * The local development identity provider: on the bot's own server in development without Azure,
 * its tokens pass the same validation as Microsoft's; it is never there in production.
 */
import { expect } from 'chai';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { loadConfig } from '../../src/config.js';
import { startHttpApp, type HttpApp } from '../fixtures/http-app.js';

const ALEX = '00000000-0000-0000-0000-0000000000020';
const TENANT = '00000000-0000-0000-0000-0000000000001';

describe('tab SSO: the local development identity provider', function () {
  this.timeout(60_000);
  let h: HttpApp;
  before(async () => {
    h = await startHttpApp();
  });
  after(() => h.stop());
  const url = (path: string) => `http://127.0.0.1:${h.port}${path}`;
  const token = async (body: unknown) => fetch(url('/dev/token'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('when a demo user asks for a token, then it is RS256 for the app’s audience and signs them in to the tab API', async () => {
    const res = await token({ aadObjectId: ALEX });
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const { token: jwt } = (await res.json()) as { token: string };
    expect(decodeProtectedHeader(jwt).alg).to.equal('RS256');
    const claims = decodeJwt(jwt);
    expect(claims).to.deep.include({ tid: TENANT, oid: ALEX, aud: `api://localhost:0/rewards-local` });
    expect(claims.iss).to.equal(`http://127.0.0.1:${h.port}/dev/${TENANT}/v2.0`);
    const me = await fetch(url('/api/tab/me'), { headers: { authorization: `Bearer ${jwt}` } });
    expect(me.status).to.equal(200);
    expect(((await me.json()) as { publisher: { company: { id: string } } }).publisher.company.id).to.equal('contoso');
  });

  it('when its JWKS is read, then it holds the public key only', async () => {
    const res = await fetch(url('/dev/jwks.json'));
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).to.have.length(1);
    expect(keys[0]).to.include({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(keys[0]).not.to.have.property(secret);
  });

  it('when the token request is malformed, then 400', async () => {
    for (const body of [{}, { aadObjectId: 'alex' }, { aadObjectId: ALEX, admin: true }, [ALEX]]) expect((await token(body)).status, JSON.stringify(body)).to.equal(400);
  });

  it('when a genuine token names a tenant where the store does not know the user, then 403, not a sign-in', async () => {
    const { token: jwt } = (await (await token({ aadObjectId: ALEX, tenantId: '22222222-2222-2222-2222-222222222222' })).json()) as { token: string };
    // The store knows Alex only in the demo tenant: the same object id elsewhere is nobody.
    expect((await fetch(url('/api/tab/me'), { headers: { authorization: `Bearer ${jwt}` } })).status).to.equal(403);
  });

  it('when configured for production or with authentication on, then there is no development identity provider', () => {
    const prod = loadConfig({ NODE_ENV: 'production', MicrosoftAppId: '11111111-aaaa-bbbb-cccc-000000000001', MicrosoftAppPassword: 'secret', PUBLIC_URL: 'https://rewards.example.com' });
    expect(prod.sso).to.deep.equal({
      devIdentity: false,
      audience: 'api://rewards.example.com/11111111-aaaa-bbbb-cccc-000000000001',
      jwksUrl: 'https://login.microsoftonline.com/common/discovery/v2.0/keys',
      issuers: ['https://login.microsoftonline.com/{tid}/v2.0', 'https://sts.windows.net/{tid}/'],
    });
    expect(() => loadConfig({ NODE_ENV: 'production', MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', TAB_DEV_IDENTITY: 'on' })).to.throw(/TAB_DEV_IDENTITY/);
    expect(() => loadConfig({ NODE_ENV: 'development', MicrosoftAppId: 'a', MicrosoftAppPassword: 'b', TAB_DEV_IDENTITY: 'on' })).to.throw(/TAB_DEV_IDENTITY/);
    expect(loadConfig({ NODE_ENV: 'development', MicrosoftAppId: 'a', MicrosoftAppPassword: 'b' }).sso.devIdentity).to.equal(false);
    expect(() => loadConfig({ TAB_SSO_ISSUERS: 'https://login.microsoftonline.com/common/v2.0' })).to.throw(/TAB_SSO_ISSUERS/);
  });

  it('when the development identity provider is off, then /dev/token does not exist', async () => {
    const off = await startHttpApp({ TAB_DEV_IDENTITY: 'off' });
    try {
      expect((await fetch(`http://127.0.0.1:${off.port}/dev/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId: ALEX }) })).status).to.equal(404);
      expect((await fetch(`http://127.0.0.1:${off.port}/dev/jwks.json`)).status).to.equal(404);
    } finally {
      await off.stop();
    }
  });
});

/** SSO token validation: every kind of bad token is a 401, an unreachable JWKS a 503, a good one names the caller. */
import { expect } from 'chai';
import { SsoRefused, SsoValidator } from '../../src/adapters/http/sso.js';
import { AUDIENCE, OTHER_TENANT, TENANT, TokenKit } from './token-kit.js';

const ALEX = '00000000-0000-0000-0000-0000000000020';

async function refusal(p: Promise<unknown>): Promise<SsoRefused> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SsoRefused) return err;
    throw err;
  }
  throw new Error('expected a refusal, the token was accepted');
}

describe('tab SSO: token validation', () => {
  const kit = new TokenKit();
  let sso: SsoValidator;
  before(async () => {
    await kit.start();
    sso = new SsoValidator({ audience: AUDIENCE, jwksUrl: () => kit.jwksUrl, issuers: () => [kit.issuers, 'https://sts.windows.net/{tid}/'], timeoutMs: 500 });
  });
  after(() => kit.stop());

  it('when the token is genuine, then it gives the tenant and object id from it', async () => {
    expect(await sso.validate(`Bearer ${await kit.sign({ oid: ALEX })}`)).to.deep.equal({ tenantId: TENANT, aadObjectId: ALEX });
  });

  it('when the token uses the v1 issuer form of its own tenant, then it is accepted', async () => {
    expect(await sso.validate(`Bearer ${await kit.sign({ oid: ALEX, iss: `https://sts.windows.net/${TENANT}/` })}`)).to.deep.equal({ tenantId: TENANT, aadObjectId: ALEX });
  });

  it('when it expired less than a minute ago, then the clock tolerance still accepts it', async () => {
    expect((await sso.validate(`Bearer ${await kit.sign({ oid: ALEX, exp: -20 })}`)).aadObjectId).to.equal(ALEX);
  });

  const bad: Array<[string, () => Promise<string> | string]> = [
    ['no header', () => ''],
    ['not a bearer token', async () => `Basic ${Buffer.from('a:b').toString('base64')}`],
    ['garbage', () => 'Bearer not.a.jwt'],
    ['two segments', () => 'Bearer eyJhbGciOiJSUzI1NiJ9.e30'],
    ['a signature from another key', async () => `Bearer ${await kit.forged({ oid: ALEX })}`],
    ['a tampered payload', async () => `Bearer ${await kit.tampered({ oid: ALEX }, '00000000-0000-0000-0000-0000000000022')}`],
    ['HS256 keyed with the public key', async () => `Bearer ${await kit.hs256({ oid: ALEX })}`],
    ['alg none', () => `Bearer ${kit.none({ oid: ALEX })}`],
    ['expired ten minutes ago', async () => `Bearer ${await kit.sign({ oid: ALEX, exp: -600 })}`],
    ['not valid yet', async () => `Bearer ${await kit.sign({ oid: ALEX, nbf: 600 })}`],
    ['another audience', async () => `Bearer ${await kit.sign({ oid: ALEX, aud: 'api://rewards.test/someone-else' })}`],
    ['the bot’s app id as audience', async () => `Bearer ${await kit.sign({ oid: ALEX, aud: '11111111-aaaa-bbbb-cccc-000000000001' })}`],
    ['an issuer of another tenant', async () => `Bearer ${await kit.sign({ oid: ALEX, iss: kit.issuerOf(OTHER_TENANT) })}`],
    ['an unknown issuer', async () => `Bearer ${await kit.sign({ oid: ALEX, iss: 'https://evil.example/00000000-0000-0000-0000-0000000000001/v2.0' })}`],
    ['no tid', async () => `Bearer ${await kit.sign({ oid: ALEX, tid: undefined, iss: kit.issuerOf(TENANT) })}`],
    ['no oid', async () => `Bearer ${await kit.sign({})}`],
    ['an oid that is not an id', async () => `Bearer ${await kit.sign({ oid: '../../etc' })}`],
    ['a token of 20 kB', () => `Bearer ${'a'.repeat(20_000)}.b.c`],
  ];
  for (const [what, header] of bad) {
    it(`when the token has ${what}, then it is refused with 401`, async () => {
      expect((await refusal(sso.validate(await header()))).status).to.equal(401);
    });
  }

  it('when the JWKS cannot be reached, then a genuine-looking token gets 503, and HS256 and alg none still 401', async () => {
    const down = new SsoValidator({ audience: AUDIENCE, jwksUrl: () => 'http://127.0.0.1:9/keys', issuers: () => [kit.issuers], timeoutMs: 300 });
    expect((await refusal(down.validate(`Bearer ${await kit.sign({ oid: ALEX })}`))).status).to.equal(503);
    expect((await refusal(down.validate(`Bearer ${await kit.hs256({ oid: ALEX })}`))).status).to.equal(401);
    expect((await refusal(down.validate(`Bearer ${kit.none({ oid: ALEX })}`))).status).to.equal(401);
  });
});

/**
 * A test identity provider for the tabs: a JWKS over http on loopback and tokens signed with its
 * key, or forged every way an attacker would (other key, tampered payload, HS256, `alg: none`…).
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const TENANT = '00000000-0000-0000-0000-0000000000001';
export const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';
export const AUDIENCE = 'api://rewards.test/11111111-aaaa-bbbb-cccc-000000000001';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export interface Claims {
  tid?: string | undefined;
  oid?: string | undefined;
  aud?: string | undefined;
  iss?: string | undefined;
  /** Seconds from now. */
  exp?: number | undefined;
  nbf?: number | undefined;
  /** Any other claims (roles, a company id…) a token might carry. */
  extra?: Record<string, unknown>;
}

export class TokenKit {
  url = '';
  readonly kid = 'test-key-1';
  requests = 0;
  private server: Server | undefined;
  private key!: { privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK };
  private other!: CryptoKey;

  get jwksUrl(): string {
    return `${this.url}/keys`;
  }

  /** The issuer template, as TAB_SSO_ISSUERS takes it. */
  get issuers(): string {
    return `${this.url}/{tid}/v2.0`;
  }

  issuerOf(tid: string): string {
    return this.issuers.replace('{tid}', tid);
  }

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    this.key = { privateKey, publicKey, jwk: await exportJWK(publicKey) };
    this.other = (await generateKeyPair('RS256')).privateKey;
    this.server = createServer((req, res) => {
      this.requests++;
      res.writeHead(req.url === '/keys' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(req.url === '/keys' ? JSON.stringify({ keys: [{ ...this.key.jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] }) : '{}');
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The environment that points the app's SSO validation at this provider. */
  env(): Record<string, string> {
    return { TAB_SSO_JWKS_URL: this.jwksUrl, TAB_SSO_ISSUERS: this.issuers, TAB_SSO_AUDIENCE: AUDIENCE };
  }

  private claims(who: Claims): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    const tid = 'tid' in who ? who.tid : TENANT;
    const out: Record<string, unknown> = {
      ...who.extra,
      aud: 'aud' in who ? who.aud : AUDIENCE,
      iss: 'iss' in who ? who.iss : this.issuerOf(tid ?? TENANT),
      tid,
      oid: who.oid,
      iat: now,
      nbf: now + (who.nbf ?? -10),
      exp: now + (who.exp ?? 600),
    };
    for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
    return out;
  }

  /** A valid RS256 token (unless the claims say otherwise). */
  sign(who: Claims, key: CryptoKey = this.key.privateKey): Promise<string> {
    return new SignJWT(this.claims(who)).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid }).sign(key);
  }

  /** Signed with a key the JWKS does not hold, under the JWKS key's kid. */
  forged(who: Claims): Promise<string> {
    return this.sign(who, this.other);
  }

  /** A genuine token whose payload was then changed (another user's oid). */
  async tampered(who: Claims, oid: string): Promise<string> {
    const [h, , s] = (await this.sign(who)).split('.');
    return `${h}.${b64({ ...this.claims(who), oid })}.${s}`;
  }

  /** HS256 with the provider's public key as the HMAC secret (the algorithm-confusion attack). */
  async hs256(who: Claims): Promise<string> {
    const secret = await exportSPKI(this.key.publicKey);
    const head = `${b64({ alg: 'HS256', typ: 'JWT', kid: this.kid })}.${b64(this.claims(who))}`;
    return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
  }

  /** `alg: none`, no signature. */
  none(who: Claims): string {
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(this.claims(who))}.`;
  }
}

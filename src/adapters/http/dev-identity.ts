/**
 * The local development identity provider: stands in for Microsoft's identity platform so the tabs
 * can sign in without Azure. It publishes its public key at `GET /dev/jwks.json` on the bot's own
 * server and issues SSO-shaped tokens at `POST /dev/token` for any user id it is given (the demo
 * users, in practice). The tab API validates them with the same code as Microsoft's tokens.
 *
 * Registered only in development with authentication off (config refuses it otherwise); that bot
 * listens on loopback by default, where anyone who can reach the port can also act as anyone in chat.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import type restify from 'restify';
import { z } from 'zod';
import { PLAYGROUND_TENANT } from '../../services/demo-data.js';

const Id = z.string().regex(/^[0-9a-fA-F-]{8,64}$/, 'expected a GUID');

/** `POST /dev/token`: whose token (tenant: the Playground's unless given). */
export const DevTokenRequest = z.object({ aadObjectId: Id, tenantId: Id.default(PLAYGROUND_TENANT) }).strict();

export class DevIdentityProvider {
  readonly kid = `dev-${randomUUID().slice(0, 8)}`;
  private keys: Promise<{ privateKey: CryptoKey; jwk: JWK }> | undefined;
  /** `http://127.0.0.1:<port>`, set once the server listens. */
  origin = '';

  /** Issuer template of its tokens (`{tid}`: the token's tenant), shaped like Microsoft's v2.0 issuer. */
  get issuerTemplate(): string {
    return `${this.origin}/dev/{tid}/v2.0`;
  }

  get jwksUrl(): string {
    return `${this.origin}/dev/jwks.json`;
  }

  private keyPair() {
    // A new key per process: tokens from an earlier run stop working, as they should.
    this.keys ??= generateKeyPair('RS256', { extractable: true }).then(async ({ privateKey, publicKey }) => ({ privateKey, jwk: await exportJWK(publicKey) }));
    return this.keys;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    const { jwk } = await this.keyPair();
    return { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] };
  }

  /** An RS256 token like the one Teams hands a tab: `aud`, the tenant's issuer, `tid`, `oid`, one hour. */
  async issue(who: { tenantId: string; aadObjectId: string }, audience: string): Promise<string> {
    const { privateKey } = await this.keyPair();
    return new SignJWT({ tid: who.tenantId, oid: who.aadObjectId, ver: '2.0', scp: 'access_as_user' })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(this.issuerTemplate.replace('{tid}', who.tenantId))
      .setAudience(audience)
      .setSubject(who.aadObjectId)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('1h')
      .sign(privateKey);
  }

  /** `GET /dev/jwks.json` and `POST /dev/token` on the bot's server. */
  register(server: restify.Server, audience: string): void {
    server.get('/dev/jwks.json', async (_req, res) => {
      res.send(200, await this.jwks());
    });
    server.post('/dev/token', async (req, res) => {
      const body = DevTokenRequest.safeParse(req.body ?? {});
      if (!body.success) {
        res.send(400, { error: `Bad request: ${body.error.issues[0]?.path.join('.') || 'body'}: ${body.error.issues[0]?.message}` });
        return;
      }
      res.send(200, { token: await this.issue(body.data, audience), tokenType: 'Bearer', expiresIn: 3600 });
    });
  }
}

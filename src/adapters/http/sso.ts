/**
 * Teams SSO for the tabs: the token `authentication.getAuthToken()` returns, validated against
 * the identity provider's JWKS. The same code serves Microsoft's identity platform in production
 * and the local development identity provider (dev-identity.ts); only the URLs differ.
 *
 * Accepted: RS256 only (never HS256 or `alg: none`), a key from the JWKS, `aud` = the app's
 * `api://…/<app id>`, `iss` = an issuer of the token's own `tid`, not expired (a minute of clock
 * tolerance), `tid` and `oid` present. Anything else is an SsoRefused(401); a JWKS that cannot be
 * fetched in time is an SsoRefused(503). Nothing about the token is trusted before that.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

/** Who the token says the caller is; the store decides what that person may do. */
export interface SsoIdentity {
  tenantId: string;
  aadObjectId: string;
}

/** A request without a usable token (401), or with one that cannot be checked right now (503). */
export class SsoRefused extends Error {
  constructor(
    readonly status: 401 | 503,
    /** For the log, never for the caller (it may say which check failed). */
    readonly reason: string,
  ) {
    super(status === 401 ? 'Unauthorized' : 'Service unavailable');
    this.name = 'SsoRefused';
  }
}

export interface SsoOptions {
  /** The app's `api://<host>/<app id>`. */
  audience: string;
  /** Where the signing keys are; a function because the local provider's port is known only once the server listens. */
  jwksUrl: () => string;
  /** Issuer templates, `{tid}` standing for the token's tenant. */
  issuers: () => readonly string[];
  /** Gives up fetching the JWKS after this long. */
  timeoutMs: number;
  clockToleranceSeconds?: number;
}

/** Tenant and object ids: GUID-like (the Playground's demo ids are one digit longer than a GUID). */
const IdClaim = z.string().regex(/^[0-9a-fA-F-]{8,64}$/);
const Claims = z.object({ tid: IdClaim, oid: IdClaim, iss: z.string() });

/** Longer than any real Entra ID access token; refused before anything parses it. */
const MAX_TOKEN_LENGTH = 16 * 1024;

export class SsoValidator {
  private keys: { url: string; get: JWTVerifyGetKey } | undefined;

  constructor(private readonly options: SsoOptions) {}

  /** Validates an `Authorization: Bearer …` header. Throws SsoRefused. */
  async validate(authorization: string | undefined): Promise<SsoIdentity> {
    const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? '');
    if (!match) throw new SsoRefused(401, 'no bearer token');
    const token = match[1]!;
    if (token.length > MAX_TOKEN_LENGTH) throw new SsoRefused(401, 'token too long');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keySet(), {
        algorithms: ['RS256'],
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp', 'iss', 'aud', 'tid', 'oid'],
      }));
    } catch (err) {
      throw refusal(err);
    }
    const claims = Claims.safeParse(payload);
    if (!claims.success) throw new SsoRefused(401, 'tid or oid missing or malformed');
    const { tid, oid, iss } = claims.data;
    // The issuer must be the token's own tenant's: a token from another tenant's issuer is refused.
    const allowed = this.options.issuers().map((t) => t.replaceAll('{tid}', tid));
    if (!allowed.includes(iss)) throw new SsoRefused(401, 'issuer is not the token tenant’s');
    return { tenantId: tid.toLowerCase(), aadObjectId: oid.toLowerCase() };
  }

  private keySet(): JWTVerifyGetKey {
    const url = this.options.jwksUrl();
    if (this.keys?.url !== url) {
      this.keys = { url, get: createRemoteJWKSet(new URL(url), { timeoutDuration: this.options.timeoutMs, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 }) };
    }
    return this.keys.get;
  }
}

/** A token that fails a check is a 401; a JWKS that does not answer (or answers nonsense) is a 503. */
function refusal(err: unknown): SsoRefused {
  if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid) return new SsoRefused(503, `JWKS unavailable: ${err.code}`);
  if (err instanceof errors.JOSEError) return new SsoRefused(401, err.code);
  // fetch's own failures (connection refused, DNS): the provider is unreachable, not the token bad.
  if (err instanceof TypeError && /fetch/i.test(err.message)) return new SsoRefused(503, 'JWKS unreachable');
  // Anything else a malformed token can provoke (a decoder's RangeError…) is still the token's fault.
  return new SsoRefused(401, err instanceof Error ? err.name : 'invalid token');
}

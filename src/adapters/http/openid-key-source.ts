/**
 * The signing keys of the Bot Framework identity provider (OpenID metadata, then its JWKS), as
 * botbuilder's token validation reads them. botbuilder's own `OpenIdMetadata` fetches with no
 * timeout (a hanging identity provider holds every request), refetches on every request after a
 * failure, and lets concurrent requests fetch in parallel. This one times out, remembers a failure
 * for a short while, and shares one fetch between concurrent requests.
 */
import { createPublicKey } from 'node:crypto';
import { z } from 'zod';
import { AuthenticationError } from 'botframework-connector';
// Not exported from the package index; the cache it keeps is the one place to swap the key source.
import { JwtTokenExtractor } from 'botframework-connector/lib/auth/jwtTokenExtractor.js';

export interface KeySourceOptions {
  /** Each fetch (metadata, then keys) gives up after this long. */
  timeoutMs: number;
  /** After a failed refresh, requests are refused without fetching for this long. */
  failureTtlMs?: number;
  /** Keys older than this are refreshed (botbuilder: 24 hours). */
  refreshMs?: number;
  /** A token naming a key we do not have triggers a refresh at most this often. */
  unknownKeyRefreshMs?: number;
  /** Milliseconds since the epoch (tests move it). */
  now?: () => number;
  /** Told about every fetch that failed (already one line, no secrets). */
  onFailure?: (url: string, reason: string) => void;
}

/** What botbuilder's `JwtTokenExtractor` expects of a key: a PEM public key and its endorsements. */
export interface SigningKey {
  key: string;
  endorsements?: string[];
}

const Metadata = z.looseObject({ jwks_uri: z.url({ protocol: /^https?$/ }) });
const Jwks = z.looseObject({
  keys: z.array(z.looseObject({ kid: z.string().optional(), kty: z.string().optional(), n: z.string().optional(), e: z.string().optional(), endorsements: z.array(z.string()).optional() })),
});
type Jwk = z.infer<typeof Jwks>['keys'][number];

/** 503: the identity provider, not the caller, is at fault (the channel retries later). */
export const IDENTITY_UNAVAILABLE = 503;

export class OpenIdKeySource {
  private keys: Jwk[] | undefined;
  private fetchedAt = -Infinity;
  private failedAt = -Infinity;
  private failure = '';
  private inFlight: Promise<void> | undefined;
  /** Fetches made (metadata + keys count as one): for tests and logs. */
  refreshes = 0;

  constructor(
    readonly url: string,
    private readonly options: KeySourceOptions,
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async getKey(keyId: string | undefined): Promise<SigningKey | null> {
    const now = this.now();
    const stale = now - this.fetchedAt > (this.options.refreshMs ?? 24 * 3_600_000);
    let key = this.find(keyId);
    const mayLookAgain = !key && now - this.fetchedAt > (this.options.unknownKeyRefreshMs ?? 5 * 60_000);
    if (stale || mayLookAgain) {
      try {
        await this.refresh();
      } catch (err) {
        // Keys we still hold keep working while the identity provider is down.
        key = this.find(keyId);
        if (key) return key;
        throw err;
      }
      key = this.find(keyId);
    }
    return key;
  }

  /** One refresh at a time; a recent failure is answered without fetching again. */
  private refresh(): Promise<void> {
    if (this.now() - this.failedAt < (this.options.failureTtlMs ?? 30_000)) {
      return Promise.reject(new AuthenticationError(`Identity provider unavailable (recent failure: ${this.failure})`, IDENTITY_UNAVAILABLE));
    }
    this.inFlight ??= this.fetchKeys().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    this.refreshes++;
    try {
      const metadata = Metadata.parse(await this.getJson(this.url));
      this.keys = Jwks.parse(await this.getJson(metadata.jwks_uri)).keys;
      this.fetchedAt = this.now();
      this.failedAt = -Infinity;
    } catch (err) {
      this.failedAt = this.now();
      this.failure = err instanceof z.ZodError ? 'unexpected response' : err instanceof Error ? err.message : String(err);
      this.options.onFailure?.(this.url, this.failure);
      throw new AuthenticationError(`Identity provider unavailable: ${this.failure}`, IDENTITY_UNAVAILABLE);
    }
  }

  private async getJson(url: string): Promise<unknown> {
    const res = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs) }).catch((err: unknown) => {
      const name = (err as Error).name;
      throw new Error(name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : `cannot reach it (${(err as Error).message})`);
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return res.json().catch(() => {
      throw new Error('not JSON');
    });
  }

  private find(keyId: string | undefined): SigningKey | null {
    const jwk = this.keys?.find((k) => k.kid === keyId);
    // Non-RSA keys are not usable for RS256, as in botbuilder.
    if (!jwk?.n || !jwk.e) return null;
    try {
      const key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
      return { key, endorsements: jwk.endorsements };
    } catch {
      return null;
    }
  }
}

/**
 * botbuilder keeps one key source per metadata URL for the whole process, in a static map that each
 * token validation reads. This map hands out our key source instead of botbuilder's.
 */
class KeySourceCache extends Map<string, OpenIdKeySource> {
  constructor(public options: KeySourceOptions) {
    super();
  }

  override get(url: string): OpenIdKeySource {
    let source = super.get(url);
    if (!source) super.set(url, (source = new OpenIdKeySource(url, this.options)));
    return source;
  }
}

/**
 * Routes botbuilder's key fetches through `OpenIdKeySource`. Process-wide, like botbuilder's cache:
 * a second call changes the options of sources made after it.
 */
export function useOpenIdKeySources(options: KeySourceOptions): void {
  const holder = JwtTokenExtractor as unknown as { openIdMetadataCache: Map<string, unknown> };
  if (holder.openIdMetadataCache instanceof KeySourceCache) holder.openIdMetadataCache.options = options;
  else holder.openIdMetadataCache = new KeySourceCache(options);
}

/** The key source botbuilder uses for a metadata URL (tests count its fetches). */
export function keySourceFor(url: string): OpenIdKeySource | undefined {
  const cache = (JwtTokenExtractor as unknown as { openIdMetadataCache: Map<string, unknown> }).openIdMetadataCache;
  return cache instanceof KeySourceCache ? cache.get(url) : undefined;
}

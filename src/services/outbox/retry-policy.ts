/**
 * What to do after one send attempt: done, try again later, or give up. Pure: the caller passes the
 * attempt number, the time and the randomness, and records the decision with the attempt.
 *
 * Bear in mind that botbuilder's connector client already retries inside one attempt (up to 3 times:
 * 429 and 503 after their Retry-After, other 5xx and reset connections after ~1–2 s). So an outcome
 * seen here is what was left after those retries, and one outbox attempt may be up to 4 requests.
 */
import { z } from 'zod';

/** Backoff and give-up settings. */
export const RetryPolicySchema = z.object({
  /** Attempts in total, the first included; the attempt numbered `maxAttempts` is the last. */
  maxAttempts: z.number().int().min(1).default(6),
  /** The ceiling of the first backoff; it doubles with every attempt. */
  baseDelayMs: z.number().int().positive().default(1_000),
  /** Cap on the computed backoff (not on Retry-After, see `maxRetryAfterMs`). */
  maxDelayMs: z.number().int().positive().default(60_000),
  /**
   * `equal` (default) waits between half the ceiling and the ceiling: it spreads retries apart like
   * `full` does, but never retries almost at once, which after a 5xx or a reset would likely fail
   * again. `full` waits anywhere between 0 and the ceiling.
   */
  jitter: z.enum(['equal', 'full']).default('equal'),
  /**
   * Retry-After is honoured even above `maxDelayMs` (the server knows best when it will take the
   * message again, and retrying earlier just earns another 429), but only up to this: a server
   * asking for more is treated as a failure rather than holding the item for hours.
   */
  maxRetryAfterMs: z.number().nonnegative().finite().default(600_000),
});
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;

/** The defaults: 6 attempts, 1 s base, 60 s cap, equal jitter, Retry-After up to 10 minutes. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze(RetryPolicySchema.parse({}));

/** How one send attempt ended. `retryAfter` is the raw header value (seconds or an HTTP date). */
export type SendOutcome = { ok: true; activityId?: string } | { status: number; retryAfter?: string | null } | { networkError: string };

/**
 * What to do next. `status` is the HTTP status that led to the decision, when there was one, so the
 * item can be recorded as failed or unreachable "with its last status".
 */
export type RetryDecision =
  | { kind: 'sent' }
  | { kind: 'retry'; delayMs: number; reason: string; status?: number }
  | { kind: 'unreachable'; reason: string; status: number }
  | { kind: 'failed'; reason: string; status?: number };

/** The attempt being classified and the injected sources of time and randomness. */
export interface ClassifyContext {
  /** 1-based number of the attempt that produced the outcome. */
  attempt: number;
  /** Current time in ms since the epoch, to turn an HTTP-date Retry-After into a delay. */
  now: number;
  policy?: RetryPolicy;
  /** Uniform in [0, 1); injected so tests are deterministic. Defaults to Math.random. */
  random?: () => number;
}

/**
 * Transient by nature: throttling (429), a failed precondition Teams uses for concurrent-update
 * conflicts (412), a request timeout (408, added: the server says the request did not arrive in
 * time, so nothing was done) and server or gateway trouble. 501 and 505 are not here: the server
 * says it never will, as botbuilder's own retry also assumes.
 */
const RETRYABLE_STATUS = new Set([408, 412, 429, 500, 502, 503, 504]);

const UNREACHABLE_REASON: Readonly<Record<number, string>> = {
  403: 'forbidden: the app was removed or the user blocked it',
  404: 'not found: the conversation or user no longer exists',
};

/**
 * Errors of the connection itself, which a later attempt may well not meet. Matched as substrings
 * of the code or message, case-insensitively. Anything else (a TLS certificate problem, a bug in
 * our own send code) fails at once: retrying it six times would only hide it for longer.
 */
const TRANSIENT_NETWORK_ERRORS = [
  'econnreset',
  'econnrefused',
  'econnaborted',
  'etimedout',
  'epipe',
  'eai_again',
  'enetunreach',
  'ehostunreach',
  'socket hang up',
  'fetch failed',
  'und_err_socket',
  'und_err_connect_timeout',
];

/**
 * The backoff before the attempt after `attempt`: ceiling = min(maxDelayMs, base × 2^(attempt−1));
 * equal jitter gives a whole number of ms in [ceiling/2, ceiling], full jitter in [0, ceiling].
 */
export function backoffDelay(attempt: number, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
  // 2 ** 1100 is Infinity, which Math.min caps: no overflow to worry about.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const r = Math.min(Math.max(random(), 0), 1);
  const delay = policy.jitter === 'equal' ? ceiling / 2 + (r * ceiling) / 2 : r * ceiling;
  return Math.min(Math.ceil(delay), Math.floor(ceiling));
}

/**
 * Milliseconds a Retry-After header asks for: delta-seconds ("120", fractions tolerated) or an
 * HTTP date (relative to `now`, 0 if already past). null when absent or unparseable, in which case
 * the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  // Only accept something that looks like a date, so "soon" or "-5" are not parsed by Date's
  // lenient rules into nonsense.
  if (!/[a-z]/i.test(v)) return null;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now);
}

function retryOrGiveUp(reason: string, status: number | undefined, retryAfter: number | null, ctx: ClassifyContext, policy: RetryPolicy): RetryDecision {
  const withStatus = status === undefined ? {} : { status };
  if (ctx.attempt >= policy.maxAttempts) {
    return { kind: 'failed', reason: `${reason}, still after ${ctx.attempt} attempt${ctx.attempt === 1 ? '' : 's'}`, ...withStatus };
  }
  if (retryAfter !== null && retryAfter > policy.maxRetryAfterMs) {
    return { kind: 'failed', reason: `${reason}, and the server asks to wait ${Math.ceil(retryAfter / 1000)} s (more than ${Math.round(policy.maxRetryAfterMs / 1000)} s)`, ...withStatus };
  }
  const backoff = backoffDelay(ctx.attempt, policy, ctx.random ?? Math.random);
  // At least what the server asked for; the backoff still applies on top as a floor because many
  // items throttled together get the same Retry-After, and the limiter re-paces them anyway.
  const delayMs = retryAfter === null ? backoff : Math.max(retryAfter, backoff);
  return { kind: 'retry', delayMs, reason, ...withStatus };
}

/**
 * Decides what follows one attempt. 2xx → sent; 408, 412, 429, 500, 502, 503, 504 and transient
 * network errors → retry with jittered exponential backoff, honouring Retry-After, until
 * `maxAttempts` (then failed with the last status); 403, 404 → unreachable at once; anything else
 * (400, 401, other 4xx, 501, 505, unknown errors) → failed at once, since retrying cannot help.
 */
export function classify(outcome: SendOutcome, ctx: ClassifyContext): RetryDecision {
  const policy = ctx.policy ?? DEFAULT_RETRY_POLICY;
  if (!Number.isInteger(ctx.attempt) || ctx.attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${ctx.attempt}`);
  if ('ok' in outcome) return { kind: 'sent' };
  if ('networkError' in outcome) {
    const text = outcome.networkError.toLowerCase();
    const transient = TRANSIENT_NETWORK_ERRORS.some((e) => text.includes(e));
    if (!transient) return { kind: 'failed', reason: `network error: ${outcome.networkError}` };
    return retryOrGiveUp(`network error: ${outcome.networkError}`, undefined, null, ctx, policy);
  }
  const { status } = outcome;
  if (status >= 200 && status < 300) return { kind: 'sent' };
  const unreachable = UNREACHABLE_REASON[status];
  if (unreachable !== undefined) return { kind: 'unreachable', reason: `HTTP ${status} ${unreachable}`, status };
  if (RETRYABLE_STATUS.has(status)) {
    return retryOrGiveUp(`HTTP ${status}`, status, parseRetryAfter(outcome.retryAfter, ctx.now), ctx, policy);
  }
  return { kind: 'failed', reason: `HTTP ${status}: retrying cannot help`, status };
}

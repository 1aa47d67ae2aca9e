import { expect } from 'chai';
import fc from 'fast-check';
import {
  backoffDelay,
  classify,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  RetryPolicySchema,
  type ClassifyContext,
  type RetryPolicy,
  type SendOutcome,
} from '../../src/services/outbox/retry-policy.js';

const NOW = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
/** random() = 0 gives the shortest equal-jitter delay: exactly half the ceiling. */
const ctx = (attempt: number, extra: Partial<ClassifyContext> = {}): ClassifyContext => ({ attempt, now: NOW, random: () => 0, ...extra });
const policy = (p: Partial<RetryPolicy>): RetryPolicy => RetryPolicySchema.parse({ ...DEFAULT_RETRY_POLICY, ...p });

describe('outbox retry policy', () => {
  describe('configuration', () => {
    it('when nothing is configured, then it retries 6 attempts from 1 s up to 60 s with equal jitter and Retry-After up to 10 minutes', () => {
      expect(RetryPolicySchema.parse({})).to.deep.equal({ maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000, jitter: 'equal', maxRetryAfterMs: 600_000 });
      expect(DEFAULT_RETRY_POLICY).to.deep.equal(RetryPolicySchema.parse({}));
    });

    for (const [label, input] of [
      ['zero attempts', { maxAttempts: 0 }],
      ['a negative base delay', { baseDelayMs: -1 }],
      ['an unknown jitter', { jitter: 'none' }],
    ] as const) {
      it(`when configured with ${label}, then the schema refuses it`, () => {
        expect(RetryPolicySchema.safeParse(input).success).to.equal(false);
      });
    }

    it('when the attempt number is not a positive integer, then classify refuses it', () => {
      expect(() => classify({ status: 429 }, ctx(0))).to.throw(RangeError);
      expect(() => classify({ status: 429 }, ctx(1.5))).to.throw(RangeError);
    });
  });

  describe('status classes', () => {
    const table: Array<[string, SendOutcome, string]> = [
      ['a success', { ok: true }, 'sent'],
      ['HTTP 200', { status: 200 }, 'sent'],
      ['HTTP 201', { status: 201 }, 'sent'],
      ['HTTP 202', { status: 202 }, 'sent'],
      ['HTTP 429 (throttled)', { status: 429 }, 'retry'],
      ['HTTP 412 (precondition failed)', { status: 412 }, 'retry'],
      ['HTTP 408 (request timeout)', { status: 408 }, 'retry'],
      ['HTTP 500', { status: 500 }, 'retry'],
      ['HTTP 502', { status: 502 }, 'retry'],
      ['HTTP 503', { status: 503 }, 'retry'],
      ['HTTP 504', { status: 504 }, 'retry'],
      ['HTTP 403 (app removed, user blocked the bot)', { status: 403 }, 'unreachable'],
      ['HTTP 404 (conversation gone)', { status: 404 }, 'unreachable'],
      ['HTTP 400', { status: 400 }, 'failed'],
      ['HTTP 401', { status: 401 }, 'failed'],
      ['HTTP 405', { status: 405 }, 'failed'],
      ['HTTP 409', { status: 409 }, 'failed'],
      ['HTTP 413', { status: 413 }, 'failed'],
      ['HTTP 501', { status: 501 }, 'failed'],
      ['HTTP 505', { status: 505 }, 'failed'],
      ['HTTP 301', { status: 301 }, 'failed'],
      ['ECONNRESET', { networkError: 'ECONNRESET' }, 'retry'],
      ['read ECONNRESET', { networkError: 'read ECONNRESET' }, 'retry'],
      ['ECONNREFUSED', { networkError: 'connect ECONNREFUSED 127.0.0.1:3979' }, 'retry'],
      ['ETIMEDOUT', { networkError: 'ETIMEDOUT' }, 'retry'],
      ['socket hang up', { networkError: 'Error: socket hang up' }, 'retry'],
      ['fetch failed', { networkError: 'TypeError: fetch failed' }, 'retry'],
      ['EAI_AGAIN (DNS hiccup)', { networkError: 'getaddrinfo EAI_AGAIN smba.trafficmanager.net' }, 'retry'],
      ['an expired certificate', { networkError: 'CERT_HAS_EXPIRED' }, 'failed'],
      ['an unknown error', { networkError: 'TypeError: cannot read properties of undefined' }, 'failed'],
    ];
    for (const [label, outcome, kind] of table) {
      it(`when the first attempt ends with ${label}, then the decision is ${kind}`, () => {
        expect(classify(outcome, ctx(1)).kind).to.equal(kind);
      });
    }

    for (const status of [403, 404]) {
      it(`when HTTP ${status} comes back, then the recipient is unreachable at once, whatever the attempt, with the status kept`, () => {
        for (const attempt of [1, 3, 6, 7]) {
          const d = classify({ status, retryAfter: '5' }, ctx(attempt));
          expect(d).to.include({ kind: 'unreachable', status });
          expect(d.kind === 'unreachable' && d.reason).to.match(new RegExp(`^HTTP ${status} `));
        }
      });
    }

    it('when a status cannot be helped by retrying, then it fails on the first attempt with that status', () => {
      expect(classify({ status: 400 }, ctx(1))).to.deep.equal({ kind: 'failed', reason: 'HTTP 400: retrying cannot help', status: 400 });
    });
  });

  describe('backoff and jitter', () => {
    for (let attempt = 1; attempt <= 9; attempt++) {
      const ceiling = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
      it(`when attempt ${attempt} fails, then the equal-jitter delay is within [${ceiling / 2}, ${ceiling}] ms`, () => {
        for (const r of [0, 0.25, 0.5, 0.999_999_9]) {
          const d = classify({ status: 502 }, ctx(attempt, { random: () => r, policy: policy({ maxAttempts: 20 }) }));
          expect(d.kind).to.equal('retry');
          const delay = d.kind === 'retry' ? d.delayMs : -1;
          expect(delay).to.be.within(ceiling / 2, ceiling);
          expect(Number.isInteger(delay)).to.equal(true);
        }
        expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => 0)).to.equal(ceiling / 2);
      });
    }

    it('when random() is anywhere in [0, 1), then equal jitter stays in [ceiling/2, ceiling] and full jitter in [0, ceiling]', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 40 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
          const ceiling = Math.min(60_000, 1_000 * 2 ** (attempt - 1));
          expect(backoffDelay(attempt, DEFAULT_RETRY_POLICY, () => r)).to.be.within(ceiling / 2, ceiling);
          expect(backoffDelay(attempt, policy({ jitter: 'full' }), () => r)).to.be.within(0, ceiling);
        }),
      );
    });

    it('when the attempt number is huge, then the delay is still capped (no overflow)', () => {
      expect(backoffDelay(5_000, DEFAULT_RETRY_POLICY, () => 0.5)).to.equal(45_000);
    });

    it('when full jitter is chosen, then the delay can be anywhere from 0 to the ceiling', () => {
      expect(backoffDelay(3, policy({ jitter: 'full' }), () => 0)).to.equal(0);
      expect(backoffDelay(3, policy({ jitter: 'full' }), () => 0.5)).to.equal(2_000);
    });

    it('when the random source misbehaves, then the delay still stays within the bounds', () => {
      expect(backoffDelay(2, DEFAULT_RETRY_POLICY, () => 7)).to.equal(2_000);
      expect(backoffDelay(2, DEFAULT_RETRY_POLICY, () => -1)).to.equal(1_000);
    });
  });

  describe('maximum attempts', () => {
    it('when a 429 keeps coming back, then attempts 1 to 5 retry and the 6th fails with the last status', () => {
      for (let attempt = 1; attempt <= 5; attempt++) expect(classify({ status: 429 }, ctx(attempt)).kind).to.equal('retry', `attempt ${attempt}`);
      const last = classify({ status: 429 }, ctx(6));
      expect(last).to.deep.equal({ kind: 'failed', reason: 'HTTP 429, still after 6 attempts', status: 429 });
    });

    it('when network errors keep coming back, then the last attempt fails naming the error', () => {
      expect(classify({ networkError: 'ECONNRESET' }, ctx(6))).to.deep.equal({ kind: 'failed', reason: 'network error: ECONNRESET, still after 6 attempts' });
    });

    it('when maxAttempts is 1, then nothing is retried', () => {
      expect(classify({ status: 503 }, ctx(1, { policy: policy({ maxAttempts: 1 }) }))).to.deep.include({ kind: 'failed', status: 503 });
    });

    it('when an attempt past the maximum is classified (e.g. configuration lowered meanwhile), then it fails too', () => {
      expect(classify({ status: 502 }, ctx(9)).kind).to.equal('failed');
    });
  });

  describe('Retry-After', () => {
    const retryDelay = (retryAfter: string | null | undefined, attempt = 1, extra: Partial<ClassifyContext> = {}): number | string => {
      const d = classify({ status: 429, retryAfter }, ctx(attempt, extra));
      return d.kind === 'retry' ? d.delayMs : d.kind;
    };

    for (const [label, header, attempt, expected] of [
      ['30 seconds', '30', 1, 30_000],
      ['" 30 " (spaces)', ' 30 ', 1, 30_000],
      ['1.5 seconds', '1.5', 1, 1_500],
      ['0 seconds: the backoff applies', '0', 1, 500],
      ['1 second at attempt 5: the longer backoff applies', '1', 5, 8_000],
      ['120 seconds: above the 60 s backoff cap, still honoured', '120', 1, 120_000],
      ['600 seconds: the most honoured', '600', 1, 600_000],
      ['601 seconds: more than 10 minutes', '601', 1, 'failed'],
      ['an HTTP date 45 s ahead', 'Wed, 21 Oct 2026 07:28:45 GMT', 1, 45_000],
      ['an HTTP date in the past: the backoff applies', 'Wed, 21 Oct 2026 07:00:00 GMT', 1, 500],
      ['an HTTP date 11 minutes ahead', 'Wed, 21 Oct 2026 07:39:00 GMT', 1, 'failed'],
      ['no header', undefined, 1, 500],
      ['a null header', null, 1, 500],
      ['an empty header', '', 1, 500],
      ['garbage', 'soon', 1, 500],
      ['a negative number', '-5', 1, 500],
    ] as const) {
      it(`when a 429 carries Retry-After ${label}, then the decision is ${typeof expected === 'number' ? `a retry after ${expected} ms` : expected}`, () => {
        expect(retryDelay(header, attempt)).to.equal(expected);
      });
    }

    it('when a 503 carries Retry-After, then it is honoured as for a 429', () => {
      expect(classify({ status: 503, retryAfter: '20' }, ctx(1))).to.deep.equal({ kind: 'retry', delayMs: 20_000, reason: 'HTTP 503', status: 503 });
    });

    it('when Retry-After is longer than allowed, then the failure says how long the server asked for', () => {
      const d = classify({ status: 429, retryAfter: '3600' }, ctx(1));
      expect(d).to.deep.equal({ kind: 'failed', reason: 'HTTP 429, and the server asks to wait 3600 s (more than 600 s)', status: 429 });
    });

    it('when maxRetryAfterMs is configured lower, then a shorter Retry-After already fails', () => {
      expect(retryDelay('61', 1, { policy: policy({ maxRetryAfterMs: 60_000 }) })).to.equal('failed');
      expect(retryDelay('60', 1, { policy: policy({ maxRetryAfterMs: 60_000 }) })).to.equal(60_000);
    });

    it('when the last attempt carries a Retry-After, then it fails anyway: the attempts are used up', () => {
      expect(retryDelay('5', 6)).to.equal('failed');
    });

    for (const [header, expected] of [
      ['0', 0],
      ['7', 7_000],
      ['0.25', 250],
      ['Wed, 21 Oct 2026 07:28:01 GMT', 1_000],
      ['Wednesday, 21-Oct-26 07:28:10 GMT', 10_000],
      ['12abc', null],
      ['', null],
    ] as const) {
      it(`when parsing Retry-After "${header}", then it means ${expected === null ? 'nothing' : `${expected} ms`}`, () => {
        expect(parseRetryAfter(header, NOW)).to.equal(expected);
      });
    }
  });
});

/**
 * Load plumbing for turn benchmarks: a Bot Connector stand-in tuned for load (answers every POST at
 * once, keeps connections alive, counts replies per inbound activity) and a keep-alive HTTP load
 * client built on `http.request` (not fetch: lower and steadier client overhead).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile } from './lib.js';

/** `POST {serviceUrl}v3/conversations/{conversationId}/activities/{replyToId}` (a reply). */
const REPLY_PATH = /\/v3\/conversations\/[^/]+\/activities\/([^/?]+)/;

export interface ConnectorStats {
  /** Every POST received. */
  posts: number;
  /** Replies (POSTs naming the activity they answer), by the inbound activity id. */
  replies: Map<string, number>;
  /** Replies that `classify` labelled, by label, then by the inbound activity id. */
  labelled: Map<string, Map<string, number>>;
}

/**
 * The load connector. `classify`, when given, sees each reply's raw body and may label it (an
 * error card, a fallback answer): bodies are only buffered when it is given.
 */
export class LoadConnector {
  readonly stats: ConnectorStats = { posts: 0, replies: new Map(), labelled: new Map() };
  url = '';
  private server: http.Server | undefined;
  private next = 0;

  constructor(private readonly classify?: (body: string) => string | undefined) {}

  async start(): Promise<void> {
    this.server = http.createServer({ keepAlive: true }, (req, res) => {
      const m = req.method === 'POST' ? REPLY_PATH.exec(req.url ?? '') : null;
      const replyTo = m ? decodeURIComponent(m[1]!) : undefined;
      const chunks: Buffer[] | undefined = this.classify && replyTo ? [] : undefined;
      if (chunks) req.on('data', (c: Buffer) => chunks.push(c));
      else req.resume();
      req.on('end', () => {
        if (req.method === 'POST') {
          this.stats.posts++;
          if (replyTo) {
            this.stats.replies.set(replyTo, (this.stats.replies.get(replyTo) ?? 0) + 1);
            const label = chunks ? this.classify!(Buffer.concat(chunks).toString()) : undefined;
            if (label) {
              const byId = this.stats.labelled.get(label) ?? new Map<string, number>();
              byId.set(replyTo, (byId.get(replyTo) ?? 0) + 1);
              this.stats.labelled.set(label, byId);
            }
          }
        }
        const body = `{"id":"r${++this.next}"}`;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  /** How many of `ids` got no reply at all. */
  missingReplies(ids: Iterable<string>): number {
    let missing = 0;
    for (const id of ids) if (!this.stats.replies.has(id)) missing++;
    return missing;
  }

  /** How many of `ids` got at least one reply labelled `label`. */
  countLabelled(label: string, ids: Iterable<string>): number {
    const byId = this.stats.labelled.get(label);
    if (!byId) return 0;
    let n = 0;
    for (const id of ids) if (byId.has(id)) n++;
    return n;
  }

  /** Total replies received for `ids`. */
  repliesFor(ids: Iterable<string>): number {
    let n = 0;
    for (const id of ids) n += this.stats.replies.get(id) ?? 0;
    return n;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    const closed = new Promise<void>((r) => s.close(() => r()));
    s.closeIdleConnections();
    await closed;
  }
}

export interface LoadOptions {
  /** Full URL of the endpoint, e.g. `http://127.0.0.1:1234/api/messages`. */
  url: string;
  /** The body of request `i` (measured requests: 0…requests-1; warm-up: requests…requests+warmup-1). */
  makeActivity: (i: number) => object;
  requests: number;
  concurrency: number;
  /** When given, set as `serviceUrl` on every activity (where the bot sends its replies). */
  serviceUrl?: string;
  /** Unmeasured requests sent first, at the same concurrency, on the same sockets (default 50). */
  warmup?: number;
  /** Per-request timeout (default 30 s); a timeout counts as an error. */
  timeoutMs?: number;
}

export interface LoadResult {
  /** Measured requests per second (errors included: they were answered too). */
  perSecond: number;
  /** Latency percentiles in ms over measured requests (errors included). */
  p50: number;
  p99: number;
  /** Measured requests answered with a non-200 status, or failing / timing out. */
  errors: number;
  warmupErrors: number;
  requests: number;
  seconds: number;
  /** Every measured latency in ms, in completion order (to pool several runs). */
  latencies: number[];
  /** Up to 5 distinct error descriptions. */
  errorSamples: string[];
}

/** Sends `requests` POSTs with `concurrency` clients on keep-alive sockets; measures each. */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const { requests, concurrency } = opts;
  const warmup = opts.warmup ?? 50;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const errorSamples = new Set<string>();

  const bodyOf = (i: number): string => {
    const a = opts.makeActivity(i) as Record<string, unknown>;
    if (opts.serviceUrl !== undefined) a.serviceUrl = opts.serviceUrl;
    return JSON.stringify(a);
  };

  /** Resolves with an error description, or undefined for a 200. Never rejects. */
  const post = (body: string): Promise<string | undefined> =>
    new Promise((resolve) => {
      const req = http.request(
        {
          agent,
          method: 'POST',
          hostname: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200 ? undefined : `HTTP ${res.statusCode}`));
          res.on('error', (err) => resolve(`response: ${err.message}`));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', (err) => resolve(`request: ${err.message}`));
      req.end(body);
    });

  /** Runs indices [from, to) with `concurrency` workers; records latencies when `lat` is given. */
  const phase = async (from: number, to: number, lat?: number[]): Promise<number> => {
    let next = from;
    let errors = 0;
    const worker = async () => {
      while (next < to) {
        const body = bodyOf(next++);
        const t0 = performance.now();
        const err = await post(body);
        const ms = performance.now() - t0;
        lat?.push(ms);
        if (err !== undefined) {
          errors++;
          if (errorSamples.size < 5) errorSamples.add(err);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, to - from)) }, worker));
    return errors;
  };

  try {
    const warmupErrors = warmup > 0 ? await phase(requests, requests + warmup) : 0;
    const latencies: number[] = [];
    const t0 = performance.now();
    const errors = await phase(0, requests, latencies);
    const seconds = (performance.now() - t0) / 1000;
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      perSecond: requests / seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      errors,
      warmupErrors,
      requests,
      seconds,
      latencies,
      errorSamples: [...errorSamples],
    };
  } finally {
    agent.destroy();
  }
}

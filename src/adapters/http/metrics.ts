/**
 * Prometheus metrics (prom-client) on a port of their own (`METRICS_PORT`, on `METRICS_HOST`,
 * 127.0.0.1 by default), so they are never served on the bot's public endpoint. Also a store
 * wrapper that times every call.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../../services/ports/index.js';
import type { Metrics, OutboxOutcome, TurnOutcome } from '../../services/metrics.js';

export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly turns = new Counter({ name: 'rewards_turns_total', help: 'Inbound requests by activity kind and outcome', labelNames: ['kind', 'outcome'], registers: [this.registry] });
  private readonly errors = new Counter({ name: 'rewards_errors_total', help: 'Commands and card actions refused (by reason) or failed unexpectedly', labelNames: ['kind'], registers: [this.registry] });
  private readonly outboxItems = new Counter({ name: 'rewards_outbox_items_total', help: 'Outbox items by what happened to them (claimed, sent, retried, unreachable, failed, released)', labelNames: ['outcome'], registers: [this.registry] });
  private readonly sendSeconds = new Histogram({ name: 'rewards_outbox_send_seconds', help: 'Latency of one send to the Bot Connector', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry] });
  private readonly waits = new Counter({ name: 'rewards_rate_limit_waits_total', help: 'Messages set aside for want of a rate-limit token, by limit', labelNames: ['scope'], registers: [this.registry] });
  private readonly storeSeconds = new Histogram({ name: 'rewards_store_call_seconds', help: 'Latency of store calls by method and outcome', labelNames: ['method', 'ok'], buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [this.registry] });

  constructor(queued?: () => Promise<number>) {
    collectDefaultMetrics({ register: this.registry });
    if (queued) {
      new Gauge({
        name: 'rewards_outbox_queued',
        help: 'Outbox items waiting to be sent (read from the store at each scrape)',
        registers: [this.registry],
        async collect() {
          this.set(await queued());
        },
      });
    }
  }

  turn(kind: string, outcome: TurnOutcome): void {
    this.turns.inc({ kind, outcome });
  }
  error(kind: string): void {
    this.errors.inc({ kind });
  }
  outbox(outcome: OutboxOutcome, count = 1): void {
    if (count > 0) this.outboxItems.inc({ outcome }, count);
  }
  sendLatency(ms: number): void {
    this.sendSeconds.observe(ms / 1000);
  }
  rateLimitWait(scope: 'tenant' | 'conversation' | 'global'): void {
    this.waits.inc({ scope });
  }
  storeCall(method: string, ms: number, ok: boolean): void {
    this.storeSeconds.observe({ method, ok: ok ? 'true' : 'false' }, ms / 1000);
  }
}

/** The store with every method call timed into `metrics` (same behaviour, same results). */
export function timedStore<S extends Store>(store: S, metrics: Metrics): S {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || typeof prop !== 'string') return v;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        let result: unknown;
        try {
          result = (v as (...a: unknown[]) => unknown).apply(target, args);
        } catch (err) {
          metrics.storeCall(prop, performance.now() - t0, false);
          throw err;
        }
        if (result instanceof Promise) {
          return result.then(
            (r: unknown) => (metrics.storeCall(prop, performance.now() - t0, true), r),
            (err: unknown) => {
              metrics.storeCall(prop, performance.now() - t0, false);
              throw err;
            },
          );
        }
        metrics.storeCall(prop, performance.now() - t0, true);
        return result;
      };
    },
  });
}

/** Serves `GET /metrics` on its own port; resolves with the bound port. */
export async function startMetricsServer(metrics: PromMetrics, port: number, host: string): Promise<{ port: number; close(): Promise<void> }> {
  // restify patches node's ServerResponse (its writeHead returns nothing): plain calls, no chaining.
  const reply = (res: ServerResponse, status: number, type: string, body: string) => {
    res.statusCode = status;
    res.setHeader('content-type', type);
    res.end(body);
  };
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      reply(res, 404, 'text/plain', 'Not found');
      return;
    }
    metrics.registry.metrics().then(
      (body) => reply(res, 200, metrics.registry.contentType, body),
      () => reply(res, 500, 'text/plain', 'metrics unavailable'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would hold close() open.
        server.closeAllConnections();
      }),
  };
}

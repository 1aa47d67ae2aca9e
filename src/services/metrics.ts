/**
 * What the app counts, as a port: services and adapters report here and know nothing of the
 * exporter (Prometheus, in adapters/http/metrics.ts). `noMetrics` counts nothing.
 */
export type TurnOutcome = 'ok' | 'refused' | 'unauthorized' | 'failed';
export type OutboxOutcome = 'claimed' | 'sent' | 'retried' | 'unreachable' | 'failed' | 'released';

export interface Metrics {
  /** One inbound request: its activity kind (message, invoke name, …) and how it ended. */
  turn(kind: string, outcome: TurnOutcome): void;
  /** A command or card action refused (AppError code) or failed unexpectedly ('unexpected'). */
  error(kind: string): void;
  outbox(outcome: OutboxOutcome, count?: number): void;
  /** One send to the Bot Connector, answered or not. */
  sendLatency(ms: number): void;
  /** A message set aside for want of a rate-limit token, by the limit that lacked one. */
  rateLimitWait(scope: 'tenant' | 'conversation' | 'global'): void;
  /** One store call. */
  storeCall(method: string, ms: number, ok: boolean): void;
}

export const noMetrics: Metrics = {
  turn: () => undefined,
  error: () => undefined,
  outbox: () => undefined,
  sendLatency: () => undefined,
  rateLimitWait: () => undefined,
  storeCall: () => undefined,
};

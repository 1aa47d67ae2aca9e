/**
 * Bot Framework authentication of inbound requests, made to fail in one way: every refusal is an
 * `AuthenticationError` (401, or 503 when the identity provider cannot be reached), carries what
 * botbuilder printed about it, and botbuilder prints nothing to the console itself.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';

/** A refused request: the status to answer and one line about why (no token, no key material). */
export class RefusedRequest extends AuthenticationError {
  constructor(
    message: string,
    statusCode: number,
    /** What botbuilder wrote to the console while refusing it, cleaned. */
    readonly detail: string[],
  ) {
    super(message, statusCode);
    this.name = 'RefusedRequest';
  }
}

const captured = new AsyncLocalStorage<string[]>();
let consoleRouted = false;

/**
 * botbuilder's token validation writes to `console.error` (the error with its stack, and the PEM of
 * every key it holds when a signature does not verify). Inside `captureConsole` those lines are
 * collected instead, for the one log line the HTTP layer writes per refused request; elsewhere the
 * console behaves as before.
 */
function routeConsole(): void {
  if (consoleRouted) return;
  consoleRouted = true;
  for (const method of ['error', 'warn', 'log'] as const) {
    // eslint-disable-next-line no-console -- the console is wrapped, not used
    const original = console[method].bind(console);
    // eslint-disable-next-line no-console -- see above
    console[method] = (...args: unknown[]) => {
      const sink = captured.getStore();
      if (sink) sink.push(args.map(describe).join(' '));
      else original(...args);
    };
  }
}

/** One short line: an error's name and message (no stack), PEM blocks and JWTs left out. */
export function describe(v: unknown): string {
  const text = v instanceof Error ? `${v.name}: ${v.message}` : typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return redactSecrets(text).split('\n')[0]!.slice(0, 300);
}

export function redactSecrets(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]{1,40}-----[\s\S]*?-----END [A-Z ]{1,40}-----/g, '[key]')
    .replace(/\beyJ[\w-]{0,4096}\.[\w-]{0,16384}\.[\w-]{0,4096}/g, '[token]')
    .replace(/\bBearer\s+\S{1,16384}/gi, 'Bearer [token]');
}

async function captureConsole<T>(fn: () => Promise<T>): Promise<{ lines: string[]; result: T }> {
  routeConsole();
  const lines: string[] = [];
  try {
    return { lines, result: await captured.run(lines, fn) };
  } catch (err) {
    throw Object.assign(err as object, { consoleLines: lines });
  }
}

/**
 * botbuilder lets a forged signature, a tampered payload or an HS256 token escape as the JWT
 * library's error (a 500); those become 401 here. An unreachable identity provider is a 503.
 */
export class StrictAuthentication extends ConfigurationBotFrameworkAuthentication {
  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    try {
      return (await captureConsole(() => super.authenticateRequest(activity, authHeader))).result;
    } catch (err) {
      const lines = ((err as { consoleLines?: string[] }).consoleLines ?? []).filter((l) => l !== '');
      if (err instanceof AuthenticationError) {
        throw new RefusedRequest(describe(err.message), err.statusCode >= 500 ? 503 : 401, lines);
      }
      throw new RefusedRequest(`Unauthorized: the token could not be validated (${describe(err)})`, 401, lines);
    }
  }
}

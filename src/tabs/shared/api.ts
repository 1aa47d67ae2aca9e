/**
 * Calls to the tab API (`/api/tab/…`) with the SSO token. A refusal becomes an `ApiError` that
 * carries the server's message (already worded for people) and its status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string, query?: Record<string, string | undefined>): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** The raw response (for downloads such as CSV). */
  fetch(path: string): Promise<Response>;
}

export function createApi(token: () => Promise<string>, base = '/api/tab'): Api {
  const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${await token()}` } });
    } catch {
      throw new ApiError(0, 'The Rewards service cannot be reached. Check your connection and try again.');
    }
    if (res.ok) return res;
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const message = typeof body.error === 'string' ? body.error : `The request failed (${res.status}).`;
    throw new ApiError(res.status, message, body);
  };
  return {
    async get<T>(path: string, query: Record<string, string | undefined> = {}) {
      const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined)).toString();
      return (await (await call(q ? `${path}?${q}` : path)).json()) as T;
    },
    async post<T>(path: string, body: unknown = {}) {
      const res = await call(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      return (text ? JSON.parse(text) : {}) as T;
    },
    fetch: (path: string) => call(path),
  };
}

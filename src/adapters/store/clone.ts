/**
 * Deep copy of plain JSON data (what the store holds). structuredClone costs ~50 µs even for a
 * small document, several times this walk, and the store copies on every update.
 */
export function cloneJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = cloneJson(value[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[k];
    if (v === undefined) continue;
    // JSON.parse makes "__proto__" an own key; assigning it would set the copy's prototype instead
    // (dropping the key, or making the copy inherit from the value).
    if (k === '__proto__') Object.defineProperty(out, k, { value: cloneJson(v), enumerable: true, writable: true, configurable: true });
    else out[k] = cloneJson(v);
  }
  return out as T;
}

/**
 * Freezes a JSON value and everything in it, in place; returns it. The store keeps publisher
 * documents frozen so reads can hand them out without copying.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    Object.freeze(value);
    for (const k in value as Record<string, unknown>) deepFreeze((value as Record<string, unknown>)[k]);
  }
  return value;
}

/**
 * Whether two JSON values (as JSON.parse gives them) are equal, ignoring key order; keys holding
 * `undefined` count as absent, as in JSON. Walks both without serialising them.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    keys++;
    if (y[k] === undefined || !Object.hasOwn(y, k) || !jsonEqual(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) keys--;
  return keys === 0;
}

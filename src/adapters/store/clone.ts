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
    if (v !== undefined) out[k] = cloneJson(v);
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

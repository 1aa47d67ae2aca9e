import { expect } from 'chai';
import fc from 'fast-check';
import { cloneJson, deepFreeze, jsonEqual } from '../../src/adapters/store/clone.js';

describe('cloneJson', () => {
  it('when any JSON value is cloned, then the copy is equal and shares no object with the original', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = cloneJson(v);
        expect(c).to.deep.equal(v);
        if (v !== null && typeof v === 'object') expect(c).to.not.equal(v);
      }),
    );
    // Seed 618898960 found this: a "__proto__" key, as JSON.parse gives it, was lost in the copy.
    for (const text of ['{"__proto__":""}', '{"__proto__":{"polluted":true},"a":1}']) {
      const v = JSON.parse(text) as Record<string, unknown>;
      const c = cloneJson(v);
      expect(JSON.stringify(c)).to.equal(text);
      expect(Object.getPrototypeOf(c)).to.equal(Object.prototype);
      expect(jsonEqual(c, v)).to.equal(true);
    }
    const nested = { a: [{ b: 1 }], c: { d: 'x' } };
    const copy = cloneJson(nested);
    copy.a[0]!.b = 2;
    copy.c.d = 'y';
    expect(nested).to.deep.equal({ a: [{ b: 1 }], c: { d: 'x' } });
  });
});

/** JSON with keys sorted: equal texts mean equal values, whatever the key order. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** The same value with every object's keys in reverse order. */
function reordered(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reordered);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reordered(x)]));
  return v;
}

describe('jsonEqual', () => {
  it('when two JSON values are compared, then they are equal exactly when their key-sorted JSON is', () => {
    const small = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(small, small, (a, b) => {
        expect(jsonEqual(a, b)).to.equal(canonical(a) === canonical(b));
        expect(jsonEqual(a, reordered(a))).to.equal(true);
        expect(jsonEqual(a, JSON.parse(JSON.stringify(a)))).to.equal(true);
      }),
      { numRuns: 500 },
    );
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).to.equal(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: 2 })).to.equal(false);
    expect(jsonEqual([1, 2], { 0: 1, 1: 2 })).to.equal(false);
    expect(jsonEqual({ reference: { conversation: { id: 'c1' } } }, { reference: { conversation: { id: 'c2' } } })).to.equal(false);
  });
});

describe('deepFreeze', () => {
  it('when a JSON value is frozen, then no object or array in it can change', () => {
    const v = deepFreeze({ a: [{ b: 1 }], c: { d: ['x'] } });
    expect(Object.isFrozen(v) && Object.isFrozen(v.a) && Object.isFrozen(v.a[0]) && Object.isFrozen(v.c.d)).to.equal(true);
    expect(() => v.a.push({ b: 2 })).to.throw(TypeError);
  });
});

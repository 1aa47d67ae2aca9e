import { expect } from 'chai';
import fc from 'fast-check';
import { cloneJson } from '../../src/adapters/store/clone.js';

describe('cloneJson', () => {
  it('when any JSON value is cloned, then the copy is equal and shares no object with the original', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const c = cloneJson(v);
        expect(c).to.deep.equal(v);
        if (v !== null && typeof v === 'object') expect(c).to.not.equal(v);
      }),
    );
    const nested = { a: [{ b: 1 }], c: { d: 'x' } };
    const copy = cloneJson(nested);
    copy.a[0]!.b = 2;
    copy.c.d = 'y';
    expect(nested).to.deep.equal({ a: [{ b: 1 }], c: { d: 'x' } });
  });
});

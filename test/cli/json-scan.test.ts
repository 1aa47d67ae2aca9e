import { expect } from 'chai';
import fc from 'fast-check';
import { findJsonSyntaxError, locateJsonPath } from '../../src/services/import/json-scan.js';
import { firstInvalidUtf8, lineAndColumn } from '../../src/services/import/text.js';

const accepts = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** JSON texts with one character inserted, deleted or replaced: mostly broken, sometimes not. */
const nearlyJson = fc
  .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...'{}[]:,"\\ \n0123456789.eE+-tfnaulrsx\''.split('')))
  .map(([text, at, how, c]) => {
    const i = at % (text.length + 1);
    if (how === 'insert') return text.slice(0, i) + c + text.slice(i);
    if (how === 'delete') return text.slice(0, i) + text.slice(i + 1);
    return text.slice(0, i) + c + text.slice(i + 1);
  });

/** A value and a path into it (array indices as numbers, as zod reports them). */
const valueAndPath = fc.jsonValue({ maxDepth: 4 }).chain((v) => {
  const paths: Array<Array<string | number>> = [];
  const walk = (x: unknown, p: Array<string | number>) => {
    paths.push(p);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...p, i]));
    else if (x !== null && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...p, k]);
  };
  walk(v, []);
  return fc.tuple(fc.constant(v), fc.constantFrom(...paths));
});

const at = (v: unknown, path: Array<string | number>): unknown => path.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], v);

describe('JSON scanner', () => {
  it('when a text is JSON or nearly so, then it finds a syntax error exactly when JSON.parse refuses it', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json({ maxDepth: 3 }), nearlyJson), (text) => {
        const problem = findJsonSyntaxError(text);
        expect(problem === undefined, `${JSON.stringify(text)}: ${problem?.message}`).to.equal(accepts(text));
        if (problem) expect(problem.offset).to.be.within(0, text.length);
      }),
      { numRuns: 2000 },
    );
  });

  it('when a value is looked up by its path, then its text starts where the scanner says', () => {
    fc.assert(
      fc.property(valueAndPath, fc.boolean(), ([v, path], indent) => {
        const text = JSON.stringify(v, null, indent ? 2 : undefined);
        const loc = locateJsonPath(text, path);
        expect(loc.depth).to.equal(path.length);
        const value = at(v, path);
        const own = JSON.stringify(value, null, indent ? 2 : undefined);
        // Pretty-printed values are indented as deep as they sit; their first line is the same.
        expect(text.slice(loc.offset, loc.offset + own.length).split('\n')[0]).to.equal(own.split('\n')[0]);
        if (path.length > 0 && typeof path[path.length - 1] === 'string') expect(text.startsWith(JSON.stringify(path[path.length - 1]), loc.keyOffset!)).to.equal(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('when a path goes past what is in the file, then the deepest part that exists is found', () => {
    const text = '{\n  "transactions": [\n    { "id": "t1" }\n  ]\n}';
    expect(locateJsonPath(text, ['transactions', 0, 'billedUsd'])).to.include({ depth: 2, offset: text.indexOf('{ "id"') });
  });

  it('when the nesting is very deep, then the scanner reports the error without overflowing the stack', () => {
    const text = '['.repeat(200_000);
    expect(findJsonSyntaxError(text)).to.deep.equal({ offset: text.length, message: 'the file ends before the JSON is complete: expected a value (an object, array, string, number, true, false or null)' });
  });

  for (const [text, offset, message] of [
    ['{"a": 1,}', 8, 'a comma before } (JSON allows no trailing comma)'],
    ['[1, 2,]', 6, 'a comma before ] (JSON allows no trailing comma)'],
    ['{"a": 01}', 6, 'numbers cannot have leading zeros, found "01"'],
    ['{"a": NaN}', 6, 'expected a value (an object, array, string, number, true, false or null), found "NaN"'],
    ['{"a": 1} // note', 9, 'comments are not allowed in JSON'],
    ['{a: 1}', 1, 'expected a property name in double quotes, found "a"'],
    ['{"a" 1}', 5, 'expected ":" after the property name "a", found "1"'],
    ['"\\x"', 1, '\\x is not a JSON escape (use \\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX)'],
    ['{} {}', 3, 'expected the end of the file after the JSON value, found "{"'],
  ] as const) {
    it(`when the text is ${text}, then the error is at ${offset}: ${message}`, () => {
      expect(findJsonSyntaxError(text)).to.deep.equal({ offset, message });
    });
  }
});

describe('import text positions', () => {
  it('when bytes are checked as UTF-8, then the first invalid byte is found exactly where a strict decoder stops', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 12 }), fc.string({ unit: 'binary' }).map((s) => new TextEncoder().encode(s))), (bytes) => {
        const bad = firstInvalidUtf8(bytes);
        let ok = true;
        try {
          strict.decode(bytes);
        } catch {
          ok = false;
        }
        expect(bad === -1).to.equal(ok);
        if (bad >= 0) {
          // Everything before it decodes; the decoder refuses from there on.
          expect(() => strict.decode(bytes.subarray(0, bad))).not.to.throw();
          expect(() => strict.decode(bytes.subarray(0, bad + 4))).to.throw(TypeError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('when an offset is turned into a line and column, then \\n, \\r\\n and a lone \\r each end a line', () => {
    expect(lineAndColumn('ab\ncd', 4)).to.deep.equal({ line: 2, column: 2 });
    expect(lineAndColumn('ab\r\ncd', 5)).to.deep.equal({ line: 2, column: 2 });
    expect(lineAndColumn('ab\rcd\r\n\nx', 9)).to.deep.equal({ line: 4, column: 2 });
    expect(lineAndColumn('😀x', 2)).to.deep.equal({ line: 1, column: 2 });
  });
});

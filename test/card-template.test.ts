/**
 * The compiled card templates (src/adapters/bot/card-template.ts) against adaptivecards-templating,
 * the reference implementation they replace: every card in cards/, with the sample data, with
 * generated data of the same shape (hostile text, empty strings and lists, flipped booleans) and
 * with damaged data (missing, null or wrongly typed fields), must give byte-identical JSON, or both
 * must throw.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'chai';
import fc from 'fast-check';
import * as ACData from 'adaptivecards-templating';
import { CARDS_DIR, CardRenderer, escapeAll, type CardName } from '../src/adapters/bot/cards.js';
import { CardTemplate } from '../src/adapters/bot/card-template.js';
import { cardSamples } from './fixtures/card-samples.js';

const templates = new Map<string, unknown>(
  readdirSync(CARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(`${CARDS_DIR}/${f}`, 'utf8'))]),
);

/** What a renderer gives for `data`: the JSON text, or the fact that it threw. */
function outcome(render: () => unknown): string {
  try {
    return JSON.stringify(render());
  } catch {
    return 'THROWS';
  }
}

const referenceTemplates = new Map([...templates].map(([name, t]) => [name, new ACData.Template(t)]));
const compiledTemplates = new Map([...templates].map(([name, t]) => [name, new CardTemplate(t, name)]));
const reference = (name: string, data: unknown) => outcome(() => referenceTemplates.get(name)!.expand({ $root: escapeAll(data) }));
const compiled = (name: string, data: unknown) => outcome(() => compiledTemplates.get(name)!.expand(escapeAll(data)));

/** Sample shapes with every list non-empty, so generated data can fill them. */
const shapes: Record<string, unknown> = {
  ...cardSamples,
  status: { ...cardSamples.status, activations: [{ title: 'Blog (Offer)', value: 'activated, today' }] },
  'tech-form': { ...cardSamples['tech-form'], offers: [{ title: 'Offer', choice: 'o1' }] },
};

/** Text as users type it: markdown, mentions, links, line breaks, `${…}`, or nothing. */
const text = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('[click](http://evil.example)', '**bold** _it_', '<at>Alex</at>', 'a\nb\r\nc', '# heading', '${company}', 'back\\slash `code`', '  spaced  '),
);

/** Data of the same shape as `sample`. */
function shaped(sample: unknown): fc.Arbitrary<unknown> {
  if (typeof sample === 'string') return text;
  if (typeof sample === 'boolean') return fc.boolean();
  if (Array.isArray(sample)) return fc.array(shaped(sample[0]), { maxLength: 3 });
  if (sample && typeof sample === 'object') {
    const entries = Object.entries(sample).map(([k, v]) => [k, shaped(v)] as const);
    return fc.record(Object.fromEntries(entries));
  }
  return fc.constant(sample);
}

/** Data of the same shape where any field may be missing, null, or of another type. */
function damaged(sample: unknown): fc.Arbitrary<unknown> {
  const wrong = fc.constantFrom<unknown>(undefined, null, 0, 7, true, false, '', 'x', [], ['a'], {}, { title: 'T' });
  return fc.oneof({ weight: 4, arbitrary: shapedDamaged(sample) }, { weight: 1, arbitrary: wrong });
}
function shapedDamaged(sample: unknown): fc.Arbitrary<unknown> {
  if (Array.isArray(sample)) return fc.array(damaged(sample[0]), { maxLength: 3 });
  if (sample && typeof sample === 'object') {
    return fc.record(Object.fromEntries(Object.entries(sample).map(([k, v]) => [k, damaged(v)] as const)), { requiredKeys: [] });
  }
  return shaped(sample);
}

describe('compiled card templates (same output as adaptivecards-templating)', () => {
  it('when every card is rendered with its sample data, then the JSON is byte-identical', () => {
    const renderer = new CardRenderer();
    for (const name of templates.keys()) {
      const data = cardSamples[name as CardName];
      const ours = JSON.stringify(renderer.card(name as CardName, data as never));
      expect(ours, name).to.equal(reference(name, data));
    }
  });

  for (const name of templates.keys()) {
    it(`when ${name} is rendered with generated data of its shape, then the JSON is byte-identical`, () => {
      fc.assert(
        fc.property(shaped(shapes[name]), (data) => {
          const expected = reference(name, data);
          expect(expected).to.not.equal('THROWS');
          expect(compiled(name, data)).to.equal(expected);
        }),
        { numRuns: 150 },
      );
    });

    it(`when ${name} is rendered with missing, null or mistyped fields, then both give the same JSON or both throw`, () => {
      fc.assert(
        fc.property(damaged(shapes[name]), (data) => {
          expect(compiled(name, data)).to.equal(reference(name, data));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('when user text holds markdown or a template expression, then the card shows it escaped and unexpanded', () => {
    const renderer = new CardRenderer();
    const card = JSON.stringify(renderer.card('message', { title: '${reference} [x](http://evil.example)', text: '<at>A</at>', reference: 'r1' }));
    expect(card).to.contain('"${reference} \\\\[x\\\\](http://evil.example)"');
    expect(card).to.contain('\\\\<at\\\\>A\\\\</at\\\\>');
  });

  it('when the language subset is exercised directly, then it matches adaptivecards-templating', () => {
    const payload = {
      a: '${a}',
      b: 'x${b}y ${n.deep}',
      c: ['${nul}', '${arr}', { $when: "${q != ''}", v: 1 }, { $when: '${count(arr) > 1}', v: 2 }, { $when: '${count(missing) == 0}', v: 3 }],
      d: { $data: '${arr}', v: '${$data}', i: '${$index}', r: '${$root.a}' },
      e: { $data: '${none}', v: '${$data}' },
      f: '${$index}',
      g: null,
      h: [null, 1, { $data: '${empty}', x: 1 }],
      k: { $when: 'true', v: 1 },
      l: { $when: 'x ${a}', v: 1 },
      m: { $data: '${objs}', t: '${TITLE}', $when: "${title != 'skip'}" },
      p: { $when: '${count(nul) > 0}', v: 1 },
      s: { $when: '${s > 1}', v: 1 },
      t: '${count(missing)}',
      u: ['${nul > 1}', '${missing <= 1}', "${b == 5}", "${s != 'abc'}", '${count(objs) >= 3}'],
    };
    const root = { a: true, b: 5, n: { deep: 'D' }, nul: null, arr: [1, 2], q: undefined, empty: [], objs: [{ title: 'one' }, { title: 'skip' }, { Title: 'three' }], s: 'abc' };
    const expected = JSON.stringify(new ACData.Template(payload).expand({ $root: root }));
    expect(JSON.stringify(new CardTemplate(payload).expand(root))).to.equal(expected);
    // A null inside text, and a failing expression as a value, throw in both.
    expect(() => new ACData.Template({ x: 'a ${n}' }).expand({ $root: { n: null } })).to.throw();
    expect(() => new CardTemplate({ x: 'a ${n}' }).expand({ n: null })).to.throw();
    expect(() => new ACData.Template({ x: '${count(n)}' }).expand({ $root: { n: 5 } })).to.throw();
    expect(() => new CardTemplate({ x: '${count(n)}' }).expand({ n: 5 })).to.throw();
  });

  it('when a template uses syntax outside the supported subset, then compiling it throws naming the string', () => {
    for (const s of ['${if(a, b, c)}', '${a + 1}', '${a == b}', 'x ${count(a)}', '${a[0]}', '${$host.x}', '${true}', 'c:\\ ${a}', '${a']) {
      expect(() => new CardTemplate({ body: [{ text: s }] }, 'bad.json'), s).to.throw(/card template/);
    }
  });
});

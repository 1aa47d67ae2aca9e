import { expect } from 'chai';
import fc from 'fast-check';
import { cardProblems as validate } from './fixtures/validate-card.js';
import { CardRenderer, escapeAll, escapeMarkdown, type CardName } from '../src/adapters/bot/cards.js';
import { cardSamples as samples } from './fixtures/card-samples.js';

describe('card templates', () => {
  const renderer = new CardRenderer();

  it('when the cards folder is read, then every template has sample data here', () => {
    expect(renderer.names().sort()).to.deep.equal(Object.keys(samples).sort());
  });

  for (const name of Object.keys(samples) as CardName[]) {
    it(`when ${name} is rendered with sample data, then the adaptivecards parser accepts it as version 1.5`, () => {
      const card = renderer.card(name, samples[name] as never);
      expect(card.version).to.equal('1.5');
      expect(validate(card)).to.deep.equal([]);
      expect(JSON.stringify(card)).to.not.contain('${');
    });
  }

  it('when any template is read, then it spells "enroll" the American way (enroll, enrollment), as Partner Center does', () => {
    for (const name of renderer.names()) {
      const text = JSON.stringify(renderer.card(name as CardName, samples[name as CardName] as never));
      expect(text, name).to.not.match(/\benrol\b|enrolment/i);
    }
  });

  it('when a card is broken, then the validation above reports it (the check can fail)', () => {
    const errors = validate({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text' }, { type: 'Input.Text', id: 'a' }, { type: 'Input.Text', id: 'a' }] });
    expect(errors.length).to.be.greaterThan(0);
  });

  it('when a form is rendered, then input values are kept exactly while shown text is escaped', () => {
    const card = JSON.stringify(renderer.card('contact-form', samples['contact-form']));
    expect(card).to.contain('"value":"first_last@x.example"');
    expect(card).to.contain('"value":"aaaaaaaa-0000-0000-0000-000000000001"');
    expect(card).to.contain('"verb":"contact.submit"');
  });

  it('when user text holds markdown, links or mentions, then it is escaped on the card', () => {
    const hostile = '[click](http://evil.example) **bold** <at>Alex</at>\n# heading';
    const card = renderer.card('message', { title: hostile, text: hostile, reference: '' });
    const text = JSON.stringify(card);
    expect(text).to.not.contain('[click](http');
    expect(text).to.not.contain('<at>');
    expect(escapeMarkdown('[a](b)')).to.equal('\\[a\\](b)');
    expect(escapeMarkdown('a\nb')).to.equal('a b');
  });

  it('when card data is escaped, then the copy is what escaping every string by its key gives, sharing no object', () => {
    // The plain definition: every string escaped unless its key is raw, every object and array copied.
    const RAW_KEY = /(Value|Id|Color|Url|Markdown)$|^(choice|verb|color|bar)$/;
    const plain = (value: unknown, key = ''): unknown => {
      if (typeof value === 'string') return RAW_KEY.test(key) ? value : escapeMarkdown(value);
      if (Array.isArray(value)) return value.map((v) => plain(v, key));
      if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, k)]));
      return value;
    };
    const text = fc.oneof(fc.string(), fc.constantFrom('a\nb', 'a\r\nb', 'a\rb', '[x](y)', '<at>A</at>', '`c` *b* _i_ #h ~s~ |t| \\'));
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('title', 'choice', 'verb', 'bar', 'color', 'userValue', 'offerId', 'linkUrl', 'bodyMarkdown', '__proto__'));
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.boolean(), fc.constant(null), fc.array(tie('tree'), { maxLength: 3 }), fc.dictionary(key, tie('tree'), { maxKeys: 4 })),
    }));
    fc.assert(
      fc.property(tree, (data) => {
        const escaped = escapeAll(data);
        expect(JSON.stringify(escaped)).to.equal(JSON.stringify(plain(data)));
        if (data !== null && typeof data === 'object') expect(escaped).to.not.equal(data);
      }),
      { numRuns: 300 },
    );
  });
});

import { expect } from 'chai';
import { cardProblems as validate } from './fixtures/validate-card.js';
import { CardRenderer, escapeMarkdown, type CardName } from '../src/adapters/bot/cards.js';
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
});

import { expect } from 'chai';
import { cardProblems as validate } from './fixtures/validate-card.js';
import { CardRenderer, escapeMarkdown, type CardModels, type CardName } from '../src/adapters/bot/cards.js';

/** Sample data for every template; a new template without a sample fails the first test. */
const samples: { [K in CardName]: CardModels[K] } = {
  welcome: { greeting: 'Hello Alex', commands: [{ name: 'help', description: 'What I can do' }], footer: 'In English.' },
  whoami: { summary: 'You are Alex', facts: [{ title: 'Company', value: 'Contoso' }] },
  'unknown-command': { heading: 'I don’t know that', commands: [{ name: 'help', description: 'What I can do' }] },
  message: { title: 'Done', text: 'It worked', reference: 'abc123' },
};

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

  it('when user text holds markdown, links or mentions, then it is escaped on the card', () => {
    const hostile = '[click](http://evil.example) **bold** <at>Alex</at>\n# heading';
    const card = renderer.card('message', { title: hostile, text: hostile, reference: '' });
    const text = JSON.stringify(card);
    expect(text).to.not.contain('[click](http');
    expect(text).to.not.contain('<at>');
    expect(escapeMarkdown('[a](b)')).to.equal('\\[a\\]\\(b\\)');
    expect(escapeMarkdown('a\nb')).to.equal('a b');
  });
});

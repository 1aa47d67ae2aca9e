import { expect } from 'chai';
import { cardProblems as validate } from './fixtures/validate-card.js';
import { CardRenderer, escapeMarkdown, type CardModels, type CardName } from '../src/adapters/bot/cards.js';

/** Sample data for every template; a new template without a sample fails the first test. */
const samples: { [K in CardName]: CardModels[K] } = {
  welcome: { greeting: 'Hello Alex', commands: [{ name: 'help', description: 'What I can do' }], rules: ['Run in English.'], footer: 'In English.' },
  whoami: { summary: 'You are Alex', facts: [{ title: 'Company', value: 'Contoso' }] },
  'unknown-command': { heading: 'I don’t know that', commands: [{ name: 'help', description: 'What I can do' }] },
  message: { title: 'Done', text: 'It worked', reference: 'abc123' },
  notice: { title: 'Offer is live', text: 'Enroll', buttonTitle: 'Enroll in Marketplace Rewards Program', verb: 'enroll.submit' },
  enroll: { banner: '', bannerColor: 'Default', company: 'Contoso', mpnId: '123456', intro: 'Enroll', offers: [{ name: 'Offer', detail: 'Transact' }], canEnroll: true },
  'contact-form': {
    banner: 'Fix it',
    bannerColor: 'Attention',
    intro: 'Choose',
    current: [{ title: 'Current contact', value: 'Megan' }],
    users: [{ title: 'Megan (m@x.example)', choice: 'aaaaaaaa-0000-0000-0000-000000000001' }],
    languages: [{ title: 'English', choice: 'en' }],
    userValue: 'aaaaaaaa-0000-0000-0000-000000000001',
    emailValue: 'first_last@x.example',
    phoneValue: '+14255550100',
    languageValue: 'en',
    errors: { user: '', email: 'Use another email', phone: '', language: '' },
    canAct: true,
  },
  'tech-form': {
    banner: '',
    bannerColor: 'Default',
    intro: 'Tell us',
    phases: [{ title: 'Design', choice: 'design' }],
    offers: [],
    phaseValue: '',
    offerValue: '',
    descriptionValue: '',
    errors: { phase: '', offerId: '', description: 'Describe it' },
    canAct: true,
  },
  'offers-optout': { banner: '', bannerColor: 'Default', offers: [{ name: 'Offer', detail: 'In', canAct: true, buttonTitle: 'Opt out', verb: 'offer.optout', offerId: 'o1' }] },
  benefits: {
    banner: 'Activated',
    bannerColor: 'Good',
    offerName: 'Offer',
    summary: 'Transact · Tier 1',
    hint: '',
    categories: [{ title: 'Marketing', benefits: [{ name: 'Blog', stateLabel: 'Available', color: 'Good', detail: '', activatable: true, offerId: 'o1', benefitId: 'b1' }] }],
    otherOffers: [{ title: 'Show Other', offerId: 'o2' }],
  },
  'campaign-composer': {
    banner: '',
    bannerColor: 'Default',
    titleValue: '',
    textValue: '',
    linkTitleValue: '',
    linkUrlValue: '',
    audienceValue: 'all',
    tierValue: '',
    listingTypeValue: '',
    marketplaceValue: '',
    publisherIdsValue: '',
    peopleValue: 'account_users',
    sendDateValue: '',
    sendTimeValue: '',
    audiences: [{ title: 'All publishers', choice: 'all' }],
    listingTypes: [{ title: 'list', choice: 'list' }],
    marketplaces: [{ title: 'AppSource', choice: 'appsource' }],
    errors: { title: 'Give a title', text: '', linkUrl: '', audience: '', sendAt: '' },
  },
  'campaign-progress': {
    title: 'Launch',
    statusLine: 'Sending…',
    statusColor: 'Accent',
    bar: '██░░ 50%',
    counts: [{ title: 'Sent', value: '1' }],
    audienceLine: 'All publishers',
    campaignId: 'C-1',
    canCancel: true,
    exportUrl: 'https://rewards.example/api/campaigns/C-1/results.csv?exp=1&sig=x',
  },
  'campaign-message': { banner: '', bannerColor: 'Default', title: 'News', bodyMarkdown: '**Bold** news', linkTitle: 'Read', linkUrl: 'https://example.com', campaignId: 'C-1' },
  'ticket-form': {
    banner: '',
    bannerColor: 'Default',
    categories: [{ title: 'Other', choice: 'other' }],
    offers: [{ title: 'Offer', choice: 'o1' }],
    categoryValue: 'other',
    offerValue: '',
    severityValue: 'normal',
    descriptionValue: '',
    errors: { description: 'Describe the problem.' },
  },
  ticket: {
    banner: '',
    bannerColor: 'Default',
    ticketId: 'RW-1001',
    headline: 'Other',
    status: 'assigned',
    statusColor: 'Accent',
    facts: [{ title: 'Severity', value: 'urgent' }],
    description: 'Help',
    history: ['2026-11-26 10:00 · Alex: raised the ticket'],
    canComment: false,
    agents: [{ title: 'Isaiah', choice: 'a1' }],
    canReply: true,
    canResolve: true,
    buttons: [{ title: 'Assign to me', verb: 'ticket.assign_me', ticketId: 'RW-1001' }],
  },
  'ticket-list': { title: 'Your tickets', empty: 'None', sections: [{ title: 'Open', tickets: [{ title: 'RW-1001', value: 'assigned' }] }] },
  'activation-notice': {
    banner: '',
    bannerColor: 'Default',
    title: 'Contoso activated Blog',
    stateLine: 'Waiting',
    stateColor: 'Warning',
    facts: [{ title: 'Offer', value: 'Offer' }],
    canContact: true,
    canComplete: true,
    publisherId: 'contoso',
    activationId: 'act-1',
  },
  status: {
    company: 'Contoso',
    tierLine: 'Tier 1',
    asOf: 'Jan 1, 2026',
    edition: '2020',
    metrics: [{ title: 'Billed sales counted', value: '$1' }],
    progress: { label: 'Progress to Tier 2', bar: '██░░ 50%', gap: '$1 more' },
    program: [{ title: 'Enrolment', value: 'yes' }],
    activations: [],
    engagements: [{ title: 'Offer', value: 'evergreen' }],
    notes: ['Note'],
  },
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

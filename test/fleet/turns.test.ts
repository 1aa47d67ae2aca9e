/**
 * Three instances on one database behind a (pretend) load balancer: each turn of a conversation may
 * reach a different instance, so nothing a conversation needs may live in one process. Turns here
 * alternate between instances on purpose.
 */
import { expect } from 'chai';
import { PostgresStore } from '../../src/adapters/store/postgres/postgres-store.js';
import { FakeConnector, textOfCard } from '../fixtures/fake-connector.js';
import { teamsMessage } from '../fixtures/activities.js';
import { postgresForTests } from '../fixtures/postgres.js';
import { fleetEnv, leaderOf, startFleet, stopFleet, until, type Instance } from './fleet.js';

const id = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;
const TENANT = '00000000-0000-0000-0000-0000000000001';
const CHANNEL = '19:support@thread.tacv2';
const ALEX_CHAT = `a:personal-${id(20)}`;
const ADELE_CHAT = `a:personal-${id(22)}`;

describe('a fleet of three instances: turns alternate between them', function () {
  this.timeout(120_000);
  const pg = postgresForTests();
  const connector = new FakeConnector();
  let fleet: Instance[] = [];
  let store: PostgresStore;

  before(async () => {
    const url = await pg.freshDatabase();
    await connector.start();
    fleet = await startFleet(3, connector, fleetEnv(url), { DEMO_DATA: 'on' });
    store = new PostgresStore(url);
    await store.open();
  });
  afterEach(function () {
    // eslint-disable-next-line no-console
    if (this.currentTest?.state === 'failed') for (const i of fleet) console.log(`--- ${i.name}:\n${i.output().slice(-2000)}`);
  });
  after(async () => {
    await stopFleet(fleet);
    await store?.close();
    await connector.stop();
  });

  const inChannel = (text: string, aad: string, name: string) => ({
    ...teamsMessage(`<at>Rewards</at> ${text}`, { serviceUrl: connector.url, aadObjectId: aad, name, conversationType: 'channel' }),
    conversation: { id: `${CHANNEL};messageid=1`, conversationType: 'channel', tenantId: TENANT, isGroup: true },
    channelData: { tenant: { id: TENANT }, channel: { id: CHANNEL }, team: { id: '19:team@thread.tacv2' } },
    entities: [{ type: 'mention', mentioned: { id: '28:rewards-bot', name: 'Rewards' }, text: '<at>Rewards</at>' }],
  });
  const lastCardIn = (conversation: string) => connector.messagesIn(conversation).at(-1)!;
  const ticketData = (description: string) => ({ category: 'other', offerId: '', severity: 'normal', description });
  /** Types `ticket` to one instance and returns the id of the form card it posted. */
  const openTicketForm = async (via: Instance, aad: string, name: string, chat: string) => {
    const res = await via.post(teamsMessage('ticket', { serviceUrl: connector.url, aadObjectId: aad, name }));
    expect(res.status, via.output()).to.equal(200);
    return lastCardIn(chat).id;
  };

  it('when a ticket form is opened on one instance and submitted on another, then the ticket exists once, and a second submission through a third finds it', async () => {
    const [a, b, c] = fleet as [Instance, Instance, Instance];
    await a.post(teamsMessage('hi', { serviceUrl: connector.url }));
    const form = await openTicketForm(a, id(20), 'Alex Wilber', ALEX_CHAT);
    const alex = teamsMessage('', { serviceUrl: connector.url });

    const raised = await b.click(alex, 'ticket.submit', ticketData('Where is my engagement manager?'), form);
    expect(textOfCard(raised)).to.contain('RW-1001');
    const again = await c.click(alex, 'ticket.submit', ticketData('Where is my engagement manager?'), form);
    expect(textOfCard(again)).to.contain('already raised RW-1001');
    expect((await store.listTickets()).map((t) => t.id)).to.deep.equal(['RW-1001']);
  });

  it('when a form is left with errors on one instance, then typing its command on another brings back the draft, and a third saves it', async () => {
    const [a, b, c] = fleet as [Instance, Instance, Instance];
    const alex = teamsMessage('', { serviceUrl: connector.url });
    const megan = { user: id(21), email: 'megan.marketing@contoso.example', phone: '+1 (425) 555-0100', language: 'en' };
    await a.post(teamsMessage('enroll', { serviceUrl: connector.url }));
    expect(textOfCard(await b.click(alex, 'enroll.submit', {}, lastCardIn(ALEX_CHAT).id))).to.contain('enrolled');
    await a.post(teamsMessage('contact', { serviceUrl: connector.url }));
    const refused = await c.click(alex, 'contact.submit', { ...megan, phone: 'call me' }, lastCardIn(ALEX_CHAT).id);
    expect(textOfCard(refused)).to.contain('Nothing was saved');

    await a.post(teamsMessage('contact', { serviceUrl: connector.url }));
    const resumed = JSON.stringify(lastCardIn(ALEX_CHAT).activity);
    expect(resumed).to.contain('"value":"call me"').and.contain('international format');
    const saved = await b.click(alex, 'contact.submit', megan, lastCardIn(ALEX_CHAT).id);
    expect(textOfCard(saved)).to.contain('Megan Bowen is now your company marketing contact');
    expect((await store.getPublisher('contoso'))?.state.contact?.email).to.equal(megan.email);
  });

  it('when the support channel is registered through an instance that does not lead, then the leader posts the next ticket there on the reference that instance saved', async () => {
    const leader = await leaderOf(fleet);
    const [other, third] = fleet.filter((i) => i !== leader) as [Instance, Instance];
    expect((await other.post(inChannel('register support channel', id(25), 'Isaiah Langer'))).status).to.equal(200);
    expect(await store.getConversationRef(`channel:${CHANNEL}`).then((r) => r !== undefined)).to.equal(true);

    const form = await openTicketForm(third, id(20), 'Alex Wilber', ALEX_CHAT);
    const raised = await other.click(teamsMessage('', { serviceUrl: connector.url }), 'ticket.submit', ticketData('My benefit has not arrived.'), form);
    expect(textOfCard(raised)).to.contain('RW-1002');
    // Only the leader sends the outbox: the card reaches the channel on the reference `other` saved.
    await until(async () => Boolean((await store.findOutbox('ticket:RW-1002:channel'))?.activityId), 'the channel card');
    const card = (await store.findOutbox('ticket:RW-1002:channel'))!.activityId!;
    expect(textOfCard(connector.view(CHANNEL, card, id(24)))).to.contain('RW-1002').and.contain('My benefit has not arrived.');
  });

  it('when two publishers raise tickets at the same moment through two instances, then they get distinct, consecutive numbers', async () => {
    const [a, b] = fleet as [Instance, Instance];
    await b.post(teamsMessage('hi', { serviceUrl: connector.url, aadObjectId: id(22), name: 'Adele Vance' }));
    const alexForm = await openTicketForm(b, id(20), 'Alex Wilber', ALEX_CHAT);
    const adeleForm = await openTicketForm(a, id(22), 'Adele Vance', ADELE_CHAT);
    const [alexCard, adeleCard] = await Promise.all([
      a.click(teamsMessage('', { serviceUrl: connector.url }), 'ticket.submit', ticketData('Alex, at the same moment'), alexForm),
      b.click(teamsMessage('', { serviceUrl: connector.url, aadObjectId: id(22), name: 'Adele Vance' }), 'ticket.submit', ticketData('Adele, at the same moment'), adeleForm),
    ]);
    const numbers = [textOfCard(alexCard), textOfCard(adeleCard)].map((t) => /RW-(\d+)/.exec(t)?.[1]).map(Number);
    expect(numbers.sort()).to.deep.equal([1003, 1004]);
    expect((await store.listTickets()).map((t) => t.id).sort()).to.deep.equal(['RW-1001', 'RW-1002', 'RW-1003', 'RW-1004']);
  });
});

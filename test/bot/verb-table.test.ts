import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, USERS, cardOf } from './harness.js';
import { CARDS_DIR } from '../../src/adapters/bot/cards.js';
import { dueNotifications } from '../../src/adapters/bot/flows/automatic.js';
import { routeTables } from '../../src/app.js';

const VERB = /^[a-z]+\.[a-z_]+$/;

/** Verbs written in the card templates, and the names of the templates that take the verb as data. */
function templateVerbs(): { literal: Set<string>; templated: string[] } {
  const literal = new Set<string>();
  const templated: string[] = [];
  for (const f of readdirSync(CARDS_DIR).filter((n) => n.endsWith('.json'))) {
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.type === 'Action.Execute' && typeof o.verb === 'string') {
          if (o.verb.includes('${')) templated.push(f);
          else literal.add(o.verb);
        }
        Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse(readFileSync(join(CARDS_DIR, f), 'utf8')));
  }
  return { literal, templated };
}

/**
 * Verbs the bot hands to templated `verb` fields as data: string literals in the bot's source that
 * look like verbs and are not table keys (`'x.y': handler`; a ternary's ` : ` is not a key). The card model types say where they go.
 */
function dataVerbs(): Set<string> {
  const out = new Set<string>();
  const dir = join(CARDS_DIR, '..', 'src', 'adapters', 'bot');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const f of files) {
    for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/'([a-z]+\.[a-z_]+)'(?!:)/g)) if (VERB.test(m[1]!)) out.add(m[1]!);
  }
  return out;
}

/** Registered verbs that no card shows yet (owned by another flow; remove when a card uses them). */
const NOT_ON_A_CARD_YET = new Set<string>();

describe('verb table', function () {
  this.timeout(20_000);
  let h: Harness;
  beforeEach(async () => (h = await Harness.create()));
  afterEach(async () => h.close());

  const registered = () => Object.keys(routeTables(h.deps).verbs);

  it('when the cards and the verb table are compared, then every verb a card uses is registered, and every registered verb is on some card', () => {
    const { literal, templated } = templateVerbs();
    expect(templated.sort()).to.deep.equal(['notice.json', 'offers-optout.json', 'ticket-queue.json', 'ticket.json']);
    const used = new Set([...literal, ...[...dataVerbs()].filter((v) => !literal.has(v))]);
    const table = new Set(registered());
    expect([...used].filter((v) => !table.has(v)), 'used on a card but not registered').to.deep.equal([]);
    expect([...table].filter((v) => !used.has(v) && !NOT_ON_A_CARD_YET.has(v)), 'registered but on no card').to.deep.equal([]);
    for (const v of NOT_ON_A_CARD_YET) expect(used.has(v), `${v} is on a card now: drop it from NOT_ON_A_CARD_YET`).to.equal(false);
  });

  it('when every registered verb gets data of the wrong shape, then each answers one error card without a reference and nothing is stored', async () => {
    await h.click('alex', 'enroll.submit');
    const before = JSON.stringify(await h.doc('contoso'));
    for (const verb of ['contact.submit', 'benefits.show', 'benefit.activate', 'tech.submit', 'offer.optout', 'offer.optin']) {
      const r = await h.click('alex', verb, { offerId: { $ne: 1 }, benefitId: 7, user: ['x'], phase: 5 });
      expect(r.statusCode, verb).to.equal(200);
      expect(r.text, verb).to.contain('could not be read').and.contain('nothing was changed');
      expect(r.text, verb).to.not.contain('Reference');
    }
    expect(JSON.stringify(await h.doc('contoso'))).to.equal(before);
  });

  it('when a command or a card action fails unexpectedly, then the answer is the same apology with a support reference; a refusal has none', async () => {
    h.deps.program.evaluate = async () => {
      throw new Error('disk on fire');
    };
    const typed = await h.ask('alex', 'status');
    const clicked = await h.click('alex', 'benefits.show', { offerId: 'contoso-insights' });
    for (const text of [typed.text, clicked.text]) {
      expect(text).to.contain('Sorry, something went wrong').and.match(/Reference: [0-9a-f]{8}/);
      expect(text).to.not.contain('disk on fire');
    }
    const refusedTyped = await h.ask('nestor', 'status');
    const refusedClick = await h.click('nestor', 'benefits.show', { offerId: 'contoso-insights' });
    expect(cardOf(refusedTyped)).to.deep.equal(refusedClick.card);
    expect(refusedClick.text).to.contain('Rewards staff').and.not.contain('Reference');
  });

  it('when an offer is activated but nobody contacted the publisher, or an offer is opted out, then help and the scan name the same offers', async () => {
    await h.click('alex', 'enroll.submit');
    await h.click('alex', 'contact.submit', { user: USERS.megan, email: 'megan.marketing@contoso.example', phone: '+14255550100', language: 'en' });
    await h.click('alex', 'benefit.activate', { offerId: 'contoso-trial', benefitId: 'engagement-manager' });
    await h.click('alex', 'offer.optout', { offerId: 'contoso-insights' });
    expect((await h.doc('contoso')).state.activations.map((a) => [a.offerId, a.contactedAt])).to.deep.equal([['contoso-trial', null]]);
    const help = await h.sayText('alex', 'help');
    expect(help).to.contain('Contoso Insights Trial has been live');
    expect(help).to.not.contain('Contoso Insights has been live');
    const doc = await h.doc('contoso');
    const items = await dueNotifications(h.deps, doc, await h.deps.program.evaluate('contoso', undefined, doc), null);
    const scanned = items.filter((i) => i.idempotencyKey.startsWith('nocontact:')).map((i) => i.idempotencyKey.split(':')[1]);
    expect([...new Set(scanned)]).to.deep.equal(['contoso-trial']);
  });
});

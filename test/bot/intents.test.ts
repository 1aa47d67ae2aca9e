import { expect } from 'chai';
import fc from 'fast-check';
import { INTENT_TEXT_LIMIT, intentOf } from '../../src/adapters/bot/intents.js';
import { INTENT_CASES } from './intent-cases.js';
import { Harness } from './harness.js';

describe('plain questions (keyword intents)', function () {
  this.timeout(20_000);

  for (const [phrasing, command] of INTENT_CASES) {
    it(`when someone types “${phrasing}”, then it reaches ${command ?? 'no command'}`, () => expect(intentOf(phrasing)).to.equal(command));
  }

  it('when the text is huge, then only its start is read (a keyword past the bound changes nothing)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), fc.integer({ min: INTENT_TEXT_LIMIT, max: 200_000 }), (head, pad) => {
        const padded = `${head}${' .'.repeat(pad)}`;
        expect(intentOf(`${padded} what is my tier`)).to.equal(intentOf(padded.slice(0, INTENT_TEXT_LIMIT)));
      }),
      { numRuns: 50 },
    );
  });

  describe('in a conversation', () => {
    let h: Harness;
    beforeEach(async () => {
      h = await Harness.create();
      for (const who of ['alex', 'lee', 'nestor'] as const) await h.say(who, 'hi'); // the welcome is behind them
    });
    afterEach(async () => h.close());

    it('when a publisher asks “what is my tier?”, then the status card answers', async () => {
      const replies = await h.say('alex', 'what is my tier?');
      expect(replies).to.have.length(1);
      expect(replies[0]!.text).to.contain('Contoso Cloud: Tier 1').and.contain('Billed sales counted');
    });

    it('when a publisher asks “how do I activate a benefit”, then the benefits card answers', async () => {
      expect(await h.sayText('alex', 'how do I activate a benefit')).to.contain('Benefits · Contoso Insights').and.contain('available to activate');
    });

    it('when a publisher says “nobody contacted me”, then the no-contact help answers with their own silent offers', async () => {
      const text = await h.sayText('lee', 'nobody contacted me');
      expect(text).to.contain('No message from the Rewards team').and.contain('Northwind Field Service for Dynamics 365').and.contain('raise a ticket');
      expect(text).to.not.contain('Type one of these');
    });

    it('when an exact command is typed, then it runs as before (intents never shadow commands)', async () => {
      expect(await h.sayText('alex', 'tickets')).to.not.contain('Benefits');
      expect(await h.sayText('alex', 'status')).to.contain('Contoso Cloud: Tier 1');
    });

    it('when Rewards staff ask a publisher question, then the answer is the same refusal a typed command gets', async () => {
      expect(await h.sayText('nestor', 'what is my tier?')).to.contain('Rewards staff');
    });
  });
});

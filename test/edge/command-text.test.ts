import { expect } from 'chai';
import fc from 'fast-check';
import { COMMAND_INPUT_LIMIT, normaliseCommandText, textWithoutMention } from '../../src/adapters/bot/command-text.js';
import { Harness } from '../bot/harness.js';

/** The regular expressions the command text was normalised with before (quadratic on some inputs). */
const reference = (text: string) =>
  text
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase()
    .replace(/[.!?]+$/, '')
    .trimEnd();

/** Text made of the characters the old expressions backtracked on, plus ordinary ones. */
const tricky = (maxLength: number) => fc.string({ unit: fc.constantFrom('<', '>', '.', '!', '?', ' ', '\t', '\n', 'a', 'B', 'é', '/'), maxLength });

/** A large input: a random chunk repeated up to ~100 KB, then a random tail. */
const large = fc
  .tuple(tricky(16).filter((s) => s.length > 0), fc.integer({ min: 1_000, max: 100_000 }), tricky(8))
  .map(([chunk, size, tail]) => chunk.repeat(Math.ceil(size / chunk.length)) + tail);

describe('command text: bounded and linear', () => {
  it('when typed text is at most the limit, then the command is what the old expressions gave', () => {
    fc.assert(
      fc.property(tricky(COMMAND_INPUT_LIMIT), (text) => {
        expect(normaliseCommandText(text)).to.equal(reference(text));
      }),
      { numRuns: 2_000 },
    );
  });

  it('when typed text is large, then the command is that of its first 512 characters, and at most that long', () => {
    fc.assert(
      fc.property(large, (text) => {
        const command = normaliseCommandText(text);
        expect(command).to.equal(reference(text.slice(0, COMMAND_INPUT_LIMIT)));
        expect(command.length).to.be.at.most(COMMAND_INPUT_LIMIT);
      }),
      { numRuns: 100 },
    );
  });

  it('when two large texts share their first 512 characters, then they give the same command whatever follows (the work per message is bounded)', () => {
    fc.assert(
      fc.property(large, tricky(2_000), tricky(2_000), (text, a, b) => {
        const head = text.slice(0, COMMAND_INPUT_LIMIT);
        expect(normaliseCommandText(head + a)).to.equal(normaliseCommandText(head + b));
      }),
      { numRuns: 100 },
    );
  });

  it('when the cases the old expressions were slow on are given at 100 KB, then each gives the right command', () => {
    const n = 100_000;
    // The letter lies past the limit: what is read is dots only, all of them trailing punctuation.
    expect(normaliseCommandText(`${'.'.repeat(n)}x`)).to.equal('');
    expect(normaliseCommandText(`x${'.'.repeat(n)}x`)).to.equal('x');
    expect(normaliseCommandText(`x${'.a'.repeat(n)}`)).to.equal(`x${'.a'.repeat((COMMAND_INPUT_LIMIT - 1) / 2)}`);
    expect(normaliseCommandText('<'.repeat(n))).to.equal('<'.repeat(COMMAND_INPUT_LIMIT));
    expect(normaliseCommandText(`help ${'!'.repeat(n)}`)).to.equal('help');
    expect(normaliseCommandText(`<at>Rewards</at> STATUS${' '.repeat(n)}`)).to.equal('rewards status');
  });

  it('when the bot is mentioned, then the first mention is removed, without touching the activity', () => {
    const activity = { text: '<at>Rewards</at> help', recipient: { id: '28:bot' }, entities: [{ type: 'mention', text: '<at>Rewards</at>', mentioned: { id: '28:bot' } }] };
    expect(textWithoutMention(activity)).to.equal('help');
    expect(activity.text).to.equal('<at>Rewards</at> help');
    expect(textWithoutMention({ text: 'help', recipient: {}, entities: [{ type: 'mention' }, 'x', null] })).to.equal('help');
    expect(textWithoutMention({ text: undefined })).to.equal('');
  });

  describe('through the bot', () => {
    let h: Harness;
    before(async () => (h = await Harness.create()));
    after(() => h.close());

    it('when a 100 KB message of dots is typed, then the answer asks for a command', async () => {
      await h.say('alex', 'help'); // past the first-contact welcome
      expect(await h.sayText('alex', `${'.'.repeat(100_000)}x`)).to.contain('Type a command.');
    });

    it('when a 100 KB message of words and dots is typed, then it is answered as an unknown command, quoting only its start', async () => {
      expect(await h.sayText('alex', `x${'.y'.repeat(50_000)}`)).to.contain(`I don't know “x${'.y'.repeat(29)}.”`);
    });

    it('when a command is followed by 100 KB of punctuation, then the command still runs', async () => {
      expect(await h.sayText('alex', `whoami ${'?'.repeat(100_000)}`)).to.contain('Contoso Cloud');
    });
  });
});

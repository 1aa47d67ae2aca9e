/**
 * A ticket across the demo's Playgrounds (headless Chromium), on the app as `npm start` runs it:
 * Alex Wilber (publisher owner) raises it in his personal chat; Isaiah Langer (support agent) works
 * it in the support channel of his own Playground; each sees every change the other makes.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import { expect } from 'chai';
import { playgroundJourney } from './app-process.js';

const ALEX = 'Alex Wilber';
const ISAIAH = 'Isaiah Langer';
// The agent's card, by its headline: the help text also mentions "ticket RW-1001", and channel
// posts are drawn newest first.
const TICKET = 'RW-1001 · Contoso Cloud';
// The publisher's ticket card, by its comment box: the notes in the chat also name RW-1001.
const PUBLISHER_CARD = 'Add a comment';

describe('ticket journey across the demo Playgrounds (headless Chromium)', function () {
  this.timeout(180_000);
  const ui = playgroundJourney('ticket', [ALEX, ISAIAH]);

  it('when the support agent registers the support channel, then the bot confirms in the channel', async () => {
    await ui(ISAIAH).switchToChannel('Support');
    await ui(ISAIAH).send('register support channel');
    await ui(ISAIAH).waitForText('This channel now receives support tickets', 20_000);
  });

  it('when the publisher raises a ticket, then it gets a number in the personal chat and lands in the agent’s channel', async () => {
    await ui(ALEX).send('ticket');
    await ui(ALEX).waitForText('Raise a support ticket', 15_000);
    await ui(ALEX).fillInput('Description', 'Our offer has been live for six weeks and nobody called.');
    await ui(ALEX).click('Submit ticket');
    await ui(ALEX).waitForText('RW-1001', 15_000);
    const card = await ui(ISAIAH).waitForText(TICKET, 20_000);
    expect(card.text).to.contain('Our offer has been live for six weeks').and.contain('Status: unassigned');
  });

  it('when the agent assigns and replies in the channel, then the publisher sees the reply and the new status', async () => {
    await ui(ISAIAH).click('Assign to me', TICKET);
    await ui(ISAIAH).waitForText('assigned it to themselves', 15_000);
    await ui(ISAIAH).fillInput('Reply to the publisher', 'Sorry about that: your engagement manager will call today.', TICKET);
    await ui(ISAIAH).click('Reply', TICKET);
    await ui(ISAIAH).waitForText('Isaiah Langer replied', 15_000);
    const seen = await ui(ALEX).waitForText('your engagement manager will call today', 20_000);
    expect(seen.text).to.contain('RW-1001');
    await ui(ALEX).waitForText('Status: assigned', 10_000);
  });

  it('when the agent waits on the partner and the publisher answers on the ticket card, then the agent’s card shows the answer', async () => {
    await ui(ISAIAH).click('Waiting on partner', TICKET);
    await ui(ISAIAH).waitForText('Status: waiting on the partner', 15_000);
    await ui(ALEX).waitForText('RW-1001: waiting on you', 20_000);
    // The publisher's own ticket card (the only one with a comment box) was edited in place too.
    await ui(ALEX).waitForText('Status: waiting on you', 10_000);
    await ui(ALEX).fillInput('Add a comment', 'We can talk any weekday morning, Seattle time.', PUBLISHER_CARD);
    await ui(ALEX).click('Add comment', PUBLISHER_CARD);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const card = (await ui(ISAIAH).messages()).find((m) => m.text.includes(TICKET))?.text ?? '';
      if (card.includes('We can talk any weekday morning') && card.includes('Status: assigned')) break;
      if (Date.now() > deadline) throw new Error(`the agent's card never showed the publisher's answer:\n${card}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  it('when the agent resolves the ticket, then the publisher is told', async () => {
    await ui(ISAIAH).fillInput('Resolution note', 'Call booked for Tuesday 9:00.', TICKET);
    await ui(ISAIAH).click('Resolve', TICKET);
    await ui(ISAIAH).waitForText('Status: resolved', 15_000);
    const told = await ui(ALEX).waitForText('RW-1001: resolved', 20_000);
    expect(told.text).to.contain('Call booked for Tuesday 9:00.');
  });
});

/**
 * A campaign across the demo's Playgrounds (headless Chromium), on the app as `npm start` runs it:
 * Nestor Wilke (Rewards team) composes and sends it in his Playground; it arrives in Alex Wilber's
 * (owner at Contoso Cloud), and Alex's Acknowledge shows on Nestor's progress card, edited in place.
 * Megan Bowen, Contoso's other account user, never opens her Playground: she stays unreachable, as
 * someone who has not installed the app in Teams.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import { expect } from 'chai';
import { playgroundJourney } from './app-process.js';

const TITLE = 'Marketplace Rewards webinar';
const NESTOR = 'Nestor Wilke';
const ALEX = 'Alex Wilber';

describe('campaign journey across the demo Playgrounds (headless Chromium)', function () {
  this.timeout(150_000);
  const ui = playgroundJourney('campaign', [NESTOR, ALEX]);

  it('when the composer counts recipients, then the count is shown before sending', async () => {
    const nestor = ui(NESTOR);
    await nestor.send('campaign');
    await nestor.waitForText('New campaign', 15_000);
    await nestor.fillInput('Title', TITLE);
    await nestor.fillInput('Message (markdown)', 'Join our webinar on co-sell next Tuesday.');
    await nestor.chooseOption('Audience', 'Named publishers…');
    await nestor.fillInput('Publisher ids, comma-separated (for “named publishers”)', 'contoso');
    await nestor.click('Count recipients');
    await nestor.waitForText('2 recipients', 15_000);
  });

  it('when Send is pressed, then the composer asks to confirm the count first', async () => {
    await ui(NESTOR).click('Send…');
    await ui(NESTOR).waitForText('Confirm: send to 2 recipients', 15_000);
  });

  it('when the send is confirmed, then the campaign arrives in the owner’s Playground', async () => {
    await ui(NESTOR).click('Confirm: send to 2 recipients');
    await ui(NESTOR).waitForText(`Campaign: ${TITLE}`, 15_000);
    const got = await ui(ALEX).waitForText('Join our webinar on co-sell next Tuesday.', 30_000);
    expect(got.fromBot).to.equal(true);
    expect(got.text).to.contain(TITLE).and.contain('Acknowledge');
  });

  it('when the sends settle, then the progress card says who got it and who could not be reached', async () => {
    const done = await ui(NESTOR).waitForText('1 of 2 recipients delivered: 1 unreachable (the app is not installed for them)', 30_000);
    expect(done.text).to.match(/Delivered\s+1/).and.match(/Acknowledged\s+0 of 1/);
  });

  it('when the owner acknowledges, then the progress card shows it, still one card', async () => {
    await ui(ALEX).click('Acknowledge', 'Join our webinar on co-sell next Tuesday.');
    await ui(ALEX).waitForText('Thanks: acknowledged.', 15_000);
    const deadline = Date.now() + 30_000;
    let progress = '';
    for (;;) {
      progress = (await ui(NESTOR).messages()).find((m) => m.text.includes(`Campaign: ${TITLE}`))?.text ?? '';
      if (/Acknowledged\s+1 of 1/.test(progress)) break;
      if (Date.now() > deadline) throw new Error(`the progress card never showed the acknowledgement:\n${progress}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    // Updated in place: still one card for the campaign, no new message.
    const cards = (await ui(NESTOR).messages()).filter((m) => m.text.includes(`Campaign: ${TITLE}`));
    expect(cards).to.have.length(1);
  });
});

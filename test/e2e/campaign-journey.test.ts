/**
 * A Rewards team member (Playground mock user Nestor Wilke) sends a campaign from the personal
 * chat, confirms the count, and watches its progress card, updated in place by the bot, settle.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import { expect } from 'chai';
import { playgroundJourney } from './app-process.js';

describe('campaign journey in the Agents Playground (headless Chromium)', function () {
  this.timeout(120_000);
  const ui = playgroundJourney('campaign', { PLAYGROUND_USER: '24' });

  it('when the composer counts recipients, then the count is shown before sending', async () => {
    await ui().send('campaign');
    await ui().waitForText('New campaign', 15_000);
    await ui().fillInput('Title', 'Marketplace Rewards webinar');
    await ui().fillInput('Message (markdown)', 'Join our webinar on co-sell next Tuesday.');
    await ui().chooseOption('Audience', 'Named publishers…');
    await ui().fillInput('Publisher ids, comma-separated (for “named publishers”)', 'contoso');
    await ui().click('Count recipients');
    await ui().waitForText('2 recipients', 15_000);
  });

  it('when Send is pressed, then the composer asks to confirm the count first', async () => {
    await ui().click('Send…');
    await ui().waitForText('Confirm: send to 2 recipients', 15_000);
  });

  it('when the send is confirmed, then its progress card is updated in place and says what happened', async () => {
    await ui().click('Confirm: send to 2 recipients');
    await ui().waitForText('Campaign: Marketplace Rewards webinar', 15_000);
    // Nobody at Contoso has the app in this one-Playground demo: the card says so instead of "Finished".
    const done = await ui().waitForText('0 of 2 recipients delivered: 2 unreachable (the app is not installed for them)', 30_000);
    expect(done.text).to.contain('Unreachable').and.contain('Recipients').and.not.contain('Finished');
    // Updated in place: still one card for the campaign, no new message.
    const cards = (await ui().messages()).filter((m) => m.text.includes('Campaign: Marketplace Rewards webinar'));
    expect(cards).to.have.length(1);
  });
});

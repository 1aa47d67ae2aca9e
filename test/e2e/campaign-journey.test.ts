/**
 * A Rewards team member (Playground mock user Nestor Wilke) sends a campaign from the personal
 * chat and watches its progress card, updated in place by the bot, reach "Finished".
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

  it('when the campaign is sent, then its progress card is updated in place until it is finished', async () => {
    await ui().click('Send');
    await ui().waitForText('Campaign: Marketplace Rewards webinar', 15_000);
    const done = await ui().waitForText('Finished', 30_000);
    expect(done.text).to.contain('Unreachable').and.contain('Recipients');
    // Updated in place: still one card for the campaign, no new message.
    const cards = (await ui().messages()).filter((m) => m.text.includes('Campaign: Marketplace Rewards webinar'));
    expect(cards).to.have.length(1);
  });
});

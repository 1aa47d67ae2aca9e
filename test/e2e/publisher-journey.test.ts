/**
 * A publisher owner's first session in the Agents Playground (headless Chromium), on the app as
 * `npm start` runs it: enroll → assign the contact with the account email (the card shows the
 * error) → assign a valid contact → activate a benefit → status shows it activated.
 * Skips when /usr/bin/chromium is absent, unless REQUIRE_BROWSER=1 (then it fails).
 */
import { expect } from 'chai';
import { playgroundJourney } from './app-process.js';

const EMAIL_LABEL = 'Email (not the company’s Partner Center account email)';
const PHONE_LABEL = 'Phone (international format, e.g. +14255550100)';

describe('publisher journey in the Agents Playground (headless Chromium)', function () {
  this.timeout(120_000);
  const ui = playgroundJourney('journey');

  it('when the owner enrolls, then the card changes in place to say the company is enrolled', async () => {
    await ui().send('enroll');
    await ui().waitForText('Enrolling makes all your live offers eligible', 15_000);
    await ui().click('Enroll in Marketplace Rewards Program');
    await ui().waitForText('Contoso Cloud is enrolled in Marketplace Rewards', 15_000);
  });

  it('when the contact email is the company account email, then the card shows the error in the form', async () => {
    await ui().send('contact');
    await ui().waitForText('Company marketing contact', 15_000);
    await ui().chooseOption('Account user', 'Megan Bowen (meganb@contoso.example)');
    await ui().fillInput(EMAIL_LABEL, 'partners@contoso.example');
    await ui().fillInput(PHONE_LABEL, '+1 425 555 0100');
    await ui().click('Assign user');
    const msg = await ui().waitForText('different from the company', 15_000);
    expect(msg.text).to.contain('Nothing was saved');
  });

  it('when a valid contact is assigned, then the card confirms it', async () => {
    await ui().fillInput(EMAIL_LABEL, 'megan.marketing@contoso.example');
    await ui().click('Assign user');
    await ui().waitForText('Megan Bowen is now your company marketing contact', 15_000);
  });

  it('when a benefit is activated, then the card promises contact within a week', async () => {
    await ui().send('benefits');
    await ui().waitForText('Benefits · Contoso Insights', 15_000);
    await ui().click('Activate');
    await ui().waitForText('will contact Megan Bowen within a week', 15_000);
  });

  it('when status is asked for, then it shows the activation', async () => {
    await ui().send('status');
    const msg = await ui().waitForText('Activations', 15_000);
    expect(msg.text).to.contain('activated today').and.contain('Megan Bowen');
  });
});

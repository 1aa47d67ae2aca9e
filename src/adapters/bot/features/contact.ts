/**
 * The company marketing contact: one of the account users, an email other than the Partner Center
 * account email, a phone and a language. Invalid input re-renders the form with field errors.
 */
import { z } from 'zod';
import { PreferredLanguage } from '../../../domain/model.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type VerbTable } from '../turn.js';
import { formatDateTime } from '../flows/present.js';
import { LANGUAGE_NAMES, bad, callerOf, canAct, lookOnly, noBanner, submissionKey, userName, type FeatureCaller } from './common.js';

export const ContactData = z.object({
  user: z.string().max(100).default(''),
  email: z.string().max(320).default(''),
  phone: z.string().max(40).default(''),
  language: z.string().max(10).default(''),
});

function contactCard(deps: BotDeps, doc: PublisherDoc, caller: FeatureCaller, draft: Record<string, string>, errors: Record<string, string>, banner: Banner) {
  const c = doc.state.contact;
  const enrolled = doc.state.enrolment !== null;
  const chosen = draft.user ?? c?.aadObjectId ?? '';
  const chosenUser = doc.publisher.users.find((u) => u.aadObjectId === chosen);
  return deps.cards.card('contact-form', {
    ...banner,
    intro: !enrolled
      ? 'Enroll first (type enroll); then assign the person the Rewards team will contact.'
      : canAct(caller)
        ? 'The Rewards team contacts this person about your benefits. Choose one of your account users (add new people in Partner Center "Account settings" first).'
        : lookOnly(doc, caller, 'assign the marketing contact'),
    current: c
      ? [
          { title: 'Current contact', value: c.name },
          { title: 'Email', value: c.email },
          { title: 'Phone', value: c.phone },
          { title: 'Language', value: LANGUAGE_NAMES[c.language] },
        ]
      : [],
    users: doc.publisher.users.map((u) => ({ title: `${u.name} (${u.email})`, choice: u.aadObjectId })),
    languages: PreferredLanguage.options.map((l) => ({ title: LANGUAGE_NAMES[l], choice: l })),
    userValue: chosen,
    emailValue: draft.email ?? c?.email ?? (chosenUser?.email !== doc.publisher.accountEmail ? (chosenUser?.email ?? '') : ''),
    phoneValue: draft.phone ?? c?.phone ?? '',
    languageValue: draft.language ?? c?.language ?? 'en',
    errors: { user: errors.user ?? '', email: errors.email ?? '', phone: errors.phone ?? '', language: errors.language ?? '' },
    canAct: enrolled && canAct(caller),
  });
}

/** The submitted form's receipt: the contact as saved, when and by whom. */
function contactReceipt(deps: BotDeps, doc: PublisherDoc, duplicate: boolean) {
  const c = doc.state.contact!;
  return deps.cards.card('receipt', {
    ...(duplicate ? { banner: 'This form was already submitted: nothing changed.', bannerColor: 'Default' as const } : noBanner),
    title: `${c.name} is now your company marketing contact`,
    facts: [
      { title: 'Contact', value: c.name },
      { title: 'Email', value: c.email },
      { title: 'Phone', value: c.phone },
      { title: 'Language', value: LANGUAGE_NAMES[c.language] },
    ],
    savedLine: `Saved ${formatDateTime(c.assignedAt)} by ${userName(doc, c.assignedBy)}`,
    next: `The Rewards team contacts ${c.name} about your benefits. Next: type benefits to activate one; type contact to change the contact.`,
  });
}

const contactCommand: Command = {
  name: 'contact',
  description: 'Assign or change your company marketing contact',
  audience: 'everyone',
  personalOnly: true,
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const { draft, errors } = await (await turn.forms()).resume('contact');
    await turn.ctx.sendActivity({ attachments: [asAttachment(contactCard(deps, doc, caller, draft, errors, noBanner))] });
  },
};

export const contactCommands: Command[] = [contactCommand];

export const contactVerbs: VerbTable = {
  'contact.submit': verb(ContactData, async (turn, data, deps) => {
    const { caller, doc } = await callerOf(turn, deps);
    const input = { aadObjectId: data.user, email: data.email, phone: data.phone, language: data.language, submission: submissionKey(turn, caller) };
    const r = await deps.program.assignContact(caller, input);
    const forms = await turn.forms();
    if (!r.ok) {
      const fields = r.error.fields ?? {};
      await forms.open('contact', data, fields);
      return contactCard(deps, doc, caller, data, fields, bad(r.error.code === 'invalid_input' ? 'Please correct the fields marked below. Nothing was saved.' : r.error.message));
    }
    await forms.close();
    const after = (await callerOf(turn, deps)).doc;
    return contactReceipt(deps, after, r.duplicate);
  }),
};

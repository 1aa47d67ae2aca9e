/**
 * What publishers do in chat: enroll, marketing contact, benefits and activation, status,
 * technical assistance, opt out / in. One handler per command and per card verb; cards are
 * templates; the publisher is always the caller's company, never something a card names.
 */
import { z } from 'zod';
import { PreferredLanguage, TechPhase } from '../../../domain/model.js';
import { isLive, type BenefitStatus, type Evaluation, type Failure } from '../../../domain/program/index.js';
import { ProgramService, type PublisherCaller } from '../../../services/program.js';
import { AppError } from '../../../services/errors.js';
import type { PublisherDoc } from '../../store/store.js';
import { asAttachment, type Banner, type CardModels } from '../cards.js';
import type { VerbHandler } from '../rewards-bot.js';
import type { BotDeps, Command, Turn } from '../turn.js';
import { ageInDays, formatDay, formatUsd, progressBar } from './present.js';

const LANGUAGE_NAMES: Record<z.infer<typeof PreferredLanguage>, string> = {
  en: 'English', de: 'German', es: 'Spanish', fr: 'French', it: 'Italian', ja: 'Japanese', ko: 'Korean', nl: 'Dutch', pt: 'Portuguese', zh: 'Chinese',
};
const PHASE_NAMES: Record<z.infer<typeof TechPhase>, string> = { presales: 'Presales', design: 'Design', deployment: 'Deployment', app_development: 'App development' };
const LISTING_NAMES = { list: 'Contact me / free listing', trial: 'Free trial', consulting: 'Consulting service', transact: 'Transact' } as const;
const STATE_LABEL: Record<BenefitStatus['state'], { label: string; color: string }> = {
  locked: { label: 'Locked', color: 'Default' },
  available: { label: 'Available', color: 'Good' },
  activated: { label: 'Activated', color: 'Accent' },
  in_progress: { label: 'In progress', color: 'Accent' },
  completed: { label: 'Completed', color: 'Good' },
  expired: { label: 'Expired', color: 'Warning' },
  revoked: { label: 'Revoked', color: 'Attention' },
};
const CATEGORY_TITLES = { marketing: 'Marketing', sales: 'Sales', technical: 'Technical' } as const;

const noBanner: Banner = { banner: '', bannerColor: 'Default' };
const good = (banner: string): Banner => ({ banner, bannerColor: 'Good' });
const bad = (banner: string): Banner => ({ banner, bannerColor: 'Attention' });

const canAct = (caller: PublisherCaller) => caller.role === 'owner' || caller.role === 'manager';

/** "Only owners and managers can …: ask Alex Wilber." for users who may look but not act. */
function lookOnly(doc: PublisherDoc, what: string): string {
  const who = ProgramService.actors(doc);
  return `Only an owner or a manager of your Partner Center account can ${what}${who.length ? `: ask ${who.join(' or ')}` : ''}.`;
}

async function callerOf(turn: Turn, deps: BotDeps) {
  return deps.program.publisherCaller(turn.identity);
}

// ---- enroll ---------------------------------------------------------------------------------------

function enrollCard(deps: BotDeps, doc: PublisherDoc, caller: PublisherCaller, banner: Banner): Record<string, unknown> {
  const today = deps.now().toISOString().slice(0, 10);
  const live = doc.offers.filter((o) => isLive(o, today));
  const enrolment = doc.state.enrolment;
  let intro: string;
  let canEnroll = false;
  if (enrolment) intro = `${doc.publisher.name} is enrolled since ${formatDay(enrolment.enrolledAt)}. Next: assign your marketing contact (type contact), then activate benefits (type benefits).`;
  else if (doc.publisher.mpnId === null) intro = 'Your company needs an MPN ID (Partner global account) to enroll. Add it in Partner Center, then try again.';
  else if (live.length === 0) intro = 'You need at least one live offer on AppSource or Azure Marketplace to enroll. Publish an offer, then try again.';
  else if (!canAct(caller)) intro = lookOnly(doc, 'enroll the company');
  else {
    intro = 'Enrolling makes all your live offers eligible for Marketplace Rewards benefits:';
    canEnroll = true;
  }
  return deps.cards.card('enroll', {
    ...banner,
    company: doc.publisher.name,
    mpnId: doc.publisher.mpnId ?? 'none',
    intro,
    offers: live.map((o) => ({ name: o.name, detail: `${LISTING_NAMES[o.listingType]} · live since ${o.liveDate ? formatDay(o.liveDate) : 'unknown'}` })),
    canEnroll,
  });
}

const enrollCommand: Command = {
  name: 'enroll',
  description: 'Enroll your company in Marketplace Rewards',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    await (await turn.forms()).open('enroll');
    await turn.ctx.sendActivity({ attachments: [asAttachment(enrollCard(deps, doc, caller, noBanner))] });
  },
};

const enrollSubmit: VerbHandler = async (turn, _data, deps) => {
  const { caller } = await callerOf(turn, deps);
  const r = await deps.program.enroll(caller);
  const { doc } = await callerOf(turn, deps);
  if (!r.ok) return enrollCard(deps, doc, caller, bad(r.error.message));
  await (await turn.forms()).close();
  return enrollCard(deps, doc, caller, good(r.alreadyEnrolled ? 'Your company was already enrolled: nothing changed.' : `${doc.publisher.name} is enrolled in Marketplace Rewards.`));
};

// ---- marketing contact ------------------------------------------------------------------------------

const ContactData = z.object({
  user: z.string().max(100).default(''),
  email: z.string().max(320).default(''),
  phone: z.string().max(40).default(''),
  language: z.string().max(10).default(''),
});

function contactCard(deps: BotDeps, doc: PublisherDoc, caller: PublisherCaller, draft: Record<string, string>, errors: Record<string, string>, banner: Banner) {
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
        : lookOnly(doc, 'assign the marketing contact'),
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

const contactCommand: Command = {
  name: 'contact',
  description: 'Assign or change your company marketing contact',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const { draft, errors } = await (await turn.forms()).resume('contact');
    await turn.ctx.sendActivity({ attachments: [asAttachment(contactCard(deps, doc, caller, draft, errors, noBanner))] });
  },
};

const contactSubmit: VerbHandler = async (turn, data, deps) => {
  const { caller, doc } = await callerOf(turn, deps);
  const parsed = ContactData.safeParse(data);
  if (!parsed.success) throw new AppError('invalid_input', 'That form could not be read. Type contact to get a fresh one.');
  const input = { aadObjectId: parsed.data.user, email: parsed.data.email, phone: parsed.data.phone, language: parsed.data.language };
  const r = await deps.program.assignContact(caller, input);
  const forms = await turn.forms();
  if (!r.ok) {
    const fields = r.error.fields ?? {};
    await forms.open('contact', parsed.data, fields);
    return contactCard(deps, doc, caller, parsed.data, fields, bad(r.error.code === 'invalid_input' ? 'Please correct the fields marked below. Nothing was saved.' : r.error.message));
  }
  await forms.close();
  const after = (await callerOf(turn, deps)).doc;
  return contactCard(deps, after, caller, {}, {}, good(`${after.state.contact!.name} is now your company marketing contact.`));
};

// ---- benefits and activation --------------------------------------------------------------------

function benefitsCard(deps: BotDeps, doc: PublisherDoc, caller: PublisherCaller, e: Evaluation, offerId: string | undefined, banner: Banner) {
  const offers = e.offers.filter((o) => o.benefits.length > 0);
  const offer = offers.find((o) => o.offerId === offerId) ?? offers[0];
  if (!offer) {
    return deps.cards.card('message', { title: 'Benefits', text: 'You have no live offers yet: benefits start when an offer goes live.', reference: '' });
  }
  const acting = canAct(caller);
  const categories = (['marketing', 'sales', 'technical'] as const)
    .map((cat) => ({
      title: CATEGORY_TITLES[cat],
      benefits: offer.benefits
        .filter((b) => b.category === cat)
        .map((b) => ({
          name: b.sponsorshipUsd ? `${b.name} (${formatUsd(b.sponsorshipUsd)})` : b.name,
          stateLabel: STATE_LABEL[b.state].label,
          color: STATE_LABEL[b.state].color,
          detail: [...b.reasons, ...b.notes, ...(b.state === 'available' && b.use === 'tech_request' ? ['Type tech to submit a request'] : [])].join(' · '),
          activatable: acting && b.state === 'available' && b.use === 'activate',
          offerId: offer.offerId,
          benefitId: b.id,
        })),
    }))
    .filter((c) => c.benefits.length > 0);
  const engagement = offer.engagement?.kind === 'window' ? (offer.engagement.over ? 'engagement window over' : `${offer.engagement.daysLeft} days left in the engagement window`) : offer.engagement?.kind === 'evergreen' ? 'evergreen engagement' : '';
  let hint = '';
  if (!acting) hint = lookOnly(doc, 'activate benefits');
  else if (!e.enrolled) hint = 'Enroll first (type enroll) to activate benefits.';
  else if (!e.hasContact) hint = 'Assign a marketing contact (type contact) to activate benefits.';
  return deps.cards.card('benefits', {
    ...banner,
    offerName: offer.name,
    summary: [LISTING_NAMES[offer.listingType], e.tierName, engagement, offer.optedOut ? 'opted out' : ''].filter(Boolean).join(' · '),
    hint,
    categories,
    otherOffers: offers.filter((o) => o.offerId !== offer.offerId).map((o) => ({ title: `Show ${o.name}`, offerId: o.offerId })),
  });
}

const benefitsCommand: Command = {
  name: 'benefits',
  description: 'Your benefits per offer, and Activate',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const e = await deps.program.evaluate(caller.publisherId, undefined, doc);
    await turn.ctx.sendActivity({ attachments: [asAttachment(benefitsCard(deps, doc, caller, e, undefined, noBanner))] });
  },
};

const OfferRef = z.object({ offerId: z.string().max(64) });
const BenefitRef = z.object({ offerId: z.string().max(64), benefitId: z.string().max(64) });

/** Card data names an offer: it must be one of the caller's own, whatever the payload says. */
function ownOffer(doc: PublisherDoc, offerId: string) {
  const offer = doc.offers.find((o) => o.id === offerId);
  if (!offer) throw new AppError('forbidden', 'That offer is not one of your company’s offers.');
  return offer;
}

const benefitsShow: VerbHandler = async (turn, data, deps) => {
  const { caller, doc } = await callerOf(turn, deps);
  const { offerId } = parseData(OfferRef, data);
  ownOffer(doc, offerId);
  return benefitsCard(deps, doc, caller, await deps.program.evaluate(caller.publisherId), offerId, noBanner);
};

const benefitActivate: VerbHandler = async (turn, data, deps) => {
  const { caller, doc } = await callerOf(turn, deps);
  const { offerId, benefitId } = parseData(BenefitRef, data);
  ownOffer(doc, offerId);
  const r = await deps.program.activate(caller, offerId, benefitId);
  const after = (await callerOf(turn, deps)).doc;
  const e = await deps.program.evaluate(caller.publisherId);
  if (!r.ok) return benefitsCard(deps, after, caller, e, offerId, bad(r.error.message));
  const contact = after.state.contact?.name ?? 'your marketing contact';
  const name = e.offers.find((o) => o.offerId === offerId)?.benefits.find((b) => b.id === benefitId)?.name ?? benefitId;
  return benefitsCard(deps, after, caller, e, offerId, good(`${name} is activated. A member of the Rewards team will contact ${contact} within a week.`));
};

// ---- status ------------------------------------------------------------------------------------------

function statusCard(deps: BotDeps, doc: PublisherDoc, e: Evaluation, openTickets: number): CardModels['status'] {
  const now = deps.now();
  const metrics = [{ title: 'Billed sales counted', value: `${formatUsd(e.countedBilledSalesUsd)}${e.salesFrom ? ` since ${formatDay(e.salesFrom)}` : ''} (after fraud and cancellations)` }];
  if (e.countedSeats !== null) metrics.push({ title: 'Seats counted', value: e.countedSeats.toLocaleString('en-US') });
  if (e.countedMau !== null) metrics.push({ title: 'Teams app MAU', value: e.countedMau.toLocaleString('en-US') });
  let progress = { label: '', bar: '', gap: '' };
  if (e.nextTier) {
    const current = deps.program.edition.tiers.find((t) => t.tier === e.tier);
    const next = deps.program.edition.tiers.find((t) => t.tier === e.nextTier!.tier);
    const from = current?.billedSalesUsd ?? 0;
    const to = next?.billedSalesUsd ?? from;
    const fraction = to > from ? (e.countedBilledSalesUsd - from) / (to - from) : 0;
    const gaps = e.nextTier.gaps;
    const ways = [
      gaps.billedSalesUsd !== undefined ? `${formatUsd(gaps.billedSalesUsd)} more in billed sales` : '',
      gaps.seats !== undefined ? `${gaps.seats.toLocaleString('en-US')} more seats` : '',
      gaps.mau !== undefined ? `${gaps.mau.toLocaleString('en-US')} more monthly active users` : '',
    ].filter(Boolean);
    progress = { label: `Progress to ${e.nextTier.name}`, bar: progressBar(fraction), gap: ways.length ? `${ways.join(' or ')} to reach it.` : '' };
  }
  const c = doc.state.contact;
  const offerName = (id: string) => doc.offers.find((o) => o.id === id)?.name ?? id;
  const benefitName = (id: string) => deps.program.edition.benefits.find((b) => b.id === id)?.name ?? id;
  return {
    company: doc.publisher.name,
    tierLine: e.tierName,
    asOf: formatDay(e.asOf),
    edition: e.edition,
    metrics,
    progress,
    program: [
      { title: 'Enrolment', value: e.enrolled ? `enrolled since ${formatDay(doc.state.enrolment!.enrolledAt)}` : 'not enrolled (type enroll)' },
      { title: 'Marketing contact', value: c ? `${c.name}, ${c.email}` : 'none yet (type contact)' },
      { title: 'Open tickets', value: String(openTickets) },
      ...(e.revocation ? [{ title: 'Benefits revoked', value: e.revocation.text }] : []),
    ],
    activations: doc.state.activations.map((a) => ({
      title: `${benefitName(a.benefitId)} (${offerName(a.offerId)})`,
      value: `${STATE_LABEL[a.state].label.toLowerCase()}, activated ${ageInDays(a.activatedAt, now)}${a.state === 'activated' ? `, contact due ${formatDay(a.dueAt)}` : ''}${a.revokedReason ? ` (${a.revokedReason})` : ''}`,
    })),
    engagements: e.offers
      .filter((o) => o.engagement !== null)
      .map((o) => ({
        title: o.name,
        value: o.engagement!.kind === 'evergreen' ? 'evergreen (transact offer)' : o.engagement!.over ? `ended ${formatDay(o.engagement!.end)}` : `${o.engagement!.daysLeft} days left (until ${formatDay(o.engagement!.end)})`,
      })),
    notes: [...e.notes, ...(e.isvConnect.offerIds.length ? [`Your Dynamics 365 offers also qualify for ${e.isvConnect.program}.`] : [])],
  };
}

const statusCommand: Command = {
  name: 'status',
  description: 'Your tier, counted sales, progress and activations',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const e = await deps.program.evaluate(caller.publisherId, undefined, doc, { benefits: false });
    const open = doc.tickets.filter((t) => t.status !== 'closed' && t.status !== 'withdrawn' && t.status !== 'resolved').length;
    await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('status', statusCard(deps, doc, e, open))] });
  },
};

// ---- technical assistance ----------------------------------------------------------------------------

const TechData = z.object({ phase: z.string().max(40).default(''), offerId: z.string().max(64).default(''), description: z.string().max(5000).default('') });

function techCard(deps: BotDeps, doc: PublisherDoc, caller: PublisherCaller, draft: Record<string, string>, errors: Record<string, string>, banner: Banner) {
  const technical = deps.program.edition.benefits.some((b) => b.category === 'technical');
  const ready = doc.state.enrolment !== null && doc.state.contact !== null;
  return deps.cards.card('tech-form', {
    ...banner,
    intro: !technical
      ? `The ${deps.program.edition.name} edition has no technical benefits.`
      : !canAct(caller)
        ? lookOnly(doc, 'request technical assistance')
        : !ready
          ? 'Enroll and assign a marketing contact first (type enroll, then contact).'
          : 'Tell us the phase and what you need; the Rewards team routes it like an activation and contacts your marketing contact.',
    phases: TechPhase.options.map((p) => ({ title: PHASE_NAMES[p], choice: p })),
    offers: doc.offers.filter((o) => o.status === 'live').map((o) => ({ title: o.name, choice: o.id })),
    phaseValue: draft.phase ?? '',
    offerValue: draft.offerId ?? '',
    descriptionValue: draft.description ?? '',
    errors: { phase: errors.phase ?? '', offerId: errors.offerId ?? '', description: errors.description ?? '' },
    canAct: technical && ready && canAct(caller),
  });
}

const techCommand: Command = {
  name: 'tech',
  description: 'Request technical assistance (presales, design, deployment, app development)',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const { draft, errors } = await (await turn.forms()).resume('tech');
    await turn.ctx.sendActivity({ attachments: [asAttachment(techCard(deps, doc, caller, draft, errors, noBanner))] });
  },
};

const techSubmit: VerbHandler = async (turn, data, deps) => {
  const { caller, doc } = await callerOf(turn, deps);
  const d = parseData(TechData, data);
  if (d.offerId) ownOffer(doc, d.offerId);
  const r = await deps.program.requestTechnicalAssistance(caller, { offerId: d.offerId || null, phase: d.phase, description: d.description });
  const forms = await turn.forms();
  if (!r.ok) {
    await forms.open('tech', d, r.error.fields ?? {});
    return techCard(deps, doc, caller, d, r.error.fields ?? {}, bad(r.error.code === 'invalid_input' ? 'Please correct the fields marked below. Nothing was sent.' : r.error.message));
  }
  await forms.close();
  const contact = doc.state.contact?.name ?? 'your marketing contact';
  return techCard(deps, doc, caller, {}, {}, good(`Request sent. A member of the Rewards team will contact ${contact} within a week.`));
};

// ---- opt out / opt in --------------------------------------------------------------------------------

function optCard(deps: BotDeps, doc: PublisherDoc, caller: PublisherCaller, banner: Banner) {
  const today = deps.now().toISOString().slice(0, 10);
  return deps.cards.card('offers-optout', {
    ...(canAct(caller) ? banner : { banner: lookOnly(doc, 'opt offers in or out'), bannerColor: 'Default' as const }),
    offers: doc.offers
      .filter((o) => isLive(o, today))
      .map((o) => {
        const out = doc.state.optedOut.includes(o.id);
        return { name: o.name, detail: out ? 'Opted out of engagement' : 'Taking part in engagement', canAct: canAct(caller), buttonTitle: out ? 'Opt in' : 'Opt out', verb: out ? 'offer.optin' : 'offer.optout', offerId: o.id };
      }),
  });
}

const optCommand = (name: 'optout' | 'optin'): Command => ({
  name,
  description: name === 'optout' ? 'Opt an offer out of engagement' : 'Opt an offer back in',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    await turn.ctx.sendActivity({ attachments: [asAttachment(optCard(deps, doc, caller, noBanner))] });
  },
});

const optVerb =
  (out: boolean): VerbHandler =>
  async (turn, data, deps) => {
    const { caller, doc } = await callerOf(turn, deps);
    const { offerId } = parseData(OfferRef, data);
    const offer = ownOffer(doc, offerId);
    const r = out ? await deps.program.optOut(caller, offerId) : await deps.program.optIn(caller, offerId);
    const after = (await callerOf(turn, deps)).doc;
    if (!r.ok) return optCard(deps, after, caller, bad((r as Failure).error.message));
    return optCard(deps, after, caller, good(`${offer.name} is opted ${out ? 'out of' : 'back in to'} engagement.`));
  };

// ---- table -----------------------------------------------------------------------------------------

function parseData<S extends z.ZodType>(schema: S, data: unknown): z.infer<S> {
  const parsed = schema.safeParse(data ?? {});
  if (!parsed.success) throw new AppError('invalid_input', 'That button’s data could not be read. Type the command again for a fresh card.');
  return parsed.data;
}

export const publisherCommands: Command[] = [enrollCommand, contactCommand, benefitsCommand, statusCommand, techCommand, optCommand('optout'), optCommand('optin')];

export const publisherVerbs: Record<string, VerbHandler> = {
  'enroll.submit': enrollSubmit,
  'contact.submit': contactSubmit,
  'benefits.show': benefitsShow,
  'benefit.activate': benefitActivate,
  'tech.submit': techSubmit,
  'offer.optout': optVerb(true),
  'offer.optin': optVerb(false),
};

/**
 * What publisher users can do, as pure rule checks: each returns the new program state and the
 * events to send, or a typed error a user can read. The caller persists and notifies.
 */
import {
  ACTING_ROLES,
  Email,
  MarketingContact,
  PreferredLanguage,
  TechPhase,
  type Activation,
  type MauMetric,
  type Offer,
  type ProgramState,
  type Publisher,
  type TechRequest,
} from '../model.js';
import type { SalesAggregates } from './aggregates.js';
import { REVOCATION_REASON_TEXT } from './benefits.js';
import { addDaysToInstant, dateOf } from './dates.js';
import type { Edition } from './edition.js';
import { isLive } from './engagement.js';
import { evaluate } from './evaluate.js';
import { fail, type Failure, type PublisherActor, type StateResult } from './results.js';

/** What every publisher action needs. `at` is the instant of the action (ISO); it also gives the date. */
export interface PublisherContext {
  edition: Edition;
  publisher: Publisher;
  offers: readonly Offer[];
  state: ProgramState;
  actor: PublisherActor;
  at: string;
}

/** Facts needed to know whether a benefit is available right now. */
export interface SalesFacts {
  aggregates: SalesAggregates;
  mau: readonly MauMetric[];
}

function requireActingRole(actor: PublisherActor, what: string): Failure | null {
  return ACTING_ROLES.includes(actor.role)
    ? null
    : fail('forbidden', `Only an owner or a manager of your Partner Center account can ${what}.`);
}

function requireNotRevoked(state: ProgramState): Failure | null {
  return state.revocation
    ? fail('revoked', `Your company's benefits were revoked (${REVOCATION_REASON_TEXT[state.revocation.reason]}). Contact the Rewards team.`)
    : null;
}

function requireEnrolledWithContact(state: ProgramState, what: string): Failure | null {
  if (state.enrolment === null) return fail('not_enrolled', `Enroll in Marketplace Rewards Program before you ${what}.`);
  if (state.contact === null) return fail('no_contact', `Assign a marketing contact before you ${what}.`);
  return null;
}

function ownOffer(ctx: PublisherContext, offerId: string): Offer | Failure {
  const offer = ctx.offers.find((o) => o.id === offerId && o.publisherId === ctx.publisher.id);
  return offer ?? fail('unknown_offer', 'That offer is not one of your company’s offers.');
}

function isFailure(x: object): x is Failure {
  return 'ok' in x && x.ok === false;
}

/** Enroll the company: needs an MPN ID and a live offer. A second enrolment is a no-op that says so. */
export function enroll(ctx: PublisherContext): StateResult<{ alreadyEnrolled: boolean }> {
  const { publisher, state, actor, at } = ctx;
  const denied = requireActingRole(actor, 'enroll the company');
  if (denied) return denied;
  if (state.enrolment !== null) return { ok: true, state, events: [], alreadyEnrolled: true };
  const revoked = requireNotRevoked(state);
  if (revoked) return revoked;
  if (publisher.mpnId === null) {
    return fail('no_mpn_id', 'Your company needs an MPN ID (Partner global account) to enroll. Add it in Partner Center first.');
  }
  if (!ctx.offers.some((o) => o.publisherId === publisher.id && isLive(o, dateOf(at)))) {
    return fail('no_live_offer', 'You need at least one live offer on AppSource or Azure Marketplace to enroll.');
  }
  return {
    ok: true,
    alreadyEnrolled: false,
    state: { ...state, enrolment: { enrolledAt: at, enrolledBy: actor.aadObjectId } },
    events: [{ type: 'enrolled', publisherId: publisher.id, at, by: actor.aadObjectId }],
  };
}

/** The marketing-contact form as typed by the user (validated here, field by field). */
export interface ContactInput {
  /** The chosen account user. */
  aadObjectId: string;
  email: string;
  phone: string;
  language: string;
  /** Names the form submit (conversation + card): the same submit again is a no-op that says so. */
  submission?: string;
}

/**
 * Assign (add, update or change) the company marketing contact. Invalid input fails with
 * `invalid_input` and a message per field, so the form can re-render; nothing is saved.
 */
export function assignContact(ctx: PublisherContext & { input: ContactInput }): StateResult<{ duplicate: boolean }> {
  const { publisher, state, actor, at, input } = ctx;
  const denied = requireActingRole(actor, 'assign the marketing contact');
  if (denied) return denied;
  if (input.submission && state.contact?.submission === input.submission) return { ok: true, state, events: [], duplicate: true };
  if (state.enrolment === null) return fail('not_enrolled', 'Enroll in Marketplace Rewards Program before you assign a marketing contact.');

  const fields: Record<string, string> = {};
  const user = publisher.users.find((u) => u.aadObjectId === input.aadObjectId.toLowerCase());
  if (!user) fields.user = 'Choose one of your account users (add new people in Partner Center "Account settings" first).';
  const email = Email.safeParse(input.email.trim());
  if (!email.success) fields.email = 'Enter a valid email address.';
  else if (email.data === publisher.accountEmail) {
    fields.email = 'Use an email different from the company’s Partner Center account email.';
  }
  // People type spaces, dashes and brackets in phone numbers; E.164 has none.
  const phone = input.phone.replace(/[\s().-]/g, '');
  if (!MarketingContact.shape.phone.safeParse(phone).success) {
    fields.phone = 'Enter the phone number in international format, such as +14255550100.';
  }
  const language = PreferredLanguage.safeParse(input.language);
  if (!language.success) fields.language = `Choose a language from the list (${PreferredLanguage.options.join(', ')}).`;
  if (!user || !email.success || !language.success || Object.keys(fields).length > 0) {
    return fail('invalid_input', 'Some fields need attention.', fields);
  }

  const contact: MarketingContact = {
    aadObjectId: user.aadObjectId,
    name: user.name,
    email: email.data,
    phone,
    language: language.data,
    assignedAt: at,
    assignedBy: actor.aadObjectId,
    ...(input.submission ? { submission: input.submission } : {}),
  };
  return {
    ok: true,
    duplicate: false,
    state: { ...state, contact },
    events: [{ type: 'contact_assigned', publisherId: publisher.id, at, contact, previousEmail: state.contact?.email ?? null }],
  };
}

/**
 * Activate a benefit on an offer. Activating something already active (or completed) returns the
 * existing activation with `alreadyActive`, so a double click creates nothing.
 */
export function activate(
  ctx: PublisherContext & SalesFacts & { offerId: string; benefitId: string; newId: string },
): StateResult<{ activation: Activation; alreadyActive: boolean }> {
  const { edition, publisher, state, actor, at } = ctx;
  const denied = requireActingRole(actor, 'activate benefits');
  if (denied) return denied;
  const offer = ownOffer(ctx, ctx.offerId);
  if (isFailure(offer)) return offer;
  const benefit = edition.benefits.find((b) => b.id === ctx.benefitId);
  if (!benefit) return fail('unknown_benefit', 'That benefit is not part of the program.');
  if (benefit.use === 'tech_request') {
    return fail('benefit_unavailable', 'Technical assistance is requested with the Submit request form, not activated.');
  }
  const existing = state.activations.find(
    (a) => a.offerId === offer.id && a.benefitId === benefit.id && a.state !== 'revoked',
  );
  if (existing) return { ok: true, state, events: [], activation: existing, alreadyActive: true };
  const blocked = requireNotRevoked(state) ?? requireEnrolledWithContact(state, 'activate a benefit');
  if (blocked) return blocked;

  const status = evaluate({ ...ctx, asOf: dateOf(at) })
    .offers.find((o) => o.offerId === offer.id)
    ?.benefits.find((b) => b.id === benefit.id);
  if (!status) return fail('benefit_unavailable', `${benefit.name} is not offered for ${offer.listingType} offers.`);
  if (status.state !== 'available') {
    return fail('benefit_unavailable', `${benefit.name} is not available for ${offer.name}: ${status.reasons.join('; ')}.`);
  }
  const contact = state.contact as NonNullable<ProgramState['contact']>;
  const activation: Activation = {
    id: ctx.newId,
    offerId: offer.id,
    benefitId: benefit.id,
    state: 'activated',
    activatedAt: at,
    activatedBy: actor.aadObjectId,
    dueAt: addDaysToInstant(at, edition.activationContactDays),
    contactedAt: null,
    completedAt: null,
    revokedAt: null,
    revokedReason: null,
  };
  return {
    ok: true,
    alreadyActive: false,
    activation,
    state: { ...state, activations: [...state.activations, activation] },
    events: [
      {
        type: 'benefit_activated',
        publisherId: publisher.id,
        at,
        activation,
        benefitName: benefit.name,
        contactName: contact.name,
        contactEmail: contact.email,
      },
    ],
  };
}

/** Opt an offer out of engagement (any time). Idempotent: `changed` says whether anything changed. */
export function optOut(ctx: PublisherContext & { offerId: string }): StateResult<{ changed: boolean }> {
  return setOptOut(ctx, true);
}

/** Opt an offer back in. Idempotent. */
export function optIn(ctx: PublisherContext & { offerId: string }): StateResult<{ changed: boolean }> {
  return setOptOut(ctx, false);
}

function setOptOut(ctx: PublisherContext & { offerId: string }, out: boolean): StateResult<{ changed: boolean }> {
  const { publisher, state, actor, at } = ctx;
  const denied = requireActingRole(actor, out ? 'opt offers out' : 'opt offers in');
  if (denied) return denied;
  const offer = ownOffer(ctx, ctx.offerId);
  if (isFailure(offer)) return offer;
  const isOut = state.optedOut.includes(offer.id);
  if (isOut === out) return { ok: true, state, events: [], changed: false };
  return {
    ok: true,
    changed: true,
    state: { ...state, optedOut: out ? [...state.optedOut, offer.id] : state.optedOut.filter((id) => id !== offer.id) },
    events: [{ type: out ? 'opted_out' : 'opted_in', publisherId: publisher.id, at, offerId: offer.id, by: actor.aadObjectId }],
  };
}

/** The technical-assistance form as typed by the user. */
export interface TechRequestInput {
  /** The offer it is about, or null for the company in general. */
  offerId: string | null;
  phase: string;
  description: string;
  /** Names the form submit (conversation + card): the same submit again returns the first request. */
  submission?: string;
}

/**
 * Request technical assistance (presales, design, deployment, app development). Only in editions
 * with the technical category; routed to the Rewards team like an activation. With an offer, that
 * offer's technical benefit must be available; without one, any offer's.
 */
export function requestTechnicalAssistance(
  ctx: PublisherContext & SalesFacts & { input: TechRequestInput; newId: string },
): StateResult<{ request: TechRequest; duplicate: boolean }> {
  const { edition, publisher, state, actor, at, input } = ctx;
  if (!edition.categories.includes('technical')) {
    return fail('not_in_edition', `Technical assistance is not part of ${edition.name}.`);
  }
  const denied = requireActingRole(actor, 'request technical assistance');
  if (denied) return denied;
  const earlier = input.submission ? state.techRequests.find((r) => r.submission === input.submission) : undefined;
  if (earlier) return { ok: true, state, events: [], request: earlier, duplicate: true };
  const blocked = requireNotRevoked(state) ?? requireEnrolledWithContact(state, 'request technical assistance');
  if (blocked) return blocked;

  const fields: Record<string, string> = {};
  const phase = TechPhase.safeParse(input.phase);
  if (!phase.success) fields.phase = 'Choose a phase: presales, design, deployment or app development.';
  const description = input.description.trim();
  if (description.length === 0) fields.description = 'Describe what you need help with.';
  else if (description.length > 4000) fields.description = 'Keep the description under 4,000 characters.';
  if (!phase.success || Object.keys(fields).length > 0) return fail('invalid_input', 'Some fields need attention.', fields);

  if (input.offerId !== null) {
    const offer = ownOffer(ctx, input.offerId);
    if (isFailure(offer)) return offer;
  }
  const evaluation = evaluate({ ...ctx, asOf: dateOf(at) });
  const candidates = evaluation.offers
    .filter((o) => input.offerId === null || o.offerId === input.offerId)
    .flatMap((o) => o.benefits.filter((b) => b.use === 'tech_request'));
  if (!candidates.some((b) => b.state === 'available')) {
    const why = candidates.flatMap((b) => b.reasons);
    return fail(
      'benefit_unavailable',
      `Technical assistance is not available${why.length > 0 ? `: ${[...new Set(why)].join('; ')}` : ' for this offer'}.`,
    );
  }
  const request: TechRequest = {
    id: ctx.newId,
    offerId: input.offerId,
    phase: phase.data,
    description,
    requestedAt: at,
    requestedBy: actor.aadObjectId,
    ...(input.submission ? { submission: input.submission } : {}),
  };
  return {
    ok: true,
    duplicate: false,
    request,
    state: { ...state, techRequests: [...state.techRequests, request] },
    events: [{ type: 'tech_requested', publisherId: publisher.id, at, request }],
  };
}

/**
 * The program's nouns, as zod schemas (the single source of truth for import files, the
 * store's on-disk documents and the typed values handlers receive). Pure: no I/O.
 */
import { z } from 'zod';

/** Calendar date `YYYY-MM-DD` (UTC, no time). */
export const IsoDate = z.iso.date();
/** Instant `YYYY-MM-DDTHH:mm:ss.sssZ`. */
export const IsoDateTime = z.iso.datetime();
/** Month `YYYY-MM`. */
export const IsoMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month as YYYY-MM');

/** Ids are short, printable and safe to use as file names. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected letters, digits, ".", "_" or "-" (no spaces or slashes)');

/**
 * Azure AD object ids and tenant ids. GUID-shaped; the last group may have 13 digits because the
 * Agents Playground's mock ids do (`00000000-0000-0000-0000-0000000000020`).
 */
export const Guid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12,13}$/, 'expected a GUID')
  .transform((s) => s.toLowerCase());

export const Email = z.email().transform((s) => s.toLowerCase());

/** Partner Center account roles. Owners and managers may act; the others may look. */
export const PartnerCenterRole = z.enum([
  'owner',
  'manager',
  'developer',
  'business_contributor',
  'financial_contributor',
  'marketer',
]);
export type PartnerCenterRole = z.infer<typeof PartnerCenterRole>;
export const ACTING_ROLES: readonly PartnerCenterRole[] = ['owner', 'manager'];

export const StaffRole = z.enum(['rewards', 'support']);
export type StaffRole = z.infer<typeof StaffRole>;

export const ListingType = z.enum(['list', 'trial', 'consulting', 'transact']);
export type ListingType = z.infer<typeof ListingType>;

export const Marketplace = z.enum(['appsource', 'azure']);
export type Marketplace = z.infer<typeof Marketplace>;

export const OfferType = z.enum([
  'saas',
  'azure_application',
  'azure_vm',
  'azure_container',
  'consulting_service',
  'dynamics365',
  'power_bi_app',
  'teams_app',
  'office_addin',
  'sharepoint_solution',
  'managed_service',
  'iot_edge_module',
]);
export type OfferType = z.infer<typeof OfferType>;

export const OfferStatus = z.enum(['draft', 'live', 'delisted']);
export type OfferStatus = z.infer<typeof OfferStatus>;

/** `billed` counts; the other three never count toward a tier (PROGRAM-RULES.md). */
export const TransactionStatus = z.enum(['billed', 'fraud', 'cancelled_accidental', 'cancelled_before_use']);
export type TransactionStatus = z.infer<typeof TransactionStatus>;

export const AccountUser = z.object({
  aadObjectId: Guid,
  name: z.string().min(1).max(200),
  email: Email,
  role: PartnerCenterRole,
});
export type AccountUser = z.infer<typeof AccountUser>;

export const Publisher = z.object({
  id: Id,
  name: z.string().min(1).max(200),
  /** MPN ID / Partner global account id; null when the company has none yet. */
  mpnId: z.string().regex(/^\d{5,10}$/, 'expected 5 to 10 digits').nullable(),
  tenantIds: z.array(Guid).min(1),
  /** The company's Partner Center account email (the marketing contact's must differ). */
  accountEmail: Email,
  country: z.string().length(2).default('US'),
  users: z.array(AccountUser).default([]),
});
export type Publisher = z.infer<typeof Publisher>;

export const OfferOwner = z.object({ name: z.string().min(1).max(200), email: Email });

export const Offer = z.object({
  id: Id,
  publisherId: Id,
  name: z.string().min(1).max(200),
  listingType: ListingType,
  marketplace: Marketplace,
  offerType: OfferType,
  /** SaaS app integrated with Teams, Office, Outlook or SharePoint (seats count in the 2020 edition). */
  m365Integrated: z.boolean().default(false),
  /** Dynamics 365 offer (ISV Connect eligibility when on AppSource). */
  dynamics365: z.boolean().default(false),
  byol: z.boolean().default(false),
  private: z.boolean().default(false),
  /** A private offer may need a public listing of the same solution (mark V). */
  hasPublicListing: z.boolean().default(true),
  listingOptimizationCompleted: z.boolean().default(false),
  coSellReady: z.boolean().default(false),
  status: OfferStatus,
  liveDate: IsoDate.nullable().default(null),
  owner: OfferOwner.nullable().default(null),
});
export type Offer = z.infer<typeof Offer>;

export const Transaction = z.object({
  id: Id,
  offerId: Id,
  date: IsoDate,
  billedUsd: z.number().finite().min(0),
  seats: z.number().int().min(0).default(0),
  status: TransactionStatus.default('billed'),
});
export type Transaction = z.infer<typeof Transaction>;

/** Teams app monthly active users for one offer and month. */
export const MauMetric = z.object({
  offerId: Id,
  month: IsoMonth,
  mau: z.number().int().min(0),
});
export type MauMetric = z.infer<typeof MauMetric>;

export const Staff = z.object({
  aadObjectId: Guid,
  tenantId: Guid,
  name: z.string().min(1).max(200),
  email: Email,
  roles: z.array(StaffRole).min(1),
});
export type Staff = z.infer<typeof Staff>;

// ---- Program state: created by the bot's flows, never by import -------------------------------

export const Enrolment = z.object({ enrolledAt: IsoDateTime, enrolledBy: Guid });
export type Enrolment = z.infer<typeof Enrolment>;

export const PreferredLanguage = z.enum(['en', 'de', 'es', 'fr', 'it', 'ja', 'ko', 'nl', 'pt', 'zh']);
export type PreferredLanguage = z.infer<typeof PreferredLanguage>;

export const MarketingContact = z.object({
  aadObjectId: Guid,
  name: z.string(),
  email: Email,
  /** E.164: `+` then 8 to 15 digits. */
  phone: z.string().regex(/^\+[1-9]\d{7,14}$/, 'expected an international number such as +14255550100'),
  language: PreferredLanguage,
  assignedAt: IsoDateTime,
  assignedBy: Guid,
  /** The form submission that assigned it (see Ticket.submission): the same form sent again changes nothing. */
  submission: z.string().max(400).optional(),
});
export type MarketingContact = z.infer<typeof MarketingContact>;

export const ActivationState = z.enum(['activated', 'in_progress', 'completed', 'revoked']);
export const Activation = z.object({
  id: Id,
  offerId: Id,
  benefitId: Id,
  state: ActivationState,
  activatedAt: IsoDateTime,
  activatedBy: Guid,
  /** The Rewards team promises contact by this instant (activation + the edition's promise). */
  dueAt: IsoDateTime,
  contactedAt: IsoDateTime.nullable().default(null),
  completedAt: IsoDateTime.nullable().default(null),
  revokedAt: IsoDateTime.nullable().default(null),
  revokedReason: z.string().nullable().default(null),
});
export type Activation = z.infer<typeof Activation>;

export const TechPhase = z.enum(['presales', 'design', 'deployment', 'app_development']);
export const TechRequest = z.object({
  id: Id,
  offerId: Id.nullable(),
  phase: TechPhase,
  description: z.string().min(1).max(4000),
  requestedAt: IsoDateTime,
  requestedBy: Guid,
  /** The form submission that made it (see Ticket.submission): the same form sent again finds it. */
  submission: z.string().max(400).optional(),
});
export type TechRequest = z.infer<typeof TechRequest>;

export const RevocationReason = z.enum([
  'illegal_activity',
  'fraudulent_purchase',
  'delisted',
  'copyright_or_trademark',
  'sponsorship_policy',
]);
export type RevocationReason = z.infer<typeof RevocationReason>;

export const Revocation = z.object({
  reason: RevocationReason,
  note: z.string().max(2000).default(''),
  revokedAt: IsoDateTime,
  revokedBy: Guid,
});
export type Revocation = z.infer<typeof Revocation>;

/** Everything the program knows about one publisher beyond the imported facts. */
export const ProgramState = z.object({
  enrolment: Enrolment.nullable().default(null),
  contact: MarketingContact.nullable().default(null),
  activations: z.array(Activation).default([]),
  /** Offer ids the publisher opted out of engagement for. */
  optedOut: z.array(Id).default([]),
  techRequests: z.array(TechRequest).default([]),
  revocation: Revocation.nullable().default(null),
});
export type ProgramState = z.infer<typeof ProgramState>;

export const emptyProgramState = (): ProgramState => ProgramState.parse({});

// ---- Support tickets ----------------------------------------------------------------------------

export const TicketCategory = z.enum(['no_contact_after_go_live', 'offer_owner_unknown', 'benefit_or_activation', 'tier_or_sales', 'other']);
export const TicketSeverity = z.enum(['normal', 'urgent']);
export const TicketStatus = z.enum(['unassigned', 'assigned', 'waiting_on_partner', 'resolved', 'closed', 'withdrawn']);

export const TicketNote = z.object({
  at: IsoDateTime,
  by: z.string(),
  action: z.string(),
  text: z.string().max(4000).default(''),
});

/** A support ticket raised from chat; its number (`RW-1042`) is allocated by the store. */
export const Ticket = z.object({
  id: z.string().regex(/^RW-\d+$/),
  publisherId: Id,
  raisedBy: Guid,
  category: TicketCategory,
  severity: TicketSeverity,
  offerId: Id.nullable(),
  description: z.string().min(1).max(4000),
  status: TicketStatus,
  assignee: Guid.nullable().default(null),
  createdAt: IsoDateTime,
  updatedAt: IsoDateTime,
  notes: z.array(TicketNote).default([]),
  /** First-response target (business hours after creation, by severity). */
  firstResponseDueAt: IsoDateTime.nullable().default(null),
  /** The overdue reminder went to the support channel. */
  reminded: z.boolean().default(false),
  /** Facts attached automatically (offer owner and live date for "no contact" tickets). */
  context: z.record(z.string(), z.string()).default({}),
  /** Where the publisher's copy of the ticket card is, to update it in place. */
  publisherCard: z.object({ conversationKey: z.string(), activityId: z.string() }).nullable().default(null),
  /** The form submission that raised it (conversation + card id): a second submit of the same form finds it. */
  submission: z.string().max(400).optional(),
});
export type Ticket = z.infer<typeof Ticket>;

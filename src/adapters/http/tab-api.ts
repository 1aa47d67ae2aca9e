/**
 * The tabs' JSON API (`/api/tab/…`) on the bot's server. Every request carries a Teams SSO token
 * (sso.ts); the caller's company and staff roles come from the store for the token's tenant and
 * object id, never from the request. The handlers call the same services as the chat commands, so
 * no rule is written twice. Queries and bodies are parsed with zod: a bad one is a 400 and changes
 * nothing.
 */
import { randomUUID } from 'node:crypto';
import type restify from 'restify';
import { z } from 'zod';
import type { Activation, Staff } from '../../domain/model.js';
import { activationOverdue, type Evaluation } from '../../domain/program/index.js';
import type { Logger } from '../../log.js';
import type { CampaignService } from '../../services/campaigns.js';
import { AppError, type AppErrorCode } from '../../services/errors.js';
import type { Identity, PublisherDoc, PublisherPort } from '../../services/ports/index.js';
import { ProgramService } from '../../services/program.js';
import type { TicketService } from '../../services/tickets.js';
import { canAct, lookOnly, ownOffer, userName, type FeatureCaller } from '../bot/features/common.js';
import { EXCLUSION_REASONS, tierProgress } from '../bot/features/status.js';
import { SsoRefused, type SsoValidator } from './sso.js';
import { registerConsoleApi } from './tab-console-api.js';

export interface TabApiDeps {
  sso: SsoValidator;
  store: Pick<PublisherPort, 'resolveIdentity'>;
  program: ProgramService;
  campaigns: CampaignService;
  tickets: TicketService;
  log: Logger;
  now: () => Date;
}

/** What the tab API and the development identity provider answer with: never cached, never sniffed, never framed. */
export const API_HEADERS: Record<string, string> = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

const STATUS: Record<AppErrorCode, number> = { import_invalid: 400, invalid_input: 400, unknown_user: 403, forbidden: 403, not_found: 404, conflict: 409, rule: 409 };

export const DAY_MS = 86_400_000;

export interface Call<Q, B> {
  identity: Identity | undefined;
  query: Q;
  body: B;
}

export type Reply = { status: number; body: Record<string, unknown> };

export const NoQuery = z.object({}).strict();
export const NoBody = z.unknown();

/** `offerId` / `benefitId` as the chat's Activate button sends them. */
export const ActivateBody = z.object({ offerId: z.string().min(1).max(64), benefitId: z.string().min(1).max(64) }).strict();

function badRequest(error: z.ZodError): Reply {
  const i = error.issues[0];
  const where = i?.path.length ? `${i.path.join('.')}: ` : '';
  return { status: 400, body: { error: `Bad request: ${where}${i?.message ?? 'invalid'}`.slice(0, 200) } };
}

/** The routes' shared parts: SSO sign-in, zod checks, errors as statuses, the caller from the store. */
export interface TabRouter {
  route<Q extends z.ZodType, B extends z.ZodType>(method: 'get' | 'post', path: string, schemas: { query: Q; body: B }, handle: (call: Call<z.infer<Q>, z.infer<B>>) => Promise<Reply>): void;
  /** The caller as an account user of their company (the tab is personal, like the 1:1 chat). */
  publisher(identity: Identity | undefined): Promise<{ caller: FeatureCaller; doc: PublisherDoc }>;
  /** The caller as Rewards team staff (or support, when `role` says so); 403 for anyone else. */
  staff(identity: Identity | undefined, role?: 'rewards' | 'support'): Staff;
}

export function registerTabApi(server: restify.Server, deps: TabApiDeps): void {
  const router = tabRouter(server, deps);
  registerPublisherRoutes(router, deps);
  registerConsoleApi(router, deps);
}

export function tabRouter(server: restify.Server, deps: TabApiDeps): TabRouter {
  server.pre((req: restify.Request, res: restify.Response, next: restify.Next) => {
    const path = req.path();
    if (path.startsWith('/api/tab/') || path.startsWith('/dev/')) for (const [k, v] of Object.entries(API_HEADERS)) res.setHeader(k, v);
    return next();
  });

  const route = <Q extends z.ZodType, B extends z.ZodType>(method: 'get' | 'post', path: string, schemas: { query: Q; body: B }, handle: (call: Call<z.infer<Q>, z.infer<B>>) => Promise<Reply>) => {
    server[method](path, async (req: restify.Request, res: restify.Response) => {
      const reply = await answer(req, schemas, handle);
      if (reply.status === 401) res.setHeader('www-authenticate', 'Bearer');
      res.send(reply.status, reply.body);
    });
  };

  async function answer<Q extends z.ZodType, B extends z.ZodType>(req: restify.Request, schemas: { query: Q; body: B }, handle: (call: Call<z.infer<Q>, z.infer<B>>) => Promise<Reply>): Promise<Reply> {
    let who;
    try {
      const header = req.headers.authorization;
      who = await deps.sso.validate(typeof header === 'string' ? header : undefined);
    } catch (err) {
      if (!(err instanceof SsoRefused)) throw err;
      deps.log.warn({ status: err.status, reason: err.reason, path: req.path() }, 'tab request refused');
      return { status: err.status, body: { error: err.status === 401 ? 'Unauthorized' : 'Service unavailable: the identity provider cannot be reached. Try again later.' } };
    }
    const query = schemas.query.safeParse(req.query ?? {});
    if (!query.success) return badRequest(query.error);
    const body = schemas.body.safeParse(req.body ?? {});
    if (!body.success) return badRequest(body.error);
    try {
      const identity = await deps.store.resolveIdentity(who.tenantId, who.aadObjectId);
      return await handle({ identity, query: query.data, body: body.data });
    } catch (err) {
      if (err instanceof AppError) return { status: STATUS[err.code], body: { error: err.message } };
      const reference = randomUUID().slice(0, 8);
      deps.log.error({ err, reference, path: req.path() }, 'tab request failed');
      return { status: 500, body: { error: `Internal error (reference ${reference})` } };
    }
  }

  const publisher = async (identity: Identity | undefined): Promise<{ caller: FeatureCaller; doc: PublisherDoc }> => {
    const { caller, doc } = await deps.program.publisherCaller(identity);
    return { caller: { ...caller, personal: true }, doc };
  };

  const staff = (identity: Identity | undefined, role: 'rewards' | 'support' = 'rewards'): Staff => {
    const s = identity && identity.kind !== 'publisher' ? identity.staff : undefined;
    if (!s || !s.roles.includes(role)) throw new AppError('forbidden', role === 'rewards' ? 'Only the Rewards team can do this.' : 'Only support agents can do this.');
    return s;
  };

  return { route, publisher, staff };
}

function registerPublisherRoutes({ route, publisher }: TabRouter, deps: TabApiDeps): void {
  route('get', '/api/tab/me', { query: NoQuery, body: NoBody }, async ({ identity }) => {
    if (!identity) throw new AppError('unknown_user', 'I don’t know you yet. Ask an owner of your company’s Partner Center account to add you as a user, then try again.');
    const out: Record<string, unknown> = { kind: identity.kind };
    if (identity.kind !== 'publisher') out.staff = { name: identity.staff.name, roles: identity.staff.roles };
    if (identity.kind !== 'staff') {
      const { caller, doc } = await publisher(identity);
      out.publisher = { company: { id: doc.publisher.id, name: doc.publisher.name }, name: caller.name, role: caller.role, canAct: canAct(caller), actors: ProgramService.actors(doc) };
    }
    return { status: 200, body: out };
  });

  route('get', '/api/tab/dashboard', { query: NoQuery, body: NoBody }, async ({ identity }) => {
    const { caller, doc } = await publisher(identity);
    const e = await deps.program.evaluate(caller.publisherId, undefined, doc, { excluded: true });
    const monthly = await deps.program.salesByMonth(doc, e);
    const tickets = await deps.tickets.mine(caller.publisherId);
    return { status: 200, body: dashboard(deps, doc, caller, e, monthly, tickets) };
  });

  route('post', '/api/tab/activate', { query: NoQuery, body: ActivateBody }, async ({ identity, body }) => {
    const { caller, doc } = await publisher(identity);
    // Another company's offer id is refused before any rule runs, as in chat.
    ownOffer(doc, body.offerId);
    const r = await deps.program.activate(caller, body.offerId, body.benefitId);
    if (!r.ok) {
      const status = r.error.code === 'forbidden' ? 403 : r.error.code === 'unknown_benefit' || r.error.code === 'unknown_offer' ? 404 : 409;
      const error = r.error.code === 'forbidden' ? lookOnly(doc, caller, 'activate benefits') : r.error.message;
      return { status, body: { error, code: r.error.code, ...(r.error.code === 'forbidden' ? { actors: ProgramService.actors(doc) } : {}) } };
    }
    return { status: r.alreadyActive ? 200 : 201, body: { alreadyActive: r.alreadyActive, activation: activationView(deps, doc, r.activation) } };
  });
}

function activationView(deps: TabApiDeps, doc: PublisherDoc, a: Activation) {
  const now = deps.now();
  return {
    id: a.id,
    offerId: a.offerId,
    offerName: doc.offers.find((o) => o.id === a.offerId)?.name ?? a.offerId,
    benefitId: a.benefitId,
    benefitName: deps.program.edition.benefits.find((b) => b.id === a.benefitId)?.name ?? a.benefitId,
    state: a.state,
    activatedAt: a.activatedAt,
    activatedBy: userName(doc, a.activatedBy),
    dueAt: a.dueAt,
    ageDays: Math.floor((now.getTime() - Date.parse(a.activatedAt)) / DAY_MS),
    promiseDays: deps.program.edition.activationContactDays,
    overdue: activationOverdue(a, now.toISOString()),
    contactedAt: a.contactedAt,
    completedAt: a.completedAt,
    revokedReason: a.revokedReason,
  };
}

/** The publisher's dashboard: what the chat's status and benefits cards show, as data. */
function dashboard(deps: TabApiDeps, doc: PublisherDoc, caller: FeatureCaller, e: Evaluation, monthly: Awaited<ReturnType<ProgramService['salesByMonth']>>, tickets: Awaited<ReturnType<TicketService['mine']>>) {
  const edition = deps.program.edition;
  const offerName = (id: string | null) => (id === null ? null : (doc.offers.find((o) => o.id === id)?.name ?? id));
  const acting = canAct(caller);
  const progress = tierProgress(edition, doc, e);
  const c = doc.state.contact;
  return {
    company: { id: doc.publisher.id, name: doc.publisher.name, mpnId: doc.publisher.mpnId },
    you: { name: caller.name, role: caller.role, canAct: acting, ...(acting ? {} : { lookOnly: lookOnly(doc, caller, 'enroll, assign the contact or activate benefits') }), actors: ProgramService.actors(doc) },
    asOf: e.asOf,
    edition: e.edition,
    tier: { tier: e.tier, name: e.tierName, byMetric: e.tierByMetric },
    nextTier: e.nextTier && progress ? { tier: e.nextTier.tier, name: e.nextTier.name, gaps: e.nextTier.gaps, fraction: progress.fraction, unlocks: progress.unlocks } : null,
    sales: {
      countedUsd: e.countedBilledSalesUsd,
      from: e.salesFrom,
      monthly,
      excludedCount: e.excludedCount,
      excluded: e.excluded.map((x) => ({ transactionId: x.transactionId, offerId: x.offerId, offerName: offerName(x.offerId), date: x.date, amountUsd: x.billedUsd, seats: x.seats, status: x.status, reason: EXCLUSION_REASONS[x.status] })),
    },
    seats: e.countedSeats,
    mau: e.countedMau,
    enrolment: { enrolled: e.enrolled, since: doc.state.enrolment?.enrolledAt ?? null },
    contact: c ? { name: c.name, email: c.email } : null,
    revocation: e.revocation,
    offers: e.offers.map((o) => ({
      offerId: o.offerId,
      name: o.name,
      listingType: o.listingType,
      status: o.status,
      optedOut: o.optedOut,
      engagement: o.engagement,
      benefits: o.benefits.map((b) => ({ ...b, canActivate: acting && b.state === 'available' && b.use === 'activate' })),
    })),
    activations: doc.state.activations.map((a) => activationView(deps, doc, a)),
    engagements: e.offers.filter((o) => o.engagement !== null).map((o) => ({ offerId: o.offerId, name: o.name, ...o.engagement! })),
    techRequests: doc.state.techRequests.map((r) => ({ id: r.id, phase: r.phase, offerId: r.offerId, offerName: offerName(r.offerId), requestedAt: r.requestedAt, requestedBy: userName(doc, r.requestedBy) })),
    tickets: tickets.map((t) => ({
      id: t.id,
      status: t.status,
      category: t.category,
      severity: t.severity,
      offerId: t.offerId,
      description: t.description,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
      // Staff are named by their role, as in the chat's ticket card: their ids stay inside.
      thread: t.notes.map((n) => ({ at: n.at, action: n.action, text: n.text, by: doc.publisher.users.some((u) => u.aadObjectId === n.by) ? userName(doc, n.by) : 'Marketplace Rewards support' })),
    })),
    notes: [...e.notes, ...(e.isvConnect.offerIds.length ? [`Your Dynamics 365 offers also qualify for ${e.isvConnect.program}.`] : [])],
  };
}

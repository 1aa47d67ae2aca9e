/**
 * The program as an application service: resolves who is acting, runs the pure rules on the
 * latest state inside one atomic store update, and records every change in the audit log.
 * Publishers are always derived from the caller's identity, never from input.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Activation, PartnerCenterRole, Staff, TransactionStatus } from '../domain/model.js';
import {
  activate,
  assignContact,
  enroll,
  evaluate,
  markActivationCompleted,
  markActivationContacted,
  markTransaction,
  activationOverdue,
  monthlySales,
  optIn,
  optOut,
  parseEdition,
  reconcileAfterCorrection,
  requestTechnicalAssistance,
  type ContactInput,
  type Edition,
  type Evaluation,
  type Failure,
  type MonthOfSales,
  type ProgramEvent,
  type PublisherContext,
  type Result,
  type TechRequestInput,
} from '../domain/program/index.js';
import type { AuditPort, Identity, LedgerPort, PublisherDoc, PublisherPort } from './ports/index.js';
import { AppError } from './errors.js';
import { aggregatesFor, salesReducer } from './ledger.js';
import { assetDir } from '../assets.js';

export const PROGRAMS_DIR = assetDir('programs');

/** Reads and validates `programs/<id>.json`; a missing or invalid edition is a clear error. */
export function loadEdition(id: string, dir = PROGRAMS_DIR): Edition {
  let text: string;
  try {
    text = readFileSync(`${dir}/${id}.json`, 'utf8');
  } catch {
    throw new AppError('not_found', `PROGRAM_EDITION ${id}: no file programs/${id}.json`);
  }
  try {
    return parseEdition(JSON.parse(text));
  } catch (err) {
    throw new AppError('invalid_input', `programs/${id}.json is not a valid edition: ${(err as Error).message}`);
  }
}

/** The caller as an account user of their company; unknown users and staff-only callers are refused. */
export interface PublisherCaller {
  publisherId: string;
  aadObjectId: string;
  role: PartnerCenterRole;
  name: string;
}

class ActionRefused extends Error {
  constructor(readonly failure: Failure) {
    super(failure.error.message);
  }
}

const today = (at: string) => at.slice(0, 10);
const newId = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

/** Called with the events of every stored change (notifications subscribe here). */
export type EventSink = (events: ProgramEvent[]) => Promise<void>;

export class ProgramService {
  private sink: EventSink = async () => undefined;

  constructor(
    readonly store: PublisherPort & LedgerPort & AuditPort,
    readonly edition: Edition,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Subscribes the notifier; events are published after the change and its audit entry are stored. */
  onEvents(sink: EventSink): void {
    this.sink = sink;
  }

  /** Resolves the caller's company and role, or explains why they cannot use publisher commands. */
  async publisherCaller(identity: Identity | undefined): Promise<{ caller: PublisherCaller; doc: PublisherDoc }> {
    if (!identity) {
      throw new AppError('unknown_user', 'I don’t know you yet. Ask an owner of your company’s Partner Center account to add you as a user, then try again.');
    }
    if (identity.kind === 'staff') throw new AppError('forbidden', 'You are Rewards staff, not a user of a publisher account, so you have no company benefits here.');
    const doc = await this.store.getPublisher(identity.publisherId);
    const user = doc?.publisher.users.find((u) => u.aadObjectId === identity.aadObjectId);
    if (!doc || !user) throw new AppError('unknown_user', 'I don’t know you yet. Ask an owner of your company’s Partner Center account to add you as a user.');
    return { caller: { publisherId: doc.publisher.id, aadObjectId: user.aadObjectId, role: user.role, name: user.name }, doc };
  }

  /** Owners and managers of a company: who a read-only user should ask. */
  static actors(doc: PublisherDoc): string[] {
    return doc.publisher.users.filter((u) => u.role === 'owner' || u.role === 'manager').map((u) => u.name);
  }

  /**
   * Evaluates a publisher now (or `asOf`); pass the document when the caller already read it, and
   * `benefits: false` when only the summary (tier, metrics, windows) is needed.
   */
  async evaluate(publisherId: string, asOf = today(this.now().toISOString()), known?: PublisherDoc, opts: { benefits?: boolean; excluded?: boolean } = {}): Promise<Evaluation> {
    const doc = known ?? (await this.store.getPublisher(publisherId));
    if (!doc) throw new AppError('not_found', `No publisher ${publisherId}.`);
    const aggregates = await aggregatesFor(this.store, publisherId, doc);
    return evaluate({ edition: this.edition, publisher: doc.publisher, offers: doc.offers, aggregates, mau: doc.mau, state: doc.state, asOf, ...opts });
  }

  /** Counted billed sales per month over the window of an evaluation of `doc` (adds up to its total). */
  async salesByMonth(doc: PublisherDoc, e: Pick<Evaluation, 'salesFrom' | 'asOf'>): Promise<MonthOfSales[]> {
    const aggregates = await aggregatesFor(this.store, doc.publisher.id, doc);
    return monthlySales(aggregates, doc.offers.filter((o) => o.publisherId === doc.publisher.id), e.salesFrom, e.asOf);
  }

  /**
   * Rewards team: activations still waiting for the one-week contact (state `activated`), every
   * publisher's, overdue ones first, then by due date.
   */
  async waitingActivations(staff: Pick<Staff, 'roles'>): Promise<Array<{ publisherId: string; publisherName: string; activation: Activation; overdue: boolean }>> {
    if (!staff.roles.includes('rewards')) throw new AppError('forbidden', 'Only the Rewards team can do this.');
    const now = this.now().toISOString();
    const out: Array<{ publisherId: string; publisherName: string; activation: Activation; overdue: boolean }> = [];
    for (const id of await this.store.listPublisherIds()) {
      const doc = await this.store.getPublisher(id);
      for (const a of doc?.state.activations ?? []) if (a.state === 'activated') out.push({ publisherId: id, publisherName: doc!.publisher.name, activation: a, overdue: activationOverdue(a, now) });
    }
    return out.sort((a, b) => Number(b.overdue) - Number(a.overdue) || a.activation.dueAt.localeCompare(b.activation.dueAt));
  }

  /**
   * Runs a publisher action on the latest document inside one atomic update; a refusal writes
   * nothing. Successful changes go to the audit log with their events.
   */
  private async act<R extends Result<{ state: PublisherDoc['state'] }>>(
    caller: PublisherCaller,
    action: string,
    run: (ctx: PublisherContext, doc: PublisherDoc) => R,
  ): Promise<R> {
    const at = this.now().toISOString();
    const aggregates = await aggregatesFor(this.store, caller.publisherId);
    try {
      const result = await this.store.updatePublisher(caller.publisherId, (doc) => {
        const ctx: PublisherContext = { edition: this.edition, publisher: doc.publisher, offers: doc.offers, state: doc.state, actor: { aadObjectId: caller.aadObjectId, role: caller.role }, at };
        const r = run(ctx, { ...doc, aggregates: aggregates as unknown as Record<string, unknown> });
        if (!r.ok) throw new ActionRefused(r);
        if (r.events.length === 0) throw new NoChange(r);
        doc.state = r.state;
        return r;
      });
      const events: ProgramEvent[] = result.ok ? result.events : [];
      await this.store.appendAudit([{ at, actor: caller.aadObjectId, action, publisherId: caller.publisherId, details: { events } }]);
      await this.sink(events);
      return result;
    } catch (err) {
      if (err instanceof ActionRefused) return err.failure as R;
      if (err instanceof NoChange) return err.result as R;
      throw err;
    }
  }

  enroll(caller: PublisherCaller) {
    return this.act(caller, 'enroll', (ctx) => enroll(ctx));
  }

  assignContact(caller: PublisherCaller, input: ContactInput) {
    return this.act(caller, 'assign_contact', (ctx) => assignContact({ ...ctx, input }));
  }

  async activate(caller: PublisherCaller, offerId: string, benefitId: string) {
    const aggregates = await aggregatesFor(this.store, caller.publisherId);
    return this.act(caller, 'activate', (ctx, doc) => activate({ ...ctx, aggregates, mau: doc.mau, offerId, benefitId, newId: newId('act') }));
  }

  optOut(caller: PublisherCaller, offerId: string) {
    return this.act(caller, 'opt_out', (ctx) => optOut({ ...ctx, offerId }));
  }

  optIn(caller: PublisherCaller, offerId: string) {
    return this.act(caller, 'opt_in', (ctx) => optIn({ ...ctx, offerId }));
  }

  async requestTechnicalAssistance(caller: PublisherCaller, input: TechRequestInput) {
    const aggregates = await aggregatesFor(this.store, caller.publisherId);
    return this.act(caller, 'tech_request', (ctx, doc) => requestTechnicalAssistance({ ...ctx, aggregates, mau: doc.mau, input, newId: newId('tech') }));
  }

  /** Rewards team: the Rewards team contacted the marketing contact (in progress) or finished. */
  async markActivation(staff: Pick<Staff, 'aadObjectId' | 'roles'>, publisherId: string, activationId: string, to: 'contacted' | 'completed') {
    const at = this.now().toISOString();
    if (!(await this.store.getPublisher(publisherId))) throw new AppError('not_found', `No publisher ${publisherId}.`);
    const actor = { aadObjectId: staff.aadObjectId, staffRoles: staff.roles };
    try {
      const r = await this.store.updatePublisher(publisherId, (doc) => {
        const input = { actor, publisherId, state: doc.state, activationId, at };
        const res = to === 'contacted' ? markActivationContacted(input) : markActivationCompleted(input);
        if (!res.ok) throw new ActionRefused(res);
        if (res.events.length === 0) throw new NoChange(res);
        doc.state = res.state;
        return res;
      });
      await this.store.appendAudit([{ at, actor: staff.aadObjectId, action: `activation_${to}`, publisherId, subject: activationId, details: { events: r.events } }]);
      await this.sink(r.events);
      return r;
    } catch (err) {
      if (err instanceof ActionRefused) return err.failure;
      if (err instanceof NoChange) return err.result as Awaited<ReturnType<typeof markActivationContacted>>;
      throw err;
    }
  }

  /**
   * Rewards team: marks a transaction fraudulent or cancelled (or billed again), updates the ledger
   * and totals through a journaled import, then revokes running activations the corrected tier
   * no longer unlocks.
   */
  async markTransaction(staff: Pick<Staff, 'aadObjectId' | 'roles'>, publisherId: string, transactionId: string, status: TransactionStatus, note = '') {
    const at = this.now().toISOString();
    const doc = await this.store.getPublisher(publisherId);
    if (!doc) throw new AppError('not_found', `No publisher ${publisherId}.`);
    const tx = (await this.store.readTransactions(publisherId)).find((t) => t.id === transactionId);
    if (!tx) throw new AppError('not_found', `Publisher ${publisherId} has no transaction ${transactionId}.`);
    const offer = doc.offers.find((o) => o.id === tx.offerId);
    if (!offer) throw new AppError('not_found', `Offer ${tx.offerId} of transaction ${transactionId} is missing.`);
    const before = await this.evaluate(publisherId, today(at));
    const aggregates = await aggregatesFor(this.store, publisherId);
    const r = markTransaction({ actor: { aadObjectId: staff.aadObjectId, staffRoles: staff.roles }, transaction: tx, offer, aggregates, status, note, at });
    if (!r.ok || !r.changed) return { result: r, revoked: [] };
    await this.store.importBatch(
      { publishers: [], offers: [], transactions: [r.transaction], mau: [], staff: [] },
      { at, actor: staff.aadObjectId, action: 'mark_transaction', publisherId, subject: transactionId, details: { from: tx.status, to: status, note } },
      salesReducer,
    );
    const after = await this.evaluate(publisherId, today(at));
    const reconciled = reconcileAfterCorrection(this.edition, before, after, (await this.store.getPublisher(publisherId))!.state, at);
    if (reconciled.revoked.length > 0) {
      await this.store.updatePublisher(publisherId, (d) => {
        const ids = new Set(reconciled.revoked.map((a) => a.id));
        d.state.activations = d.state.activations.map((a) => (ids.has(a.id) ? reconciled.revoked.find((x) => x.id === a.id)! : a));
      });
      await this.store.appendAudit([{ at, actor: staff.aadObjectId, action: 'revoke_after_correction', publisherId, details: { events: reconciled.events } }]);
    }
    await this.sink([...r.events, ...reconciled.events]);
    return { result: r, revoked: reconciled.revoked, before, after };
  }
}

class NoChange extends Error {
  constructor(readonly result: unknown) {
    super('no change');
  }
}

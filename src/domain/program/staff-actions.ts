/**
 * What the Rewards team can do: correct sales, revoke benefits, de-list offers and move
 * activations along. Pure rule checks; the caller persists, re-evaluates and notifies.
 */
import type { Activation, Offer, ProgramState, RevocationReason, Transaction, TransactionStatus } from '../model.js';
import { applyTransactionChange, type SalesAggregates } from './aggregates.js';
import { REVOCATION_REASON_TEXT, TIER_CORRECTED } from './benefits.js';
import type { Edition } from './edition.js';
import type { Evaluation } from './evaluate.js';
import { fail, type Failure, type ProgramEvent, type Result, type StaffActor, type StateResult } from './results.js';

function requireRewardsTeam(actor: StaffActor): Failure | null {
  return actor.staffRoles.includes('rewards') ? null : fail('forbidden', 'Only the Rewards team can do this.');
}

/**
 * Mark a transaction fraudulent or cancelled (or billed again after a mistake). Returns the updated
 * transaction and aggregates; the caller re-evaluates and calls `reconcileAfterCorrection`.
 */
export function markTransaction(input: {
  actor: StaffActor;
  transaction: Transaction;
  offer: Offer;
  aggregates: SalesAggregates;
  status: TransactionStatus;
  note?: string;
  at: string;
}): Result<{ transaction: Transaction; aggregates: SalesAggregates; changed: boolean }> {
  const { actor, transaction, offer, aggregates, status, at } = input;
  const denied = requireRewardsTeam(actor);
  if (denied) return denied;
  if (transaction.offerId !== offer.id) return fail('unknown_offer', `Transaction ${transaction.id} is not on offer ${offer.id}.`);
  if (transaction.status === status) return { ok: true, transaction, aggregates, changed: false, events: [] };
  const updated: Transaction = { ...transaction, status };
  return {
    ok: true,
    changed: true,
    transaction: updated,
    aggregates: applyTransactionChange(aggregates, transaction, updated, offer),
    events: [
      {
        type: 'transaction_marked',
        publisherId: offer.publisherId,
        at,
        transactionId: transaction.id,
        from: transaction.status,
        to: status,
        note: input.note ?? '',
        by: actor.aadObjectId,
      },
    ],
  };
}

/**
 * After a correction lowered the tier: activations still running (activated / in progress) whose
 * benefit the old tier unlocked and the new one does not become `revoked` with "tier corrected".
 * Completed ones stay completed; benefits that were not tier-unlocked are left alone.
 */
export function reconcileAfterCorrection(
  edition: Edition,
  before: Evaluation,
  after: Evaluation,
  state: ProgramState,
  at: string,
): { state: ProgramState; events: ProgramEvent[]; revoked: Activation[] } {
  const unlocks = (tier: number | null, fromTier: number): boolean => tier !== null && tier >= fromTier;
  const revoked: Activation[] = [];
  const activations = state.activations.map((a) => {
    if (a.state !== 'activated' && a.state !== 'in_progress') return a;
    const offer = after.offers.find((o) => o.offerId === a.offerId);
    const benefit = edition.benefits.find((b) => b.id === a.benefitId);
    if (!offer || offer.listingType !== 'transact' || !benefit || benefit.fromTier === null) return a;
    if (!unlocks(before.tier, benefit.fromTier) || unlocks(after.tier, benefit.fromTier)) return a;
    const next: Activation = { ...a, state: 'revoked', revokedAt: at, revokedReason: TIER_CORRECTED };
    revoked.push(next);
    return next;
  });
  return {
    state: revoked.length > 0 ? { ...state, activations } : state,
    revoked,
    events: revoked.map((a) => ({
      type: 'activation_revoked' as const,
      publisherId: after.publisherId,
      at,
      activationId: a.id,
      reason: TIER_CORRECTED,
    })),
  };
}

/**
 * Revoke and terminate a publisher's benefits for one of the program's reasons. Running
 * activations become revoked; completed ones stay (the work was done).
 */
export function revokeBenefits(input: {
  actor: StaffActor;
  publisherId: string;
  state: ProgramState;
  reason: RevocationReason;
  note?: string;
  at: string;
}): StateResult {
  const { actor, publisherId, state, reason, at } = input;
  const denied = requireRewardsTeam(actor);
  if (denied) return denied;
  const note = input.note ?? '';
  const text = `benefits revoked: ${REVOCATION_REASON_TEXT[reason]}`;
  const { activations, events } = revokeRunning(state.activations, () => true, text, publisherId, at);
  return {
    ok: true,
    state: { ...state, activations, revocation: { reason, note, revokedAt: at, revokedBy: actor.aadObjectId } },
    events: [{ type: 'benefits_revoked', publisherId, at, reason, note, by: actor.aadObjectId }, ...events],
  };
}

/**
 * De-list an offer. Its running activations are revoked ("offer de-listed") because the team can
 * no longer promote it; whether to revoke the whole company's benefits is a separate decision.
 */
export function delistOffer(input: {
  actor: StaffActor;
  offer: Offer;
  state: ProgramState;
  at: string;
}): Result<{ offer: Offer; state: ProgramState; changed: boolean }> {
  const { actor, offer, state, at } = input;
  const denied = requireRewardsTeam(actor);
  if (denied) return denied;
  if (offer.status === 'delisted') return { ok: true, offer, state, changed: false, events: [] };
  const { activations, events } = revokeRunning(state.activations, (a) => a.offerId === offer.id, 'offer de-listed', offer.publisherId, at);
  return {
    ok: true,
    changed: true,
    offer: { ...offer, status: 'delisted' },
    state: { ...state, activations },
    events: [{ type: 'offer_delisted', publisherId: offer.publisherId, at, offerId: offer.id, by: actor.aadObjectId }, ...events],
  };
}

function revokeRunning(
  all: readonly Activation[],
  which: (a: Activation) => boolean,
  reason: string,
  publisherId: string,
  at: string,
): { activations: Activation[]; events: ProgramEvent[] } {
  const events: ProgramEvent[] = [];
  const activations = all.map((a) => {
    if ((a.state !== 'activated' && a.state !== 'in_progress') || !which(a)) return a;
    events.push({ type: 'activation_revoked', publisherId, at, activationId: a.id, reason });
    return { ...a, state: 'revoked' as const, revokedAt: at, revokedReason: reason };
  });
  return { activations, events };
}

/** The Rewards team reached the marketing contact: activated → in progress. Repeating it is a no-op. */
export function markActivationContacted(input: {
  actor: StaffActor;
  publisherId: string;
  state: ProgramState;
  activationId: string;
  at: string;
}): StateResult<{ activation: Activation }> {
  return moveActivation(input, 'in_progress');
}

/** The benefit was delivered: activated or in progress → completed. Repeating it is a no-op. */
export function markActivationCompleted(input: {
  actor: StaffActor;
  publisherId: string;
  state: ProgramState;
  activationId: string;
  at: string;
}): StateResult<{ activation: Activation }> {
  return moveActivation(input, 'completed');
}

function moveActivation(
  input: { actor: StaffActor; publisherId: string; state: ProgramState; activationId: string; at: string },
  to: 'in_progress' | 'completed',
): StateResult<{ activation: Activation }> {
  const { actor, publisherId, state, activationId, at } = input;
  const denied = requireRewardsTeam(actor);
  if (denied) return denied;
  const current = state.activations.find((a) => a.id === activationId);
  if (!current) return fail('unknown_activation', `No activation ${activationId} for this publisher.`);
  if (current.state === to) return { ok: true, state, activation: current, events: [] };
  const allowed = to === 'in_progress' ? current.state === 'activated' : current.state !== 'revoked' && current.state !== 'completed';
  if (!allowed) {
    return fail('invalid_transition', `This activation is ${current.state.replace('_', ' ')}; it cannot be marked ${to.replace('_', ' ')}.`);
  }
  const activation: Activation =
    to === 'in_progress'
      ? { ...current, state: to, contactedAt: at }
      : { ...current, state: to, completedAt: at, contactedAt: current.contactedAt ?? at };
  return {
    ok: true,
    activation,
    state: { ...state, activations: state.activations.map((a) => (a.id === activationId ? activation : a)) },
    events: [
      { type: to === 'in_progress' ? 'activation_contacted' : 'activation_completed', publisherId, at, activationId, by: actor.aadObjectId },
    ],
  };
}

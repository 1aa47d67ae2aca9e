/** Status: tier, what counted and why, progress to the next tier, enrollment, contact, activations. */
import type { Edition, Evaluation } from '../../../domain/program/index.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import type { CardModels } from '../cards.js';
import type { BotDeps, Command } from '../turn.js';
import { ageInDays, formatDay, formatUsd, progressBar } from '../flows/present.js';
import { ProgramService } from '../../../services/program.js';
import { PHASE_NAMES, STATE_LABEL, callerOf, canAct, gapText, userName, type FeatureCaller } from './common.js';

/** Why a transaction does not count (PROGRAM-RULES.md, "Sales that do not count"). */
export const EXCLUSION_REASONS: Record<Evaluation['excluded'][number]['status'], string> = {
  fraud: 'Proven fraudulent: fraud never counts toward a tier',
  cancelled_accidental: 'Cancelled: bought by accident, earns no rewards',
  cancelled_before_use: 'Cancelled before use: earns no rewards',
};

/**
 * How far the company is from the next tier in billed sales (0 to 1) and the benefits that tier
 * unlocks (only for a company with a live transact offer): the status card's bar and the tab's gauge.
 */
export function tierProgress(edition: Edition, doc: PublisherDoc, e: Evaluation): { fraction: number; unlocks: string[] } | null {
  if (!e.nextTier) return null;
  const current = edition.tiers.find((t) => t.tier === e.tier);
  const next = edition.tiers.find((t) => t.tier === e.nextTier!.tier);
  const from = current?.billedSalesUsd ?? 0;
  const to = next?.billedSalesUsd ?? from;
  const fraction = to > from ? Math.min(1, Math.max(0, (e.countedBilledSalesUsd - from) / (to - from))) : 0;
  const transact = doc.offers.some((o) => o.listingType === 'transact' && o.status === 'live');
  return { fraction, unlocks: transact ? edition.benefits.filter((b) => b.fromTier === e.nextTier!.tier).map((b) => b.name) : [] };
}

/** The one thing this user can do next, for their role and where the company stands. */
function nextStep(doc: PublisherDoc, caller: FeatureCaller, e: Evaluation): string {
  if (e.revocation) return 'Your benefits were revoked: contact the Rewards team (raise a ticket: type ticket).';
  if (!canAct(caller)) {
    const who = caller.personal ? ProgramService.actors(doc) : [];
    return `You can look up benefits and raise tickets; ${who.length ? who.join(' or ') : 'an owner or a manager'} can enroll, assign the contact and activate.`;
  }
  if (!e.enrolled) return 'Next: type enroll to enroll your company.';
  if (!e.hasContact) return 'Next: type contact to assign your marketing contact.';
  return 'Next: type benefits to see and activate what your tier unlocks.';
}

function statusCard(deps: BotDeps, doc: PublisherDoc, caller: FeatureCaller, e: Evaluation, openTickets: number): CardModels['status'] {
  const now = deps.now();
  const metrics = [{ title: 'Billed sales counted', value: `${formatUsd(e.countedBilledSalesUsd)}${e.salesFrom ? ` since ${formatDay(e.salesFrom)}` : ''} (after fraud and cancellations)` }];
  if (e.countedSeats !== null) metrics.push({ title: 'Seats counted', value: e.countedSeats.toLocaleString('en-US') });
  if (e.countedMau !== null) metrics.push({ title: 'Teams app MAU', value: e.countedMau.toLocaleString('en-US') });
  let progress = { label: '', bar: '', gap: '', unlocks: '' };
  const p = tierProgress(deps.program.edition, doc, e);
  if (e.nextTier && p) {
    const { fraction, unlocks } = p;
    const gap = gapText(e.nextTier.gaps);
    progress = {
      label: `Progress to ${e.nextTier.name}`,
      bar: progressBar(fraction),
      gap: gap ? `${gap} to reach it.` : '',
      unlocks: unlocks.length ? `${e.nextTier.name} unlocks: ${unlocks.join(', ')}.` : '',
    };
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
    excluded: [
      ...e.excluded.map((x) => ({
        title: `${formatDay(x.date)} · ${formatUsd(x.billedUsd)}${x.seats ? ` · ${x.seats.toLocaleString('en-US')} seats` : ''}`,
        value: `${EXCLUSION_REASONS[x.status]} (${offerName(x.offerId)})`,
      })),
      ...(e.excludedCount > e.excluded.length ? [{ title: 'Earlier', value: `${(e.excludedCount - e.excluded.length).toLocaleString('en-US')} more not counted (the latest ${e.excluded.length} are above)` }] : []),
    ],
    progress,
    program: [
      { title: 'Enrollment', value: e.enrolled ? `enrolled since ${formatDay(doc.state.enrolment!.enrolledAt)}` : 'not enrolled (type enroll)' },
      { title: 'Marketing contact', value: c ? `${c.name}, ${c.email}` : 'none yet (type contact)' },
      { title: 'Open tickets', value: String(openTickets) },
      ...(e.revocation ? [{ title: 'Benefits revoked', value: e.revocation.text }] : []),
    ],
    activations: doc.state.activations.map((a) => ({
      title: `${benefitName(a.benefitId)} (${offerName(a.offerId)})`,
      value: `${STATE_LABEL[a.state].label.toLowerCase()}, activated ${ageInDays(a.activatedAt, now)}${a.state === 'activated' ? `, contact due ${formatDay(a.dueAt)}` : ''}${a.revokedReason ? ` (${a.revokedReason})` : ''}`,
    })),
    requests: doc.state.techRequests.map((r) => ({
      title: `${PHASE_NAMES[r.phase]} · ${r.offerId ? offerName(r.offerId) : 'the company'}`,
      value: `waiting for the Rewards team since ${formatDay(r.requestedAt)} (${userName(doc, r.requestedBy)})`,
    })),
    nextStep: nextStep(doc, caller, e),
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
  personalOnly: true,
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const e = await deps.program.evaluate(caller.publisherId, undefined, doc, { benefits: false, excluded: true });
    const open = doc.tickets.filter((t) => t.status !== 'closed' && t.status !== 'withdrawn' && t.status !== 'resolved').length;
    await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('status', statusCard(deps, doc, caller, e, open))] });
  },
};

export const statusCommands: Command[] = [statusCommand];

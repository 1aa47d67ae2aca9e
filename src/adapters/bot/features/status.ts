/** Status: tier, what counted and why, progress to the next tier, enrollment, contact, activations. */
import type { Evaluation } from '../../../domain/program/index.js';
import type { PublisherDoc } from '../../store/store.js';
import type { CardModels } from '../cards.js';
import type { BotDeps, Command } from '../turn.js';
import { ageInDays, formatDay, formatUsd, progressBar } from '../flows/present.js';
import { STATE_LABEL, callerOf, gapText } from './common.js';

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
    const gap = gapText(e.nextTier.gaps);
    progress = { label: `Progress to ${e.nextTier.name}`, bar: progressBar(fraction), gap: gap ? `${gap} to reach it.` : '' };
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
      { title: 'Enrollment', value: e.enrolled ? `enrolled since ${formatDay(doc.state.enrolment!.enrolledAt)}` : 'not enrolled (type enroll)' },
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
  personalOnly: true,
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const e = await deps.program.evaluate(caller.publisherId, undefined, doc, { benefits: false });
    const open = doc.tickets.filter((t) => t.status !== 'closed' && t.status !== 'withdrawn' && t.status !== 'resolved').length;
    await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('status', statusCard(deps, doc, e, open))] });
  },
};

export const statusCommands: Command[] = [statusCommand];

/** Benefits per offer and category, with the reason when locked, and `Activate`. */
import { z } from 'zod';
import type { BenefitStatus, Evaluation } from '../../../domain/program/index.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type VerbTable } from '../turn.js';
import { formatDay, formatUsd } from '../flows/present.js';
import { CATEGORY_TITLES, LISTING_NAMES, STATE_LABEL, bad, callerOf, canAct, count, gapText, good, lookOnly, noBanner, ownOffer, type FeatureCaller } from './common.js';

const RUNNING = new Set<BenefitStatus['state']>(['activated', 'in_progress', 'completed']);

/**
 * One offer's benefits, summary first: how many can be activated now, how many run, what the next
 * tier unlocks and how far it is. Available benefits are one choice list with one `Activate`
 * button; the rest are grouped by what holds them back, each restriction said once.
 */
export function benefitsCard(deps: BotDeps, doc: PublisherDoc, caller: FeatureCaller, e: Evaluation, offerId: string | undefined, banner: Banner) {
  const offers = e.offers.filter((o) => o.benefits.length > 0);
  const offer = offers.find((o) => o.offerId === offerId) ?? offers[0];
  if (!offer) {
    return deps.cards.card('message', { title: 'Benefits', text: 'You have no live offers yet: benefits start when an offer goes live.', reference: '' });
  }
  const acting = canAct(caller);
  const edition = deps.program.edition;
  const label = (b: BenefitStatus) => `${CATEGORY_TITLES[b.category]} · ${b.sponsorshipUsd ? `${b.name} (${formatUsd(b.sponsorshipUsd)})` : b.name}`;
  const available = offer.benefits.filter((b) => b.state === 'available' && b.use === 'activate');
  const requestable = offer.benefits.filter((b) => b.state === 'available' && b.use === 'tech_request');
  const running = offer.benefits.filter((b) => RUNNING.has(b.state));
  const held = offer.benefits.filter((b) => b.state !== 'available' && !RUNNING.has(b.state));

  // Each restriction once, with the benefits it holds back, in the catalog's order (lower tiers first).
  const groups = new Map<string, string[]>();
  for (const b of held) for (const r of b.reasons.length ? b.reasons : [STATE_LABEL[b.state].label]) groups.set(r, [...(groups.get(r) ?? []), b.name]);
  const locked = [...groups].map(([reason, names]) => ({ reason, names: names.length === held.length && held.length > 3 ? `Every benefit of this offer (${held.length})` : names.join(', ') }));

  let nextTier = '';
  if (offer.listingType === 'transact' && e.nextTier) {
    const next = e.nextTier.tier;
    const unlocks = held.filter((b) => edition.benefits.find((d) => d.id === b.id)?.fromTier === next);
    const gap = gapText(e.nextTier.gaps);
    nextTier = `${e.nextTier.name} unlocks ${unlocks.length ? `${count(unlocks.length, 'more benefit')}: ${unlocks.map((b) => b.name).join(', ')}` : 'higher sponsorship amounts'}.${gap ? ` ${gap[0]!.toUpperCase()}${gap.slice(1)} to reach it.` : ''}`;
  }
  const activation = (b: BenefitStatus) => doc.state.activations.find((a) => a.id === b.activationId);
  const engagement = offer.engagement?.kind === 'window' ? (offer.engagement.over ? 'engagement window over' : `${offer.engagement.daysLeft} days left in the engagement window`) : offer.engagement?.kind === 'evergreen' ? 'evergreen engagement' : '';
  let hint = '';
  if (!acting) hint = lookOnly(doc, caller, 'activate benefits');
  else if (!e.enrolled) hint = 'Enroll first (type enroll) to activate benefits.';
  else if (!e.hasContact) hint = 'Assign a marketing contact (type contact) to activate benefits.';
  const canActivate = acting && available.length > 0;
  return deps.cards.card('benefits', {
    ...banner,
    offerName: offer.name,
    offerId: offer.offerId,
    summary: [LISTING_NAMES[offer.listingType], e.tierName, engagement, offer.optedOut ? 'opted out' : ''].filter(Boolean).join(' · '),
    headline: `${available.length} available to activate · ${running.length} activated · ${held.length} not available yet`,
    nextTier,
    hint,
    canActivate,
    showList: !canActivate && available.length > 0,
    benefitValue: available[0]?.id ?? '',
    available: available.map((b) => ({ name: label(b), benefitId: b.id })),
    running: running.map((b) => {
      const a = activation(b);
      return { title: label(b), value: `${STATE_LABEL[b.state].label}${a ? ` · activated ${formatDay(a.activatedAt)}` : ''}` };
    }),
    locked,
    notes: [...new Set([...(requestable.length ? ['Technical assistance is available: type tech to submit a request.'] : []), ...offer.benefits.flatMap((b) => b.notes)])],
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

export const benefitsCommands: Command[] = [benefitsCommand];

export const benefitsVerbs: VerbTable = {
  'benefits.show': verb(OfferRef, async (turn, { offerId }, deps) => {
    const { caller, doc } = await callerOf(turn, deps);
    ownOffer(doc, offerId);
    return benefitsCard(deps, doc, caller, await deps.program.evaluate(caller.publisherId), offerId, noBanner);
  }),
  'benefit.activate': verb(BenefitRef, async (turn, { offerId, benefitId }, deps) => {
    const { caller, doc } = await callerOf(turn, deps);
    ownOffer(doc, offerId);
    const r = await deps.program.activate(caller, offerId, benefitId);
    const after = (await callerOf(turn, deps)).doc;
    const e = await deps.program.evaluate(caller.publisherId);
    if (!r.ok) return benefitsCard(deps, after, caller, e, offerId, bad(r.error.message));
    const contact = (caller.personal ? after.state.contact?.name : undefined) ?? 'your marketing contact';
    const name = e.offers.find((o) => o.offerId === offerId)?.benefits.find((b) => b.id === benefitId)?.name ?? benefitId;
    if (r.alreadyActive) {
      const was = r.activation.state === 'activated' ? '' : ` (now ${STATE_LABEL[r.activation.state].label.toLowerCase()})`;
      return benefitsCard(deps, after, caller, e, offerId, good(`${name} is already activated on ${formatDay(r.activation.activatedAt)}${was}: nothing changed.`));
    }
    return benefitsCard(deps, after, caller, e, offerId, good(`${name} is activated. A member of the Rewards team will contact ${contact} within a week.`));
  }),
};

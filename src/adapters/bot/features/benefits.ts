/** Benefits per offer and category, with the reason when locked, and `Activate`. */
import { z } from 'zod';
import type { Evaluation } from '../../../domain/program/index.js';
import type { PublisherCaller } from '../../../services/program.js';
import type { PublisherDoc } from '../../store/store.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type VerbTable } from '../turn.js';
import { formatDay, formatUsd } from '../flows/present.js';
import { CATEGORY_TITLES, LISTING_NAMES, STATE_LABEL, bad, callerOf, canAct, good, lookOnly, noBanner, ownOffer } from './common.js';

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
    const contact = after.state.contact?.name ?? 'your marketing contact';
    const name = e.offers.find((o) => o.offerId === offerId)?.benefits.find((b) => b.id === benefitId)?.name ?? benefitId;
    if (r.alreadyActive) {
      const was = r.activation.state === 'activated' ? '' : ` (now ${STATE_LABEL[r.activation.state].label.toLowerCase()})`;
      return benefitsCard(deps, after, caller, e, offerId, good(`${name} is already activated on ${formatDay(r.activation.activatedAt)}${was}: nothing changed.`));
    }
    return benefitsCard(deps, after, caller, e, offerId, good(`${name} is activated. A member of the Rewards team will contact ${contact} within a week.`));
  }),
};

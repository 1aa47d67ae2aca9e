/** Opt out / opt in: per offer, at any time (PROGRAM-RULES.md, operating rules). */
import { z } from 'zod';
import { isLive, type Failure } from '../../../domain/program/index.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type Verb } from '../turn.js';
import { bad, callerOf, canAct, good, lookOnly, noBanner, ownOffer, type FeatureCaller } from './common.js';

function optCard(deps: BotDeps, doc: PublisherDoc, caller: FeatureCaller, banner: Banner) {
  const today = deps.now().toISOString().slice(0, 10);
  return deps.cards.card('offers-optout', {
    ...(canAct(caller) ? banner : { banner: lookOnly(doc, caller, 'opt offers in or out'), bannerColor: 'Default' as const }),
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

const OfferRef = z.object({ offerId: z.string().max(64) });

const optVerb = (out: boolean): Verb<typeof OfferRef> =>
  verb(OfferRef, async (turn, { offerId }, deps) => {
    const { caller, doc } = await callerOf(turn, deps);
    const offer = ownOffer(doc, offerId);
    const r = out ? await deps.program.optOut(caller, offerId) : await deps.program.optIn(caller, offerId);
    const after = (await callerOf(turn, deps)).doc;
    if (!r.ok) return optCard(deps, after, caller, bad((r as Failure).error.message));
    return optCard(deps, after, caller, good(`${offer.name} is opted ${out ? 'out of' : 'back in to'} engagement.`));
  });

export const optOutCommands: Command[] = [optCommand('optout'), optCommand('optin')];

export const optOutVerbs = { 'offer.optout': optVerb(true), 'offer.optin': optVerb(false) };

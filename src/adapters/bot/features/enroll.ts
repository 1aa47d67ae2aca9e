/** Enroll: the company's live offers and the Partner Center button; a second enrolment says so. */
import { z } from 'zod';
import { isLive } from '../../../domain/program/index.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type VerbTable } from '../turn.js';
import { formatDay } from '../flows/present.js';
import { LISTING_NAMES, bad, callerOf, canAct, good, lookOnly, noBanner, type FeatureCaller } from './common.js';

function enrollCard(deps: BotDeps, doc: PublisherDoc, caller: FeatureCaller, banner: Banner): Record<string, unknown> {
  const today = deps.now().toISOString().slice(0, 10);
  const live = doc.offers.filter((o) => isLive(o, today));
  const enrolment = doc.state.enrolment;
  let intro: string;
  let canEnroll = false;
  if (enrolment) intro = `${doc.publisher.name} is enrolled since ${formatDay(enrolment.enrolledAt)}. Next: assign your marketing contact (type contact), then activate benefits (type benefits).`;
  else if (doc.publisher.mpnId === null) intro = 'Your company needs an MPN ID (Partner global account) to enroll. Add it in Partner Center, then try again.';
  else if (live.length === 0) intro = 'You need at least one live offer on AppSource or Azure Marketplace to enroll. Publish an offer, then try again.';
  else if (!canAct(caller)) intro = lookOnly(doc, caller, 'enroll the company');
  else {
    intro = 'Enrolling makes all your live offers eligible for Marketplace Rewards benefits:';
    canEnroll = true;
  }
  return deps.cards.card('enroll', {
    ...banner,
    company: doc.publisher.name,
    mpnId: doc.publisher.mpnId ?? 'none',
    intro,
    offers: live.map((o) => ({ name: o.name, detail: `${LISTING_NAMES[o.listingType]} · live since ${o.liveDate ? formatDay(o.liveDate) : 'unknown'}` })),
    canEnroll,
  });
}

const enrollCommand: Command = {
  name: 'enroll',
  description: 'Enroll your company in Marketplace Rewards',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    await (await turn.forms()).open('enroll');
    await turn.ctx.sendActivity({ attachments: [asAttachment(enrollCard(deps, doc, caller, noBanner))] });
  },
};

export const enrollCommands: Command[] = [enrollCommand];

export const enrollVerbs: VerbTable = {
  'enroll.submit': verb(z.object({}), async (turn, _data, deps) => {
    const { caller } = await callerOf(turn, deps);
    const r = await deps.program.enroll(caller);
    const { doc } = await callerOf(turn, deps);
    if (!r.ok) return enrollCard(deps, doc, caller, bad(r.error.message));
    await (await turn.forms()).close();
    return enrollCard(deps, doc, caller, good(r.alreadyEnrolled ? 'Your company was already enrolled: nothing changed.' : `${doc.publisher.name} is enrolled in Marketplace Rewards.`));
  }),
};

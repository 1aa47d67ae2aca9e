/** Technical assistance: phase and description, `Submit request`; routed like an activation. */
import { z } from 'zod';
import { TechPhase } from '../../../domain/model.js';
import type { PublisherCaller } from '../../../services/program.js';
import type { PublisherDoc } from '../../store/store.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type VerbTable } from '../turn.js';
import { PHASE_NAMES, bad, callerOf, canAct, good, lookOnly, noBanner, ownOffer, submissionKey } from './common.js';

export const TechData = z.object({ phase: z.string().max(40).default(''), offerId: z.string().max(64).default(''), description: z.string().max(5000).default('') });

function techCard(deps: BotDeps, doc: PublisherDoc, caller: PublisherCaller, draft: Record<string, string>, errors: Record<string, string>, banner: Banner) {
  const technical = deps.program.edition.benefits.some((b) => b.category === 'technical');
  const ready = doc.state.enrolment !== null && doc.state.contact !== null;
  return deps.cards.card('tech-form', {
    ...banner,
    intro: !technical
      ? `The ${deps.program.edition.name} edition has no technical benefits.`
      : !canAct(caller)
        ? lookOnly(doc, 'request technical assistance')
        : !ready
          ? 'Enroll and assign a marketing contact first (type enroll, then contact).'
          : 'Tell us the phase and what you need; the Rewards team routes it like an activation and contacts your marketing contact.',
    phases: TechPhase.options.map((p) => ({ title: PHASE_NAMES[p], choice: p })),
    offers: doc.offers.filter((o) => o.status === 'live').map((o) => ({ title: o.name, choice: o.id })),
    phaseValue: draft.phase ?? '',
    offerValue: draft.offerId ?? '',
    descriptionValue: draft.description ?? '',
    errors: { phase: errors.phase ?? '', offerId: errors.offerId ?? '', description: errors.description ?? '' },
    canAct: technical && ready && canAct(caller),
  });
}

const techCommand: Command = {
  name: 'tech',
  description: 'Request technical assistance (presales, design, deployment, app development)',
  audience: 'everyone',
  async handle(turn, deps) {
    const { caller, doc } = await callerOf(turn, deps);
    const { draft, errors } = await (await turn.forms()).resume('tech');
    await turn.ctx.sendActivity({ attachments: [asAttachment(techCard(deps, doc, caller, draft, errors, noBanner))] });
  },
};

export const techCommands: Command[] = [techCommand];

export const techVerbs: VerbTable = {
  'tech.submit': verb(TechData, async (turn, d, deps) => {
    const { caller, doc } = await callerOf(turn, deps);
    if (d.offerId) ownOffer(doc, d.offerId);
    const r = await deps.program.requestTechnicalAssistance(caller, { offerId: d.offerId || null, phase: d.phase, description: d.description, submission: submissionKey(turn, caller) });
    const forms = await turn.forms();
    if (!r.ok) {
      await forms.open('tech', d, r.error.fields ?? {});
      return techCard(deps, doc, caller, d, r.error.fields ?? {}, bad(r.error.code === 'invalid_input' ? 'Please correct the fields marked below. Nothing was sent.' : r.error.message));
    }
    await forms.close();
    const contact = doc.state.contact?.name ?? 'your marketing contact';
    return techCard(deps, doc, caller, {}, {}, good(`Request sent. A member of the Rewards team will contact ${contact} within a week.`));
  }),
};

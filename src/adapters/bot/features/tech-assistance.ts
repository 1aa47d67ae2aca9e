/** Technical assistance: phase and description, `Submit request`; routed like an activation. */
import { z } from 'zod';
import { TechPhase, type TechRequest } from '../../../domain/model.js';
import { formatDateTime } from '../flows/present.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import { asAttachment, type Banner } from '../cards.js';
import { verb, type BotDeps, type Command, type VerbTable } from '../turn.js';
import { PHASE_NAMES, bad, callerOf, canAct, lookOnly, noBanner, ownOffer, submissionKey, userName, type FeatureCaller } from './common.js';

export const TechData = z.object({ phase: z.string().max(40).default(''), offerId: z.string().max(64).default(''), description: z.string().max(5000).default('') });

function techCard(deps: BotDeps, doc: PublisherDoc, caller: FeatureCaller, draft: Record<string, string>, errors: Record<string, string>, banner: Banner) {
  const technical = deps.program.edition.benefits.some((b) => b.category === 'technical');
  const ready = doc.state.enrolment !== null && doc.state.contact !== null;
  return deps.cards.card('tech-form', {
    ...banner,
    intro: !technical
      ? `The ${deps.program.edition.name} edition has no technical benefits.`
      : !canAct(caller)
        ? lookOnly(doc, caller, 'request technical assistance')
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

/** The submitted request's receipt: what was sent, when and by whom, and who will be contacted. */
function techReceipt(deps: BotDeps, doc: PublisherDoc, request: TechRequest, duplicate: boolean) {
  const contact = doc.state.contact?.name ?? 'your marketing contact';
  return deps.cards.card('receipt', {
    ...(duplicate ? { banner: 'This form was already submitted: nothing new was sent.', bannerColor: 'Default' as const } : noBanner),
    title: 'Technical assistance requested',
    facts: [
      { title: 'Phase', value: PHASE_NAMES[request.phase] },
      { title: 'Offer', value: request.offerId ? (doc.offers.find((o) => o.id === request.offerId)?.name ?? request.offerId) : 'the company in general' },
      { title: 'What you need', value: request.description },
    ],
    savedLine: `Sent ${formatDateTime(request.requestedAt)} by ${userName(doc, request.requestedBy)}`,
    next: `A member of the Rewards team will contact ${contact} within a week. Type status to see pending requests.`,
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
    return techReceipt(deps, doc, r.request, r.duplicate);
  }),
};

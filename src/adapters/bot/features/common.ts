/**
 * What the publisher features share: who may act, the wording of refusals and banners, the names
 * shown for program codes, and the key that recognises a form submitted twice.
 */
import type { z } from 'zod';
import type { PreferredLanguage, TechPhase } from '../../../domain/model.js';
import type { BenefitStatus } from '../../../domain/program/index.js';
import { ProgramService, type PublisherCaller } from '../../../services/program.js';
import { AppError } from '../../../services/errors.js';
import type { PublisherDoc } from '../../../services/ports/index.js';
import type { Banner } from '../cards.js';
import { conversationKey } from '../rewards-bot.js';
import { formatUsd } from '../flows/present.js';
import type { BotDeps, Turn } from '../turn.js';

export const LANGUAGE_NAMES: Record<z.infer<typeof PreferredLanguage>, string> = {
  en: 'English', de: 'German', es: 'Spanish', fr: 'French', it: 'Italian', ja: 'Japanese', ko: 'Korean', nl: 'Dutch', pt: 'Portuguese', zh: 'Chinese',
};
export const PHASE_NAMES: Record<z.infer<typeof TechPhase>, string> = { presales: 'Presales', design: 'Design', deployment: 'Deployment', app_development: 'App development' };
export const LISTING_NAMES = { list: 'Contact me / free listing', trial: 'Free trial', consulting: 'Consulting service', transact: 'Transact' } as const;
export const STATE_LABEL: Record<BenefitStatus['state'], { label: string; color: string }> = {
  locked: { label: 'Locked', color: 'Default' },
  available: { label: 'Available', color: 'Good' },
  activated: { label: 'Activated', color: 'Accent' },
  in_progress: { label: 'In progress', color: 'Accent' },
  completed: { label: 'Completed', color: 'Good' },
  expired: { label: 'Expired', color: 'Warning' },
  revoked: { label: 'Revoked', color: 'Attention' },
};
export const CATEGORY_TITLES = { marketing: 'Marketing', sales: 'Sales', technical: 'Technical' } as const;

export const noBanner: Banner = { banner: '', bannerColor: 'Default' };
export const good = (banner: string): Banner => ({ banner, bannerColor: 'Good' });
export const bad = (banner: string): Banner => ({ banner, bannerColor: 'Attention' });

export const canAct = (caller: PublisherCaller) => caller.role === 'owner' || caller.role === 'manager';

/** The caller as the features see them: an account user, and whether this is their personal chat. */
export interface FeatureCaller extends PublisherCaller {
  /** False in a channel or group chat: cards there name none of the company's people. */
  personal: boolean;
}

/** "Only owners and managers can …: ask Alex Wilber." (names only in the personal chat) for users who may look but not act. */
export function lookOnly(doc: PublisherDoc, caller: FeatureCaller, what: string): string {
  const who = caller.personal ? ProgramService.actors(doc) : [];
  return `Only an owner or a manager of your Partner Center account can ${what}${who.length ? `: ask ${who.join(' or ')}` : ''}.`;
}

/** The caller as an account user of their company (unknown users and staff are refused). */
export async function callerOf(turn: Turn, deps: BotDeps): Promise<{ caller: FeatureCaller; doc: PublisherDoc }> {
  const { caller, doc } = await deps.program.publisherCaller(turn.identity);
  return { caller: { ...caller, personal: inPersonalChat(turn) }, doc };
}

/** Card data names an offer: it must be one of the caller's own, whatever the payload says. */
export function ownOffer(doc: PublisherDoc, offerId: string) {
  const offer = doc.offers.find((o) => o.id === offerId);
  if (!offer) throw new AppError('forbidden', 'That offer is not one of your company’s offers.');
  return offer;
}

/**
 * Names one submit of one form card: the caller, their conversation and the card's message id
 * (`replyToId`). The same card submitted again (a double click, a retried invoke, a later click on
 * the old card) has the same key, so it finds what the first submit saved instead of saving again.
 * Undefined when the client sends no card id: then every submit counts.
 */
export function submissionKey(turn: Turn, caller: Pick<PublisherCaller, 'aadObjectId'>): string | undefined {
  const card = turn.ctx.activity.replyToId;
  return card ? `${caller.aadObjectId}@${conversationKey(turn.ctx)}#${card}`.slice(0, 400) : undefined;
}

/** "$250 more in billed sales or 30 more monthly active users": how far the next tier is. */
export function gapText(gaps: { billedSalesUsd?: number; seats?: number; mau?: number }): string {
  return [
    gaps.billedSalesUsd !== undefined ? `${formatUsd(gaps.billedSalesUsd)} more in billed sales` : '',
    gaps.seats !== undefined ? `${gaps.seats.toLocaleString('en-US')} more seats` : '',
    gaps.mau !== undefined ? `${gaps.mau.toLocaleString('en-US')} more monthly active users` : '',
  ]
    .filter(Boolean)
    .join(' or ');
}

/** "1 benefit", "3 benefits". */
export const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** The name of one of the company's account users (never their id). */
export const userName = (doc: PublisherDoc, aadObjectId: string): string => doc.publisher.users.find((u) => u.aadObjectId === aadObjectId)?.name ?? 'a former user';

/** True in a 1:1 chat with the bot (where a company's people and figures may be shown). */
export const inPersonalChat = (turn: Turn): boolean => (turn.ctx.activity.conversation?.conversationType ?? 'personal') === 'personal';

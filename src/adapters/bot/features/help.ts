/**
 * Welcome and help: who the caller is to the bot, greeted by name, with the commands of their
 * role in the order they are used (the program's steps first), and the program's rules that apply
 * to them now.
 */
import type { BotDeps, Command, Turn } from '../turn.js';
import type { CommandLine } from '../cards.js';
import type { Identity, PublisherDoc } from '../../../services/ports/index.js';
import { noContactDue } from '../../../domain/notifications.js';
import { inPersonalChat } from './common.js';

/** Publisher users: enroll → contact → benefits → status, then the rest; help last. */
const PUBLISHER_ORDER = ['enroll', 'contact', 'benefits', 'status', 'tech', 'optout', 'optin', 'ticket', 'tickets', 'whoami', 'help'];
/** Staff: their own work first; `ticket RW-n` opens any ticket for agents. */
const STAFF_ORDER = ['queue', 'ticket', 'campaign', 'register rewards channel', 'register support channel', 'whoami', 'help'];

type Role = 'publisher' | 'staff' | 'both' | 'unknown';
const roleOf = (id: Identity | undefined): Role => (id ? (id.kind === 'staff' ? 'staff' : id.kind === 'both' ? 'both' : 'publisher') : 'unknown');

function ordered(commands: readonly Command[], order: readonly string[], include: (c: Command) => boolean): Command[] {
  const rank = (c: Command) => {
    const i = order.indexOf(c.name);
    return i < 0 ? order.length : i;
  };
  return commands.filter(include).sort((a, b) => rank(a) - rank(b));
}

/**
 * The commands this caller may use, for help and the fallback card, in a curated order (matching
 * is longest-first; display is not). Staff see staff commands, not "enroll your company"; people
 * the store does not know see only help and whoami. In a channel, commands that answer only in the
 * personal chat say so.
 */
export function visibleCommands(commands: readonly Command[], turn: Pick<Turn, 'identity'> & Partial<Pick<Turn, 'ctx'>>): CommandLine[] {
  const role = roleOf(turn.identity);
  const publisher = (c: Command) => c.audience === 'everyone';
  const staff = (c: Command) => c.audience === 'staff' || (STAFF_ORDER.includes(c.name) && c.audience === 'everyone');
  const list =
    role === 'publisher'
      ? ordered(commands, PUBLISHER_ORDER, publisher)
      : role === 'staff'
        ? ordered(commands, STAFF_ORDER, staff)
        : role === 'both'
          ? [...ordered(commands, PUBLISHER_ORDER, publisher), ...ordered(commands, STAFF_ORDER, (c) => c.audience === 'staff')]
          : ordered(commands, PUBLISHER_ORDER, (c) => c.name === 'help' || c.name === 'whoami');
  const channel = turn.ctx !== undefined && !inPersonalChat(turn as Turn);
  return list.map((c) => ({ name: c.name, description: channel && c.personalOnly ? `${c.description} (in our personal chat)` : c.description }));
}

/** The four-week rule, in the edition's delay. */
function noContactRule(deps: BotDeps): string {
  const days = deps.program.edition.noContactNudgeDays;
  const weeks = days % 7 === 0 ? `${days / 7} weeks` : `${days} days`;
  return `No message from the Rewards team ${weeks} after your offer went live? Check who owns the offer in Partner Center; if the owner cannot be found or has left the company, raise a support ticket.`;
}

/** The caller's offers the no-contact rule applies to now, with their owner (domain noContactDue). */
function silentOffers(deps: BotDeps, doc: PublisherDoc): string[] {
  const today = deps.now().toISOString().slice(0, 10);
  return doc.offers
    .filter((o) => noContactDue(o, doc.state, today, deps.program.edition.noContactNudgeDays))
    .map((o) => `${o.name} has been live since ${o.liveDate}. Its owner in Partner Center is ${o.owner ? `${o.owner.name} (${o.owner.email})` : 'not recorded'}; if nobody from the Rewards team has written, raise a ticket.`);
}

/** The program's operating rules, with the caller's own offers where a rule applies to them now. */
export function programRules(deps: BotDeps, doc: PublisherDoc | undefined): string[] {
  const edition = deps.program.edition;
  return [
    noContactRule(deps),
    'Dynamics 365 offers on AppSource also qualify for ISV Connect (ISV Success for Business Applications).',
    'The program is conducted in English, under the Commercial Benefits Program Addendum of the publisher agreement.',
    `After you activate a benefit, a member of the Rewards team contacts your marketing contact within ${edition.activationContactDays} days.`,
    ...(doc ? silentOffers(deps, doc) : []),
  ];
}

/** The caller's name as the store knows it (Teams' display name otherwise), first name only. */
function firstName(turn: Turn, doc: PublisherDoc | undefined): string {
  const id = turn.identity;
  const stored = id?.kind === 'staff' || id?.kind === 'both' ? id.staff.name : doc?.publisher.users.find((u) => id && u.aadObjectId === id.aadObjectId)?.name;
  return (stored ?? turn.ctx.activity.from?.name ?? '').trim().split(/\s+/)[0] ?? '';
}

const INTRO: Record<Role, string> = {
  publisher: 'I run the Marketplace Rewards program here in Teams: enroll your company, assign its marketing contact, see and activate your benefits, and check your tier, without leaving chat.',
  both: 'I run the Marketplace Rewards program here in Teams: for your company (enroll, contact, benefits, status) and for the program team (campaigns, activations, the support queue).',
  staff: 'I help the program team here in Teams: register your team channels, send campaigns, follow activations the Rewards team must contact, and work the support queue.',
  unknown: 'I don’t know you yet. Ask an owner of your company’s Partner Center account to add you as a user, then write to me again.',
};

export async function sendWelcome(turn: Turn, deps: BotDeps, commands: readonly Command[]): Promise<void> {
  const role = roleOf(turn.identity);
  const doc = await turn.publisher();
  const name = firstName(turn, doc);
  const hello = `Hello${name ? ` ${name}` : ''}`;
  const personal = inPersonalChat(turn);
  await turn.ctx.sendActivity({
    attachments: [
      deps.cards.attachment('welcome', {
        // The company name is for the personal chat; a channel may hold people of other companies.
        greeting: doc && personal ? `${hello}, you are here for ${doc.publisher.name}.` : role === 'staff' ? `${hello}, you are on the Marketplace Rewards team.` : `${hello}.`,
        intro: INTRO[role],
        commands: visibleCommands(commands, turn),
        rules: role === 'publisher' || role === 'both' ? programRules(deps, personal ? doc : undefined) : [],
        footer: 'The program is run in English. Self-serve resources: aka.ms/MarketplaceRewards and the commercial marketplace documentation.',
      }),
    ],
  });
}

/** "nobody contacted me": the four-week rule, and the caller's offers it applies to now (personal chat only). */
async function sendNoContactHelp(turn: Turn, deps: BotDeps): Promise<void> {
  const doc = inPersonalChat(turn) ? await turn.publisher() : undefined;
  const own = doc ? silentOffers(deps, doc) : [];
  const text = [noContactRule(deps), ...(own.length ? own : doc ? ['None of your live offers is past that delay without contact.'] : [])].join(' ');
  await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('message', { title: 'No message from the Rewards team?', text, reference: '' })] });
}

export const helpCommand = (all: () => readonly Command[]): Command => ({
  name: 'help',
  description: 'What I can do, and the commands',
  audience: 'everyone',
  handle: (turn, deps) => (turn.command === 'help no contact' ? sendNoContactHelp(turn, deps) : sendWelcome(turn, deps, all())),
});

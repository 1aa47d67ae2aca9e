import type { BotDeps, Command, Turn } from '../turn.js';
import { isStaff } from '../turn.js';
import type { CommandLine } from '../cards.js';
import type { PublisherDoc } from '../../store/store.js';
import { noContactDue } from '../../../domain/notifications.js';

/** The commands this caller may use, for help and the fallback card. */
export function visibleCommands(commands: readonly Command[], turn: Pick<Turn, 'identity'>): CommandLine[] {
  const staff = isStaff(turn.identity);
  return commands.filter((c) => c.audience === 'everyone' || staff).map((c) => ({ name: c.name, description: c.description }));
}

/** The program's operating rules, with the caller's own offers where a rule applies to them now. */
export function programRules(deps: BotDeps, doc: PublisherDoc | undefined): string[] {
  const edition = deps.program.edition;
  const days = edition.noContactNudgeDays;
  const weeks = days % 7 === 0 ? `${days / 7} weeks` : `${days} days`;
  const rules = [
    `No message from the Rewards team ${weeks} after your offer went live? Check who owns the offer in Partner Center; if the owner cannot be found or has left the company, raise a support ticket.`,
    'Dynamics 365 offers on AppSource also qualify for ISV Connect (ISV Success for Business Applications).',
    'The program is conducted in English, under the Commercial Benefits Program Addendum of the publisher agreement.',
    `After you activate a benefit, a member of the Rewards team contacts your marketing contact within ${edition.activationContactDays} days.`,
  ];
  if (doc) {
    const today = deps.now().toISOString().slice(0, 10);
    const silent = doc.offers.filter((o) => noContactDue(o, doc.state, today, days));
    for (const o of silent) {
      rules.push(`${o.name} has been live since ${o.liveDate}. Its owner in Partner Center is ${o.owner ? `${o.owner.name} (${o.owner.email})` : 'not recorded'}; if nobody from the Rewards team has written, raise a ticket.`);
    }
  }
  return rules;
}

export async function sendWelcome(turn: Turn, deps: BotDeps, commands: readonly Command[]): Promise<void> {
  const name = turn.ctx.activity.from?.name;
  const doc = await turn.publisher();
  await turn.ctx.sendActivity({
    attachments: [
      deps.cards.attachment('welcome', {
        greeting: doc ? `Hello${name ? ` ${name}` : ''}, you are here for ${doc.publisher.name}.` : `Hello${name ? ` ${name}` : ''}.`,
        commands: visibleCommands(commands, turn),
        rules: programRules(deps, doc),
        footer: 'The program is run in English. Self-serve resources: aka.ms/MarketplaceRewards and the commercial marketplace documentation.',
      }),
    ],
  });
}

export const helpCommand = (all: () => readonly Command[]): Command => ({
  name: 'help',
  description: 'What I can do, and the commands',
  audience: 'everyone',
  handle: (turn, deps) => sendWelcome(turn, deps, all()),
});

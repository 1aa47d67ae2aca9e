import type { BotDeps, Command, Turn } from '../turn.js';
import { isStaff } from '../turn.js';
import type { CommandLine } from '../cards.js';

/** The commands this caller may use, for help and the fallback card. */
export function visibleCommands(commands: readonly Command[], turn: Pick<Turn, 'identity'>): CommandLine[] {
  const staff = isStaff(turn.identity);
  return commands.filter((c) => c.audience === 'everyone' || staff).map((c) => ({ name: c.name, description: c.description }));
}

export async function sendWelcome(turn: Turn, deps: BotDeps, commands: readonly Command[]): Promise<void> {
  const name = turn.ctx.activity.from?.name;
  const doc = await turn.publisher();
  await turn.ctx.sendActivity({
    attachments: [
      deps.cards.attachment('welcome', {
        greeting: doc ? `Hello${name ? ` ${name}` : ''}, you are here for ${doc.publisher.name}.` : `Hello${name ? ` ${name}` : ''}.`,
        commands: visibleCommands(commands, turn),
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

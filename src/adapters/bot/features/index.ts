/** The publisher features' commands and verbs, for the route tables (src/app.ts). */
import type { Command, VerbTable } from '../turn.js';
import { benefitsCommands, benefitsVerbs } from './benefits.js';
import { contactCommands, contactVerbs } from './contact.js';
import { enrollCommands, enrollVerbs } from './enroll.js';
import { optOutCommands, optOutVerbs } from './opt-out.js';
import { statusCommands } from './status.js';
import { techCommands, techVerbs } from './tech-assistance.js';

export { helpCommand, sendWelcome } from './help.js';
export { whoamiCommand } from './whoami.js';

export const publisherCommands: Command[] = [...enrollCommands, ...contactCommands, ...benefitsCommands, ...statusCommands, ...techCommands, ...optOutCommands];

export const publisherVerbs: VerbTable = { ...enrollVerbs, ...contactVerbs, ...benefitsVerbs, ...techVerbs, ...optOutVerbs };

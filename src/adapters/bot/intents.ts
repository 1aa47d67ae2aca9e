/**
 * Plain questions ("what is my tier?", "how do I activate a benefit", "nobody contacted me") as
 * keyword intents, kept as data in one table. Only text that is no exact command gets here. No
 * external service: the text is cut to a bound, split into words once, and each intent checks a
 * few sets, so the cost is linear in the (bounded) text.
 */

export interface Intent {
  /** The command line the question runs, as if typed. */
  command: string;
  /** Every group needs one of its words in the text (words are lower-case, apostrophes kept). */
  words: ReadonlyArray<readonly string[]>;
}

const NOBODY = ['nobody', 'noone', 'no', 'never', 'not', 'nothing', 'anyone', 'haven\'t', 'havent', 'hasn\'t', 'hasnt', 'didn\'t', 'didnt', 'yet'];
const HEARD = ['contacted', 'heard', 'called', 'emailed', 'messaged', 'message', 'messages', 'reached', 'wrote', 'written', 'touch', 'replied', 'response'];

/** First match wins: the more specific questions come first. */
export const INTENTS: readonly Intent[] = [
  { command: 'help no contact', words: [NOBODY, HEARD] },
  { command: 'whoami', words: [['who'], ['am', 'i']] },
  { command: 'optout', words: [['opt', 'opting', 'stop', 'leave'], ['out', 'engagement', 'participating']] },
  { command: 'optin', words: [['opt', 'opting', 'rejoin'], ['in', 'back']] },
  { command: 'contact', words: [['contact', 'contacts', 'marketing']] },
  { command: 'enroll', words: [['enroll', 'enrol', 'enrolled', 'enrolling', 'enrollment', 'enrolment', 'join', 'sign']] },
  { command: 'tech', words: [['technical', 'assistance', 'architecture', 'deployment', 'presales', 'tech']] },
  { command: 'benefits', words: [['benefit', 'benefits', 'activate', 'activating', 'activation', 'perks', 'unlock', 'unlocks', 'sponsorship']] },
  { command: 'status', words: [['tier', 'tiers', 'level', 'status', 'sales', 'progress', 'standing', 'seats', 'counted']] },
  { command: 'tickets', words: [['tickets']] },
  { command: 'ticket', words: [['ticket', 'support', 'issue', 'problem', 'complaint']] },
  { command: 'help', words: [['help', 'commands', 'how', 'what']] },
];

/** Only the start of a message is read: a question fits, and a 100 KB paste costs no more than this. */
export const INTENT_TEXT_LIMIT = 500;

/** The command a plain question asks for, or undefined. */
export function intentOf(text: string, intents: readonly Intent[] = INTENTS): string | undefined {
  const words = new Set(text.slice(0, INTENT_TEXT_LIMIT).toLowerCase().replace(/[\u2018\u2019]/g, '\'').split(/[^a-z0-9']+/));
  return intents.find((i) => i.words.every((group) => group.some((w) => words.has(w))))?.command;
}

/**
 * Typed text → command, in time linear in the text and bounded: only the first
 * `COMMAND_INPUT_LIMIT` characters are read. (The regular expressions this replaces backtracked:
 * 100 KB of dots followed by a letter took seconds, and so did 100 KB of `<`.)
 */

/** Commands are a few words; anything longer is read up to here. */
export const COMMAND_INPUT_LIMIT = 512;

/** A mention entity as botbuilder gives it (checked at the HTTP edge; tests build their own). */
interface MentionLike {
  type?: unknown;
  text?: unknown;
  mentioned?: { id?: unknown };
}

/**
 * The text with the first mention of the bot removed and trimmed (what botbuilder's
 * `removeRecipientMention` returns, without changing the activity or throwing on odd entities).
 */
export function textWithoutMention(activity: { text?: unknown; recipient?: { id?: unknown }; entities?: unknown }): string {
  const text = typeof activity.text === 'string' ? activity.text : '';
  const botId = activity.recipient?.id;
  const entities = Array.isArray(activity.entities) ? (activity.entities as MentionLike[]) : [];
  const mention = entities.find((e) => typeof e?.type === 'string' && e.type.toLowerCase() === 'mention' && e.mentioned?.id === botId && typeof e.text === 'string' && e.text !== '');
  const at = mention ? text.indexOf(mention.text as string) : -1;
  return (at === -1 ? text : text.slice(0, at) + text.slice(at + (mention!.text as string).length)).trim();
}

const isEndPunctuation = (c: string) => c === '.' || c === '!' || c === '?';

/**
 * Markup tags replaced by a space, whitespace collapsed, lower-case, trailing `.`, `!`, `?` (and
 * the space before them) dropped. Each character of the bounded input is looked at a fixed number
 * of times.
 */
export function normaliseCommandText(raw: string): string {
  const text = raw.length > COMMAND_INPUT_LIMIT ? raw.slice(0, COMMAND_INPUT_LIMIT) : raw;
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf('<', i);
    const close = open === -1 ? -1 : text.indexOf('>', open + 1);
    // No complete tag from here on: the rest is text (as `<[^>]*>` would leave it).
    if (close === -1) {
      parts.push(text.slice(i));
      break;
    }
    parts.push(text.slice(i, open), ' ');
    i = close + 1;
  }
  const words = parts.join('').replace(/\s+/g, ' ').trim().toLowerCase();
  let end = words.length;
  while (end > 0 && isEndPunctuation(words[end - 1]!)) end--;
  return words.slice(0, end).trimEnd();
}

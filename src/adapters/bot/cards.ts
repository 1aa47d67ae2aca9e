/**
 * Adaptive Card templates from `cards/`, each with its typed data model. Templates are parsed once
 * (constructing a Template costs ~10× an expansion) and every string in the data is escaped, so
 * text typed by users can never become a link, a mention or formatting on a card.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Attachment } from 'botbuilder';
import * as ACData from 'adaptivecards-templating';

export const CARDS_DIR = fileURLToPath(new URL('../../../cards/', import.meta.url));

export interface CommandLine {
  name: string;
  description: string;
}

/** The data each template expects. */
export interface CardModels {
  welcome: { greeting: string; commands: CommandLine[]; footer: string };
  whoami: { summary: string; facts: Array<{ title: string; value: string }> };
  'unknown-command': { heading: string; commands: CommandLine[] };
  message: { title: string; text: string; reference: string };
}
export type CardName = keyof CardModels;

/** Backslash-escapes what Teams' card markdown would interpret; flattens line breaks in names. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]()<>#~|!]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

function escapeAll<T>(value: T): T {
  if (typeof value === 'string') return escapeMarkdown(value) as T;
  if (Array.isArray(value)) return value.map(escapeAll) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeAll(v)])) as T;
  }
  return value;
}

export class CardRenderer {
  private readonly templates = new Map<string, ACData.Template>();

  constructor(dir = CARDS_DIR) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      this.templates.set(f.slice(0, -5), new ACData.Template(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'))));
    }
  }

  names(): string[] {
    return [...this.templates.keys()];
  }

  /** The card JSON for a template and its data. */
  card<K extends CardName>(name: K, data: CardModels[K]): Record<string, unknown> {
    const t = this.templates.get(name);
    if (!t) throw new Error(`no card template ${name}`);
    return t.expand({ $root: escapeAll(data) }) as Record<string, unknown>;
  }

  attachment<K extends CardName>(name: K, data: CardModels[K]): Attachment {
    return { contentType: 'application/vnd.microsoft.card.adaptive', content: this.card(name, data) };
  }
}

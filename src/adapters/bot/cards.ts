/**
 * Adaptive Card templates from `cards/`, each with its typed data model. Templates are compiled
 * once (card-template.ts: the same output as adaptivecards-templating, at about a tenth of its
 * expansion cost) and every string in the data is escaped, so text typed by users can never
 * become a link, a mention or formatting on a card.
 */
import { readFileSync, readdirSync } from 'node:fs';
import type { Attachment } from 'botbuilder';
import { CardTemplate } from './card-template.js';
import { assetDir } from '../../assets.js';

export const CARDS_DIR = assetDir('cards');

export interface CommandLine {
  name: string;
  description: string;
}

export interface Fact {
  title: string;
  value: string;
}
export interface Choice {
  title: string;
  choice: string;
}
/** A line of feedback at the top of a card (success or a refusal). */
export interface Banner {
  banner: string;
  bannerColor: 'Good' | 'Attention' | 'Warning' | 'Default';
}

/** The data each template expects. */
export interface CardModels {
  welcome: { greeting: string; intro: string; commands: CommandLine[]; rules: string[]; footer: string };
  enroll: Banner & { company: string; mpnId: string; intro: string; offers: Array<{ name: string; detail: string }>; canEnroll: boolean };
  'contact-form': Banner & {
    intro: string;
    current: Fact[];
    users: Choice[];
    languages: Choice[];
    userValue: string;
    emailValue: string;
    phoneValue: string;
    languageValue: string;
    errors: { user: string; email: string; phone: string; language: string };
    canAct: boolean;
  };
  'tech-form': Banner & {
    intro: string;
    phases: Choice[];
    offers: Choice[];
    phaseValue: string;
    offerValue: string;
    descriptionValue: string;
    errors: { phase: string; offerId: string; description: string };
    canAct: boolean;
  };
  'offers-optout': Banner & { offers: Array<{ name: string; detail: string; canAct: boolean; buttonTitle: string; verb: string; offerId: string }> };
  benefits: Banner & {
    offerName: string;
    offerId: string;
    summary: string;
    /** "3 available to activate · 2 activated · 12 not available yet". */
    headline: string;
    /** What the next tier unlocks and how far it is; empty at the top tier and for non-transact offers. */
    nextTier: string;
    hint: string;
    /** The caller may activate: one choice list and one `Activate` button. */
    canActivate: boolean;
    /** The available benefits as a plain list (for people who may look but not act). */
    showList: boolean;
    /** The choice selected at first (the first available benefit). */
    benefitValue: string;
    available: Array<{ name: string; benefitId: string }>;
    running: Fact[];
    /** Each restriction once, with the benefits it holds back. */
    locked: Array<{ reason: string; names: string }>;
    notes: string[];
    otherOffers: Array<{ title: string; offerId: string }>;
  };
  'campaign-composer': Banner & {
    titleValue: string;
    textValue: string;
    linkTitleValue: string;
    linkUrlValue: string;
    audienceValue: string;
    tierValue: string;
    listingTypeValue: string;
    marketplaceValue: string;
    publisherIdsValue: string;
    peopleValue: string;
    sendDateValue: string;
    sendTimeValue: string;
    audiences: Choice[];
    listingTypes: Choice[];
    marketplaces: Choice[];
    errors: { title: string; text: string; linkUrl: string; audience: string; sendAt: string };
    /** Set while asking to confirm a send: the recipient count the button confirms, and its title. */
    confirmCount: string;
    confirmTitle: string;
  };
  'campaign-progress': {
    title: string;
    statusLine: string;
    statusColor: string;
    bar: string;
    counts: Fact[];
    audienceLine: string;
    campaignId: string;
    canCancel: boolean;
    exportUrl: string;
  };
  'campaign-message': Banner & { title: string; bodyMarkdown: string; linkTitle: string; linkUrl: string; campaignId: string };
  'ticket-form': Banner & {
    categories: Choice[];
    offers: Choice[];
    categoryValue: string;
    offerValue: string;
    severityValue: string;
    descriptionValue: string;
    errors: { description: string };
  };
  ticket: Banner & {
    ticketId: string;
    headline: string;
    status: string;
    statusColor: string;
    facts: Fact[];
    description: string;
    history: string[];
    canComment: boolean;
    agents: Choice[];
    canReply: boolean;
    canResolve: boolean;
    buttons: Array<{ title: string; verb: string; ticketId: string }>;
  };
  'ticket-list': { title: string; empty: string; sections: Array<{ title: string; tickets: Fact[] }> };
  'ticket-queue': Banner & {
    title: string;
    empty: string;
    sections: Array<{ title: string; tickets: Array<{ heading: string; detail: string; actions: Array<{ title: string; verb: string; ticketId: string }> }> }>;
  };
  'activation-notice': Banner & {
    title: string;
    stateLine: string;
    stateColor: string;
    facts: Fact[];
    canContact: boolean;
    canComplete: boolean;
    publisherId: string;
    activationId: string;
  };
  status: {
    company: string;
    tierLine: string;
    asOf: string;
    edition: string;
    metrics: Fact[];
    /** Transactions that do not count: "12 Mar 2021 · $12,000" → "Proven fraudulent (Fabrikam Planner)". */
    excluded: Fact[];
    /** `unlocks`: what the next tier adds. */
    progress: { label: string; bar: string; gap: string; unlocks: string };
    program: Fact[];
    activations: Fact[];
    /** Technical-assistance requests waiting for the Rewards team. */
    requests: Fact[];
    engagements: Fact[];
    /** What this user can do next, for their role. */
    nextStep: string;
    notes: string[];
  };
  whoami: { summary: string; facts: Array<{ title: string; value: string }> };
  'unknown-command': { heading: string; commands: CommandLine[] };
  message: { title: string; text: string; reference: string };
  /** What a submitted form saved, when and by whom: it replaces the form, so there is nothing to submit again. */
  receipt: Banner & { title: string; facts: Fact[]; savedLine: string; next: string };
  /** An automatic message, with one optional button. */
  notice: { title: string; text: string; buttonTitle: string; verb: string };
}
export type CardName = keyof CardModels;

/**
 * Backslash-escapes what Teams' card markdown would turn into emphasis, links, images, mentions or
 * headings (`[` and `]` are enough to break links and images); flattens line breaks.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#~|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** What escapeMarkdown changes (a lone `\r` stays); strings without it are kept as they are. */
const MARKDOWN = /[\\`*_[\]<>#~|\n]/;

/**
 * Keys whose strings are not shown as text: input prefills (`…Value`), choice values, verbs, ids,
 * colours and URLs. They travel back to the bot, into an input box or a link, so they stay exactly
 * as given. `…Markdown` is staff-written campaign text, meant to be formatted.
 */
const RAW_KEY = /(Value|Id|Color|Url|Markdown)$|^(choice|verb|color|bar)$/;

/** A copy of card data with every shown string escaped (RAW_KEY strings kept as given). */
export function escapeAll<T>(value: T, key = ''): T {
  if (typeof value === 'string') return (MARKDOWN.test(value) && !RAW_KEY.test(key) ? escapeMarkdown(value) : value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeAll(v, key)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) {
      const v = escapeAll((value as Record<string, unknown>)[k], k);
      if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out as T;
  }
  return value;
}

/** A rendered card as a message attachment. */
export function asAttachment(content: Record<string, unknown>): Attachment {
  return { contentType: 'application/vnd.microsoft.card.adaptive', content };
}

/** A rendered card as an outbox payload (the activity the worker sends). */
export function asOutboxMessage(content: Record<string, unknown>): Record<string, unknown> {
  return { activity: { type: 'message', attachments: [asAttachment(content)] } };
}

export class CardRenderer {
  private readonly templates = new Map<string, CardTemplate>();

  constructor(dir = CARDS_DIR) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
      this.templates.set(f.slice(0, -5), new CardTemplate(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')), f));
    }
  }

  names(): string[] {
    return [...this.templates.keys()];
  }

  /** The card JSON for a template and its data. */
  card<K extends CardName>(name: K, data: CardModels[K]): Record<string, unknown> {
    const t = this.templates.get(name);
    if (!t) throw new Error(`no card template ${name}`);
    return t.expand(escapeAll(data)) as Record<string, unknown>;
  }

  attachment<K extends CardName>(name: K, data: CardModels[K]): Attachment {
    return asAttachment(this.card(name, data));
  }
}

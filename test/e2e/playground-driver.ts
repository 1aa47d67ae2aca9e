/**
 * Page object over the Microsoft 365 Agents Playground web UI (0.2.28), driven by playwright-core
 * and Debian's Chromium (`apt-get install -y chromium`; never `npx playwright install`).
 *
 * What the UI looks like (selectors found in the real DOM, Fluent UI v9 with hashed class names, so
 * only roles, aria-labels and Adaptive Card classes are used):
 *  - left tree: `treeitem`s named "Personal Chat", "<group chat name>", "<team> - <channel>";
 *  - personal/group chat: one lexical `textbox` composer ("Type a message..."), Enter sends;
 *    each message has a header `[aria-label="Message header"]` whose `[aria-label="Message author"]`
 *    names the bot (the user's own messages have no author) and the body is the header's next sibling;
 *  - channel: a "Start a new post" `textbox` plus a "Post" button; replies live in threads, each with
 *    its own "Type a message..." box; message headers are [avatar(aria-label=author), author, time, menu];
 *  - every message header has a "Show more information" button: that is how messages are found;
 *  - group chats and channels only forward messages that @mention the bot: type "@", pick the bot's
 *    `menuitem`, then the text (this driver does it by default there);
 *  - Adaptive Cards render as `.ac-adaptiveCard`; an input's `<label for=id>` names it; a compact
 *    ChoiceSet is a Fluent `combobox` whose options (`role=option`) open in a popup, an expanded one
 *    a `radiogroup`, a multi-select one checkboxes; actions are buttons titled by their `title`;
 *  - an `adaptiveCard/action` invoke answered with a card replaces the card in place and adds the
 *    banner "Your response was sent to the app"; answered with `application/vnd.microsoft.activity.message`
 *    the card stays and the banner shows the text; with `application/vnd.microsoft.error` a red banner
 *    shows `value.message`; with no invoke response the Playground logs "invoke 501";
 *  - gotchas: typing before the connect-time conversationUpdate may only insert a newline (ready()
 *    waits for it); while a card with inputs is on screen, the composer loses the focus to the card
 *    (send() detects it and reloads the page, which clears the transcript shown).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when REQUIRE_BROWSER=1: a missing browser must fail the tests instead of skipping them. */
export function browserRequired(): boolean {
  return process.env.REQUIRE_BROWSER === '1';
}

export type ConversationKind = 'personal' | 'group' | 'channel';

export interface ChatMessage {
  /** Display name of the author; null for the current user's own messages in a chat. */
  author: string | null;
  text: string;
  fromBot: boolean;
}

export interface LaunchOptions {
  /** Bot display name; default read from the "Personal Chat" avatar. */
  botName?: string;
  executablePath?: string;
  viewport?: { width: number; height: number };
  /** Default timeout of single UI steps (ms); default 10 s. */
  stepTimeoutMs?: number;
}

export type LaunchResult = { driver: PlaygroundDriver; reason?: undefined } | { driver: null; reason: string };

/** Opens the Playground at `url`; `{ driver: null, reason }` when Chromium is not installed. */
export async function launch(url: string, opts: LaunchOptions = {}): Promise<LaunchResult> {
  const executablePath = opts.executablePath ?? CHROMIUM_PATH;
  if (!existsSync(executablePath)) {
    return { driver: null, reason: `no Chromium at ${executablePath} (apt-get install -y chromium)` };
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'pg-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: opts.viewport ?? { width: 1400, height: 900 },
    });
    // The UI pulls fonts and icons from a CDN: refuse everything that is not this machine.
    await context.route(/^(?!https?:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/])[a-z]+:\/\//i, (route) => route.abort());
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(opts.stepTimeoutMs ?? 10_000);
    await page.goto(url);
    const driver = new PlaygroundDriver(page, context, userDataDir, opts.botName);
    await driver.ready();
    return { driver };
  } catch (err) {
    await context?.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

export class PlaygroundDriver {
  private kind: ConversationKind = 'personal';
  private botName: string | undefined;
  private reopen: () => Promise<void> = async () => undefined;

  constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    private readonly userDataDir: string,
    botName?: string,
  ) {
    this.botName = botName;
  }

  /**
   * Waits for the UI to render its conversation tree, learns the bot's name, and waits (best effort)
   * until the log panel shows the `conversationUpdate` sent on connect: typing before that may only
   * insert a newline.
   */
  async ready(): Promise<void> {
    const personal = this.page.getByRole('treeitem', { name: 'Personal Chat' });
    await personal.waitFor();
    if (!this.botName) {
      this.botName = (await personal.locator('span[role="img"][aria-label]').first().getAttribute('aria-label')) ?? undefined;
    }
    await this.page.getByRole('textbox').first().waitFor();
    await this.page
      .getByText(/^conversationUpdate \d+$/)
      .first()
      .waitFor({ timeout: 10_000 })
      .catch(() => undefined);
  }

  /**
   * Reloads the page and reopens the current conversation. The UI forgets what it showed (the
   * conversation ids stay; the bot gets installationUpdate + conversationUpdate again).
   */
  async reload(): Promise<void> {
    await this.page.reload();
    await this.ready();
    await this.reopen();
  }

  get conversation(): ConversationKind {
    return this.kind;
  }

  /**
   * Sends `text` in the current conversation. In a group chat or channel the bot is @mentioned first
   * (it would not see the message otherwise) unless `mention: false`; in a channel this starts a new post.
   */
  async send(text: string, opts: { mention?: boolean } = {}): Promise<void> {
    const mention = opts.mention ?? this.kind !== 'personal';
    for (let attempt = 0; ; attempt++) {
      const box = await this.focusComposer();
      if (mention) {
        await this.page.keyboard.type('@');
        // The item's accessible name repeats the avatar's label ("Bot Bot"): match its text instead.
        await this.page
          .getByRole('menuitem')
          .filter({ has: this.page.getByText(this.botName ?? '', { exact: true }) })
          .first()
          .click();
        await this.page.keyboard.insertText(' ');
      }
      await this.page.keyboard.insertText(text);
      if (!(await box.innerText()).includes(text)) {
        // The focus was taken away while typing (see focusComposer).
        if (attempt >= 1) throw new Error(`could not type "${text}" into the composer`);
        await this.reload();
        continue;
      }
      if (this.kind === 'channel') await this.page.getByRole('button', { name: 'Post', exact: true }).click();
      else await this.page.keyboard.press('Enter');
      const deadline = Date.now() + 5_000;
      while ((await box.innerText()).trim() !== '') {
        if (Date.now() > deadline) throw new Error(`the message was not sent; the composer still holds "${(await box.innerText()).trim()}"`);
        await this.page.waitForTimeout(50);
      }
      return;
    }
  }

  /**
   * Clicks the composer and checks it keeps the focus. Playground 0.2.28: while a card with inputs is
   * on screen in a chat, focusing the composer moves the focus (at once or a moment later) to the
   * card's first input, so typing lands in the card; the only cure found is reloading the page.
   */
  private async focusComposer(): Promise<Locator> {
    for (let attempt = 0; ; attempt++) {
      const box = this.page.getByRole('textbox').first();
      await box.click();
      await this.page.waitForTimeout(300);
      const focused = await box.evaluate((el) => el === document.activeElement || el.contains(document.activeElement));
      if (focused && (await box.innerText()).trim() === '') return box;
      if (attempt >= 1) throw new Error('the composer cannot be focused (or is not empty)');
      await this.reload();
    }
  }

  /** All messages of the current conversation, in page order. */
  async messages(): Promise<ChatMessage[]> {
    const raw = await this.page.evaluate(() => {
      const out: Array<{ author: string | null; text: string }> = [];
      for (const button of Array.from(document.querySelectorAll('button[aria-label="Show more information"]'))) {
        let header: Element | null = button.closest('[aria-label="Message header"]');
        let author: string | null = null;
        if (header) {
          author = header.querySelector('[aria-label="Message author"]')?.textContent?.trim() || null;
        } else {
          header = button.parentElement;
          while (header && !header.nextElementSibling) header = header.parentElement;
          const avatar = header?.querySelector('span[role="img"][aria-label]');
          author = avatar?.getAttribute('aria-label') ?? null;
        }
        const body = header?.nextElementSibling as HTMLElement | null | undefined;
        out.push({ author, text: (body?.innerText ?? '').trim() });
      }
      return out;
    });
    return raw.map((m) => ({ ...m, fromBot: m.author !== null && m.author === this.botName }));
  }

  /** Text of the last message from the bot (card text included), or null. */
  async lastBotMessageText(): Promise<string | null> {
    const bot = (await this.messages()).filter((m) => m.fromBot);
    return bot.length ? (bot[bot.length - 1]?.text ?? null) : null;
  }

  /** Waits until a message of the current conversation contains `text`; returns that message. */
  async waitForText(text: string, timeoutMs = 10_000): Promise<ChatMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.messages()).find((m) => m.text.includes(text));
      if (found) return found;
      if (Date.now() > deadline) {
        const seen = (await this.messages()).map((m) => `${m.author ?? 'me'}: ${m.text.replace(/\s+/g, ' ').slice(0, 120)}`);
        throw new Error(`timed out after ${timeoutMs} ms waiting for "${text}"; messages:\n${seen.join('\n')}`);
      }
      await this.page.waitForTimeout(100);
    }
  }

  /** The most recent Adaptive Card on the page. */
  lastCard(): Locator {
    return this.page.locator('.ac-adaptiveCard').last();
  }

  /**
   * The card to act on: the most recent one, or the last card containing `within` (channel views
   * list posts newest first, so "most recent on the page" is not always the one you mean).
   */
  private cardFor(within?: string): Locator {
    return within ? this.page.locator('.ac-adaptiveCard').filter({ hasText: within }).last() : this.lastCard();
  }

  /**
   * The element an Adaptive Card input label points to (`<label for>`), in the chosen card. Waits
   * (up to `timeoutMs`) for such a label: the card asked for may still be on its way, and the most
   * recent card until then is an earlier one.
   */
  private async inputByLabel(label: string, within?: string, timeoutMs = 10_000): Promise<Locator> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const card = this.cardFor(within);
      await card.waitFor({ timeout: Math.max(1, deadline - Date.now()) });
      const labels = card.locator('label[for]').filter({ hasText: label });
      const count = await labels.count();
      for (let i = 0; i < count; i++) {
        const candidate = labels.nth(i);
        const text = ((await candidate.textContent()) ?? '').trim().replace(/\s*\*$/, '');
        if (text !== label) continue;
        const id = await candidate.getAttribute('for');
        if (id) return card.locator(`[id="${id.replace(/"/g, '\\"')}"]`);
      }
      if (Date.now() > deadline) throw new Error(`no input labelled "${label}" in the most recent card after ${timeoutMs} ms`);
      await this.page.waitForTimeout(100);
    }
  }

  /**
   * Waits until the chosen card has stopped changing for `quietMs`: after a click the clicker's card
   * is drawn twice in quick succession (the channel message edit, then the invoke answer), and
   * anything typed into the first drawing is gone with it, as in Teams.
   */
  private async settled(within: string | undefined, quietMs = 400, timeoutMs = 10_000): Promise<void> {
    const card = this.cardFor(within);
    await card.waitFor({ timeout: timeoutMs });
    const deadline = Date.now() + timeoutMs;
    let last = await card.innerHTML();
    let since = Date.now();
    while (Date.now() - since < quietMs && Date.now() < deadline) {
      await this.page.waitForTimeout(100);
      const now = await card.innerHTML().catch(() => '');
      if (now !== last) {
        last = now;
        since = Date.now();
      }
    }
  }

  /** Types into an Input.Text / Input.Number / Input.Date of the most recent card, by its label. */
  async fillInput(label: string, value: string, within?: string): Promise<void> {
    await this.settled(within);
    await (await this.inputByLabel(label, within)).fill(value);
  }

  /** Picks `optionTitle` of an Input.ChoiceSet (compact, expanded or multi-select) by its label. */
  async chooseOption(label: string, optionTitle: string): Promise<void> {
    const input = await this.inputByLabel(label);
    const role = await input.getAttribute('role');
    if (role === 'combobox') {
      await input.click();
      await this.page.getByRole('option', { name: optionTitle, exact: true }).click();
      return;
    }
    const radio = input.getByRole('radio', { name: optionTitle, exact: true });
    if (await radio.count()) {
      await radio.check();
      return;
    }
    const box = input.getByRole('checkbox', { name: optionTitle, exact: true });
    if (await box.count()) {
      await box.check();
      return;
    }
    // Fall back to anything in the choice set that carries the title.
    await input.getByText(optionTitle, { exact: true }).click();
  }

  /** Clicks an action button (Action.Execute / Action.Submit / ...) of the most recent card, by title. */
  async click(buttonTitle: string, within?: string): Promise<void> {
    const card = this.cardFor(within);
    await card.waitFor();
    await card.getByRole('button', { name: buttonTitle, exact: true }).last().click();
  }

  async switchToPersonalChat(): Promise<void> {
    await this.page.getByRole('treeitem', { name: 'Personal Chat', exact: true }).click();
    this.kind = 'personal';
    this.reopen = () => this.switchToPersonalChat();
    await this.page.getByRole('textbox').first().waitFor();
  }

  async switchToGroupChat(name = 'Group Chat'): Promise<void> {
    await this.page.getByRole('treeitem', { name, exact: true }).click();
    this.kind = 'group';
    this.reopen = () => this.switchToGroupChat(name);
    await this.page.getByRole('textbox').first().waitFor();
  }

  /** Opens a team channel by its name ("General" or the configured one); `team` narrows the match. */
  async switchToChannel(name: string, team?: string): Promise<void> {
    const items = this.page.getByRole('treeitem', { name: team ? `${team} - ${name}` : ` - ${name}` });
    const item = team ? items : items.filter({ has: this.page.getByText(name, { exact: true }) });
    await item.first().click();
    this.kind = 'channel';
    this.reopen = () => this.switchToChannel(name, team);
    await this.page.getByRole('button', { name: 'Post', exact: true }).waitFor();
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path, fullPage: true });
  }

  async close(): Promise<void> {
    try {
      await this.context.close();
    } finally {
      rmSync(this.userDataDir, { recursive: true, force: true });
    }
  }
}

/**
 * For a `before` hook: skips the suite with a reason when Chromium is missing, or fails it when
 * REQUIRE_BROWSER=1 (CI), so a missing browser is never a silent pass.
 */
export function requireChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM_PATH)) return;
  const reason = `Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
  if (browserRequired()) throw new Error(`REQUIRE_BROWSER=1 but ${reason}`);
  // eslint-disable-next-line no-console
  console.log(`    skipped: ${reason}; set REQUIRE_BROWSER=1 to make this fail`);
  ctx.skip();
}

/**
 * The Teams bot: resolves the caller, stores their conversation reference, and dispatches typed
 * text to a command table and `Action.Execute` verbs to a verb table. No flow logic lives here.
 */
import { randomUUID } from 'node:crypto';
import {
  ActivityTypes,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type InvokeResponse,
} from 'botbuilder';
import type { Identity } from '../../services/ports/index.js';
import type { Logger } from '../../log.js';
import { AppError } from '../../services/errors.js';
import { userConversationKey } from '../../services/conversations.js';
import { sendWelcome, visibleCommands } from './features/help.js';
import { isStaff, type BotDeps, type Command, type Turn, type VerbTable } from './turn.js';
import { FormStore, type Forms } from './forms.js';
import { normaliseCommandText, textWithoutMention } from './command-text.js';
import { intentOf } from './intents.js';
import { asAttachment } from './cards.js';

/** A card button's handler that reads its own data: answers with the card that replaces the clicked one. */
export type VerbHandler = (turn: Turn, data: unknown, deps: BotDeps) => Promise<Record<string, unknown>>;

/** The answer in a channel to a command that shows a company's people, emails or figures. */
export const PERSONAL_ONLY = 'It shows your company’s people and details, which I never post in a channel. Open a chat with me (Rewards, in Apps or Chat) and type it there.';

/** What a user sees when card data does not match its verb's schema; nothing is changed. */
export const UNREADABLE_DATA = 'That card’s data could not be read, so nothing was changed. Type the command again for a fresh card.';

/**
 * The one answer to a refused or failed command or card action. Refusals (AppError: validation,
 * permissions, program rules) are shown as they are; anything else is a short apology with the
 * correlation id, the only case a support reference helps.
 */
export function failureCard(deps: Pick<BotDeps, 'cards'>, err: unknown, correlationId: string): Record<string, unknown> {
  return err instanceof AppError
    ? deps.cards.card('message', { title: 'I can’t do that', text: err.message, reference: '' })
    : deps.cards.card('message', { title: 'Sorry, something went wrong', text: 'Your request was not completed. Please try again in a moment.', reference: correlationId });
}

/** Text that is no command gets a chance here first (e.g. a reply to a ticket); true = handled. */
export type UnmatchedHandler = (turn: Turn, deps: BotDeps) => Promise<boolean>;

export const CORRELATION_KEY = Symbol('correlationId');

/** 8 random hex digits (the head of a v4 UUID: node hands those out from a pre-filled pool). */
const newCorrelationId = () => randomUUID().slice(0, 8);
const FORMS_USED = Symbol('formsUsed');

/** A string the store may use in a key: bounded, printable (anything else never becomes a key). */
const keyPart = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' && v.length <= 1024 && /^[^\s<>]+$/u.test(v) ? v : undefined);

/**
 * Where proactive messages to this caller go: the user for 1:1 chats, else the conversation.
 * Undefined when the activity's ids cannot be part of a store key.
 */
export function storableConversationKey(a: Partial<Activity>): string | undefined {
  const tenant = keyPart(a.conversation?.tenantId) ?? keyPart(a.channelData?.tenant?.id) ?? '';
  if ((a.conversation?.conversationType ?? 'personal') === 'personal') {
    const aad = keyPart(a.from?.aadObjectId);
    if (aad) return userConversationKey(tenant, aad);
  }
  const id = keyPart(a.conversation?.id);
  return id && `conversation:${id}`;
}

/** The caller's conversation key, for handlers (the edge already refused malformed ids). */
export function conversationKey(ctx: TurnContext): string {
  const key = storableConversationKey(ctx.activity);
  if (!key) throw new AppError('invalid_input', 'This conversation cannot be identified.');
  return key;
}

/** What handlers see of a turn. Its methods live on the prototype: a turn creates no closures. */
class BotTurn implements Turn {
  readonly text: string;
  readonly command: string;
  private logger: Logger | undefined;
  private openForms: Promise<Forms> | undefined;

  constructor(
    readonly ctx: TurnContext,
    readonly identity: Identity | undefined,
    readonly correlationId: string,
    private readonly deps: BotDeps,
    private readonly formStore: FormStore,
  ) {
    this.text = textWithoutMention(ctx.activity);
    this.command = normaliseCommandText(this.text);
  }

  /**
   * The turn's child logger, made on first use: pino serialises and redacts a child's bindings when
   * it is created, which a turn that logs nothing at the configured level need not pay.
   */
  get log(): Logger {
    const a = this.ctx.activity;
    return (this.logger ??= this.deps.log.child({ correlationId: this.correlationId, activityType: a.type, conversationType: a.conversation?.conversationType }));
  }

  forms(): Promise<Forms> {
    // A stranger's form is never saved: dialog state only for people the store knows.
    if (this.identity) this.ctx.turnState.set(FORMS_USED, true);
    return (this.openForms ??= this.formStore.forms(this.ctx));
  }

  async publisher() {
    const id = this.identity;
    return id && id.kind !== 'staff' ? this.deps.store.getPublisher(id.publisherId) : undefined;
  }
}

export class RewardsBot extends TeamsActivityHandler {
  private readonly commands: Command[];
  private readonly formStore: FormStore;

  constructor(
    private readonly deps: BotDeps,
    commands: Command[],
    private readonly verbs: VerbTable = {},
    private readonly onUnmatched: UnmatchedHandler = async () => false,
  ) {
    super();
    this.formStore = new FormStore(deps.store);
    // Longest names first, so "register rewards channel" wins over a shorter prefix.
    this.commands = [...commands].sort((a, b) => b.name.length - a.name.length);

    this.onMessage(async (ctx, next) => {
      const turn = await this.turn(ctx);
      const firstContact = await this.rememberConversation(turn);
      await this.dispatch(turn, firstContact);
      await next();
    });
    this.onInstallationUpdateAdd(async (ctx, next) => {
      const turn = await this.turn(ctx);
      // Strangers get no welcome (it describes the program) and leave nothing in the store.
      if (turn.identity) {
        await this.rememberConversation(turn);
        await sendWelcome(turn, this.deps, this.commands);
      }
      await next();
    });
  }

  /** Runs the turn, then saves the dialog state once if the turn used a form (eTag-checked). */
  override async run(ctx: TurnContext): Promise<void> {
    await super.run(ctx);
    if (ctx.turnState.get(FORMS_USED)) await this.formStore.save(ctx);
  }

  /** Every turn: resolve who is calling, with a correlation id for logs and error messages. */
  private async turn(ctx: TurnContext): Promise<Turn> {
    const a = ctx.activity;
    const tenantId = a.conversation?.tenantId ?? a.channelData?.tenant?.id;
    const aad = a.from?.aadObjectId;
    const identity: Identity | undefined =
      typeof tenantId === 'string' && tenantId && typeof aad === 'string' && aad ? await this.deps.store.resolveIdentity(tenantId, aad) : undefined;
    const correlationId = (ctx.turnState.get(CORRELATION_KEY) as string | undefined) ?? newCorrelationId();
    ctx.turnState.set(CORRELATION_KEY, correlationId);
    return new BotTurn(ctx, identity, correlationId, this.deps, this.formStore);
  }

  /**
   * Stores the caller's conversation reference; returns true the first time we see it. Only for
   * people the store knows (channels: staff only), so that a stranger's message grows nothing.
   */
  private async rememberConversation(turn: Turn): Promise<boolean> {
    const { ctx, identity } = turn;
    if (!identity) return false;
    if (ctx.activity.conversation?.conversationType === 'channel' && !isStaff(identity)) return false;
    const key = storableConversationKey(ctx.activity);
    if (!key) return false;
    // Without the per-message activity id the reference is stable, so an unchanged one is not rewritten.
    const { activityId: _ignored, ...ref } = TurnContext.getConversationReference(ctx.activity);
    const { created } = await this.deps.store.saveConversationRef(key, ref as Record<string, unknown>);
    return created;
  }

  private find(line: string): Command | undefined {
    return this.commands.find((c) => line === c.name || line.startsWith(`${c.name} `));
  }

  private async dispatch(typed: Turn, firstContact: boolean): Promise<void> {
    let turn = typed;
    const { command, ctx } = turn;
    let match = this.find(command);
    if (this.deps.log.isLevelEnabled('info')) turn.log.info({ command: match?.name ?? '(unknown)', known: turn.identity !== undefined }, 'message');
    // In a channel each @mention is an answer, not an introduction: the welcome comes with install and help.
    const personal = (ctx.activity.conversation?.conversationType ?? 'personal') === 'personal';
    // Someone the store does not know leaves no trace to detect a first contact by: whatever they
    // type that is not a command gets the short stranger's welcome (ask an owner to add you).
    const welcomed = (firstContact || (!turn.identity && !match)) && personal && match?.name !== 'help';
    if (welcomed) await sendWelcome(turn, this.deps, this.commands);
    if (!match) {
      if (!welcomed && (await this.onUnmatched(turn, this.deps))) return;
      // A plain question runs the command it asks for, as if that had been typed.
      const asked = intentOf(command);
      match = asked === undefined ? undefined : this.find(asked);
      if (asked !== undefined && match) {
        turn = Object.create(typed, { command: { value: asked } }) as Turn;
      } else {
        if (welcomed) return; // the welcome card already lists the commands
        await ctx.sendActivity({
          attachments: [
            this.deps.cards.attachment('unknown-command', {
              heading: command ? `I don't know “${command.slice(0, 60)}”.` : 'Type a command.',
              commands: visibleCommands(this.commands, turn),
            }),
          ],
        });
        return;
      }
    }
    if (match.audience === 'staff' && !isStaff(turn.identity)) {
      throw new AppError('forbidden', `“${match.name}” is for the Rewards and support teams only.`);
    }
    if (match.personalOnly && !personal) {
      await ctx.sendActivity({ attachments: [this.deps.cards.attachment('message', { title: `“${match.name}” answers in our personal chat`, text: PERSONAL_ONLY, reference: '' })] });
      return;
    }
    await match.handle(turn, this.deps);
  }

  /** Invokes: `healthCheck` is answered here (botbuilder would say 501); the rest as botbuilder routes them. */
  protected override async onInvokeActivity(ctx: TurnContext): Promise<InvokeResponse> {
    if (ctx.activity.name === 'healthCheck') return { status: 200, body: { healthResults: { success: true, messages: ['Health check succeeded.'] } } };
    return super.onInvokeActivity(ctx);
  }

  /** `Action.Execute`: routed by verb; the answer is the card that replaces the clicked one. */
  protected override async onAdaptiveCardInvoke(ctx: TurnContext, value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const turn = await this.turn(ctx);
    await this.rememberConversation(turn);
    const verb = typeof value.action?.verb === 'string' ? value.action.verb : '';
    const route = Object.hasOwn(this.verbs, verb) ? this.verbs[verb] : undefined;
    if (!route) {
      turn.log.warn({ verb }, 'unknown card verb');
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: `Unknown action “${verb.slice(0, 40)}”.` } as never };
    }
    let card: Record<string, unknown>;
    try {
      const data = route.schema.safeParse(value.action.data ?? {});
      if (!data.success) throw new AppError('invalid_input', UNREADABLE_DATA);
      card = await route.handle(turn, data.data, this.deps);
    } catch (err) {
      this.deps.metrics?.error(err instanceof AppError ? err.code : 'unexpected');
      turn.log[err instanceof AppError ? 'info' : 'error']({ err, verb }, 'card action failed');
      card = failureCard(this.deps, err, turn.correlationId);
    }
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as never };
  }
}

/**
 * The one turn error handler: AppErrors are shown as they are; anything else becomes a short
 * apology with the correlation id, and the detail goes to the log only.
 */
export function turnErrorHandler(deps: BotDeps) {
  return async (ctx: TurnContext, err: Error): Promise<void> => {
    const correlationId = (ctx.turnState.get(CORRELATION_KEY) as string | undefined) ?? newCorrelationId();
    const known = err instanceof AppError;
    deps.metrics?.error(known ? err.code : 'unexpected');
    deps.log[known ? 'info' : 'error']({ err, correlationId }, known ? 'turn refused' : 'turn failed');
    if (ctx.activity.type !== ActivityTypes.Message) throw err; // proactive and invoke turns: let the caller see it
    try {
      await ctx.sendActivity({ attachments: [asAttachment(failureCard(deps, err, correlationId))] });
    } catch (sendErr) {
      // The channel cannot be reached (often why the turn failed). The message itself was received:
      // the inbound request is acknowledged, not answered 500, which would have the channel post it
      // again and run the command twice.
      deps.log.error({ err: sendErr, correlationId }, 'reply not delivered');
    }
  };
}

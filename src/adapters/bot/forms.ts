/**
 * Forms as dialogs (botbuilder-dialogs) whose state lives in the store: an open form remembers
 * what the user typed and the field errors, so after a restart, or when the user types the command
 * again, the form comes back as they left it, and its submit still works.
 */
import { ConversationState, type TurnContext } from 'botbuilder';
import { Dialog, DialogSet, type DialogContext, type DialogTurnResult } from 'botbuilder-dialogs';
import type { KvPort } from '../../services/ports/index.js';
import { StoreBotStorage } from '../store/bot-storage.js';

export type FormName = 'enroll' | 'contact' | 'tech' | 'campaign';
export const FORM_NAMES: readonly FormName[] = ['enroll', 'contact', 'tech', 'campaign'];

export interface FormState {
  draft: Record<string, string>;
  errors: Record<string, string>;
  openedAt: string;
}

/** One open form: waits (EndOfTurn) until its card is submitted or another command is typed. */
class FormDialog extends Dialog<FormState> {
  override async beginDialog(dc: DialogContext, options?: Partial<FormState>): Promise<DialogTurnResult> {
    const state = dc.activeDialog!.state as FormState;
    state.draft = options?.draft ?? {};
    state.errors = options?.errors ?? {};
    state.openedAt = new Date().toISOString();
    return Dialog.EndOfTurn;
  }

  override async continueDialog(): Promise<DialogTurnResult> {
    return Dialog.EndOfTurn;
  }
}

/** The per-turn view of the caller's open form. */
export class Forms {
  constructor(private readonly dc: DialogContext) {}

  /** The state of `form` if it is the open one. */
  state(form: FormName): FormState | undefined {
    return this.dc.activeDialog?.id === form ? (this.dc.activeDialog.state as FormState) : undefined;
  }

  /** Opens `form` (closing any other) or updates it, keeping the user's draft and errors. */
  async open(form: FormName, draft: Record<string, string> = {}, errors: Record<string, string> = {}): Promise<void> {
    const current = this.state(form);
    if (current) {
      current.draft = draft;
      current.errors = errors;
      return;
    }
    await this.dc.cancelAllDialogs();
    await this.dc.beginDialog(form, { draft, errors });
  }

  /** Opens `form` as the user left it (even across a restart); returns its draft and errors. */
  async resume(form: FormName): Promise<{ draft: Record<string, string>; errors: Record<string, string> }> {
    const open = this.state(form);
    const draft = open?.draft ?? {};
    const errors = open?.errors ?? {};
    await this.open(form, draft, errors);
    return { draft, errors };
  }

  async close(): Promise<void> {
    await this.dc.cancelAllDialogs();
  }
}

/** Dialog state per conversation, on the store (eTag-checked); saved once at the end of each turn. */
export class FormStore {
  private readonly conversationState: ConversationState;
  private readonly dialogs: DialogSet;

  constructor(store: KvPort) {
    this.conversationState = new ConversationState(new StoreBotStorage(store));
    this.dialogs = new DialogSet(this.conversationState.createProperty('dialogState'));
    for (const name of FORM_NAMES) this.dialogs.add(new FormDialog(name));
  }

  async forms(ctx: TurnContext): Promise<Forms> {
    return new Forms(await this.dialogs.createContext(ctx));
  }

  save(ctx: TurnContext): Promise<void> {
    return this.conversationState.saveChanges(ctx);
  }
}

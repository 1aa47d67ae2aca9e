/**
 * The shape of an inbound activity, checked before botbuilder sees it. botbuilder trusts the body:
 * a missing `type`, an invoke without `value.action` or a conversation id that is not a string
 * throws inside it and became a 500 (before authentication). Here such a body is a 400 with a short
 * message naming the field. Unknown fields pass through untouched: only what botbuilder and the bot
 * read is checked.
 */
import { z } from 'zod';

function hasControlCharacter(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Ids the bot may turn into store keys (conversation, user, tenant, channel): bounded, printable. */
const Id = z
  .string()
  .min(1, 'expected a non-empty id')
  .max(1024, 'expected an id of at most 1024 characters')
  .refine((s) => !hasControlCharacter(s), 'expected an id without control characters');
const ShortText = z.string().max(1024);

const ChannelAccount = z.looseObject({
  id: Id,
  name: ShortText.optional(),
  aadObjectId: z.string().max(128).optional(),
  role: ShortText.optional(),
});

const Conversation = z.looseObject({
  id: Id,
  conversationType: z.string().max(64).optional(),
  tenantId: z.string().max(128).optional(),
  isGroup: z.boolean().optional(),
  name: ShortText.optional(),
});

/** botbuilder reads `type` of every entity, and `mentioned.id` and `text` of mentions. */
const Entity = z.looseObject({ type: z.string().max(256), mentioned: ChannelAccount.optional(), text: z.string().max(512).optional() }).refine(
  (e) => e.type.toLowerCase() !== 'mention' || (e.mentioned !== undefined && e.text !== undefined),
  { message: 'expected a mention with mentioned.id and text' },
);

const IdHolder = z.looseObject({ id: Id, name: ShortText.optional() });

const ChannelData = z.looseObject({
  tenant: IdHolder.optional(),
  channel: IdHolder.optional(),
  team: IdHolder.optional(),
  eventType: z.string().max(256).optional(),
});

/** `Action.Execute` (Universal Actions): the only card action the bot's cards use. */
export const AdaptiveCardActionValue = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute', { message: 'expected Action.Execute' }),
    verb: z.string({ message: 'expected a string' }).min(1, 'expected a verb').max(128, 'expected a verb of at most 128 characters'),
    id: ShortText.optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.string().max(64).optional(),
});

/**
 * Invoke names the bot answers, each with the shape of its `value`. Any other name is refused here
 * (botbuilder would answer 501, a 5xx for a client's mistake).
 */
export const INVOKE_VALUES = {
  'adaptiveCard/action': AdaptiveCardActionValue,
  healthCheck: z.looseObject({}).optional(),
} as const;
export type InvokeName = keyof typeof INVOKE_VALUES;
const INVOKE_NAMES = Object.keys(INVOKE_VALUES) as InvokeName[];

const isoString = z.string().max(64);

export const InboundActivity = z
  .looseObject({
    type: z.string({ message: 'expected a string' }).min(1, 'expected an activity type').max(64),
    id: z.string().max(1024).optional(),
    name: z.string().max(256).optional(),
    channelId: z.string({ message: 'expected a string' }).min(1).max(64),
    serviceUrl: z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).max(2048),
    from: ChannelAccount,
    recipient: ChannelAccount,
    conversation: Conversation,
    text: z.string().optional(),
    textFormat: z.string().max(64).optional(),
    locale: z.string().max(64).optional(),
    replyToId: z.string().max(1024).optional(),
    action: z.string().max(64).optional(),
    deliveryMode: z.string().max(64).optional(),
    timestamp: isoString.optional(),
    localTimestamp: isoString.optional(),
    expiration: isoString.optional(),
    entities: z.array(Entity).max(256).optional(),
    attachments: z.array(z.looseObject({ contentType: z.string().max(256) })).max(256).optional(),
    membersAdded: z.array(ChannelAccount).max(1000).optional(),
    membersRemoved: z.array(ChannelAccount).max(1000).optional(),
    reactionsAdded: z.array(z.looseObject({ type: z.string().max(256) })).max(256).optional(),
    reactionsRemoved: z.array(z.looseObject({ type: z.string().max(256) })).max(256).optional(),
    channelData: ChannelData.optional(),
    value: z.unknown().optional(),
  })
  .superRefine((a, ctx) => {
    if (a.type !== 'invoke') return;
    const name = a.name as InvokeName | undefined;
    if (name === undefined || !INVOKE_NAMES.includes(name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `expected one of ${INVOKE_NAMES.join(', ')}` });
      return;
    }
    const value = INVOKE_VALUES[name].safeParse(a.value);
    if (!value.success) {
      const issue = value.error.issues[0]!;
      ctx.addIssue({ code: 'custom', path: ['value', ...issue.path.map(String)], message: issue.message });
    }
  });

export type InboundActivity = z.infer<typeof InboundActivity>;

/** A body that is an activity, with its timestamps as botbuilder expects them (Date plus raw string). */
export type ParsedActivity = { ok: true; activity: Record<string, unknown> } | { ok: false; message: string };

export function parseActivity(body: unknown): ParsedActivity {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, message: 'Bad request: expected a JSON object (an activity)' };
  const parsed = InboundActivity.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.') || '(body)';
    return { ok: false, message: `Bad request: ${path}: ${issue.message}` };
  }
  // What botbuilder's own validateAndFixActivity does, which this parse replaces.
  const activity: Record<string, unknown> = { ...parsed.data };
  for (const [field, raw] of [['timestamp', 'rawTimestamp'], ['localTimestamp', 'rawLocalTimestamp'], ['expiration', 'rawExpiration']] as const) {
    if (typeof activity[field] === 'string') {
      activity[raw] = activity[field];
      activity[field] = new Date(activity[field]);
    }
  }
  return { ok: true, activity };
}

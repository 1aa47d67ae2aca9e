/**
 * Mock data for the Microsoft 365 Agents Playground (`@microsoft/m365agentsplayground` 0.2.x).
 *
 * The Playground reads `.m365agentsplayground.yml` from its working folder (or the file named by
 * `M365_AGENTS_PLAYGROUND_CONFIG_PATH`) and validates it against its JSON schema, version "0.1.1":
 * every key below is required, no other key is allowed, and
 *   - `users` must hold exactly 5 users besides `currentUser` (all of them are members of the group
 *     chat and of the team);
 *   - `team.channels` holds at most 1 channel besides "General" (whose id is the team id);
 *   - user ids must be unique; personal chat, group chat, team and channel ids must be unique;
 *   - `bot.name` at most 42 characters, other names at most 256.
 * A user's `id` is the Bot Framework channel account id the bot sees as `from.id`.
 * Note the schema's spelling `userPrincipleName`.
 *
 * No YAML library is a dependency, so the text is emitted by hand: every scalar is a double-quoted
 * YAML string (escapes for quotes, backslashes, control and line-separator characters).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const PLAYGROUND_CONFIG_FILE = '.m365agentsplayground.yml';
export const PLAYGROUND_USER_COUNT = 5;
export const PLAYGROUND_DEFAULT_BOT_ID = '00000000-0000-0000-0000-00000000000011';

export interface PlaygroundUser {
  aadObjectId: string;
  name: string;
  /** The channel account id (`from.id`); default `29:<aadObjectId>`. */
  id?: string;
  email?: string;
  /** Default: `email`, else `<first.last>@example.com`. */
  userPrincipalName?: string;
  /** Default: the first word of `name`. */
  givenName?: string;
  /** Default: the rest of `name` (or `name` when it is one word). */
  surname?: string;
}

export interface PlaygroundChannel {
  name: string;
  /** Conversation id of the channel; default derived from the team id and the name. */
  id?: string;
}

export interface PlaygroundTeam {
  name: string;
  /** Team id = conversation id of its General channel; default `team-id`. */
  id?: string;
  aadGroupId?: string;
  /** At most one channel besides "General" (a "General" entry is ignored: it always exists). */
  channels: PlaygroundChannel[];
}

export interface PlaygroundConfigOptions {
  tenantId: string;
  botId?: string;
  botName: string;
  currentUser: PlaygroundUser;
  /** Up to 5 other users; fewer are padded with placeholder users (the schema wants exactly 5). */
  users: PlaygroundUser[];
  team?: PlaygroundTeam;
  /** Personal chat conversation id; default a fixed id so runs are reproducible. */
  personalChatId?: string;
  groupChat?: { id?: string; name?: string };
}

const PLACEHOLDER_USERS: ReadonlyArray<{ name: string; aadObjectId: string }> = [
  { name: 'Megan Bowen', aadObjectId: '00000000-0000-0000-0000-0000000000021' },
  { name: 'Adele Vance', aadObjectId: '00000000-0000-0000-0000-0000000000022' },
  { name: 'Isaiah Langer', aadObjectId: '00000000-0000-0000-0000-0000000000023' },
  { name: 'Patti Fernandez', aadObjectId: '00000000-0000-0000-0000-0000000000024' },
  { name: 'Lynne Robbins', aadObjectId: '00000000-0000-0000-0000-0000000000025' },
];

interface ResolvedUser {
  id: string;
  name: string;
  userPrincipleName: string;
  aadObjectId: string;
  givenName: string;
  surname: string;
  email: string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function fail(message: string): never {
  throw new Error(`Playground config: ${message}`);
}

function checkString(what: string, value: string, maxLength?: number): void {
  if (typeof value !== 'string' || value.trim() === '') fail(`${what} must be a non-empty string`);
  if (LONE_SURROGATE.test(value)) fail(`${what} contains a lone surrogate`);
  if (maxLength !== undefined && value.length > maxLength) fail(`${what} is longer than ${maxLength} characters`);
}

function resolveUser(user: PlaygroundUser, what: string): ResolvedUser {
  checkString(`${what}.name`, user.name, 256);
  checkString(`${what}.aadObjectId`, user.aadObjectId);
  const words = user.name.trim().split(/\s+/);
  const givenName = user.givenName ?? words[0] ?? user.name;
  const surname = user.surname ?? (words.length > 1 ? words.slice(1).join(' ') : user.name);
  const localPart = words.join('.').toLowerCase().replace(/[^a-z0-9._-]/g, '') || 'user';
  const email = user.email ?? `${localPart}@example.com`;
  const resolved: ResolvedUser = {
    id: user.id ?? `29:${user.aadObjectId}`,
    name: user.name,
    userPrincipleName: user.userPrincipalName ?? email,
    aadObjectId: user.aadObjectId,
    givenName,
    surname,
    email,
  };
  checkString(`${what}.id`, resolved.id);
  checkString(`${what}.email`, resolved.email);
  checkString(`${what}.userPrincipalName`, resolved.userPrincipleName);
  checkString(`${what}.givenName`, resolved.givenName, 256);
  checkString(`${what}.surname`, resolved.surname, 256);
  return resolved;
}

/** A YAML 1.2 double-quoted scalar for any well-formed string. */
export function yamlString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff || cp === 0xfffe || cp === 0xffff) {
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    } else out += ch;
  }
  return `${out}"`;
}

function userLines(user: ResolvedUser, indent: string, first: string): string[] {
  const keys: Array<keyof ResolvedUser> = ['id', 'name', 'userPrincipleName', 'aadObjectId', 'givenName', 'surname', 'email'];
  return keys.map((key, i) => `${i === 0 ? first : indent}${key}: ${yamlString(user[key])}`);
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'channel';
}

/** The text of `.m365agentsplayground.yml` for these options (pure; throws on data the Playground would reject). */
export function playgroundConfigYaml(opts: PlaygroundConfigOptions): string {
  checkString('tenantId', opts.tenantId);
  checkString('botName', opts.botName, 42);
  const botId = opts.botId ?? PLAYGROUND_DEFAULT_BOT_ID;
  checkString('botId', botId);

  if (opts.users.length > PLAYGROUND_USER_COUNT) fail(`at most ${PLAYGROUND_USER_COUNT} other users (got ${opts.users.length})`);
  const current = resolveUser(opts.currentUser, 'currentUser');
  const users = opts.users.map((u, i) => resolveUser(u, `users[${i}]`));
  const taken = new Set([current.id, current.aadObjectId, ...users.flatMap((u) => [u.id, u.aadObjectId])]);
  for (const placeholder of PLACEHOLDER_USERS) {
    if (users.length >= PLAYGROUND_USER_COUNT) break;
    if (taken.has(placeholder.aadObjectId) || taken.has(`29:${placeholder.aadObjectId}`)) continue;
    users.push(resolveUser(placeholder, 'placeholder'));
  }
  for (let n = 1; users.length < PLAYGROUND_USER_COUNT; n++) {
    const aad = `00000000-0000-0000-0000-${String(900 + n).padStart(12, '0')}`;
    if (!taken.has(aad)) users.push(resolveUser({ name: `Placeholder User${n}`, aadObjectId: aad }, 'placeholder'));
  }
  const userIds = [current.id, ...users.map((u) => u.id)];
  if (new Set(userIds).size !== userIds.length) fail(`user ids must be unique: ${userIds.join(', ')}`);
  if (userIds.includes(botId)) fail('a user id equals the bot id');

  const team = opts.team ?? { name: 'My Team', channels: [] };
  const teamId = team.id ?? 'team-id';
  checkString('team.name', team.name, 256);
  checkString('team.id', teamId);
  const aadGroupId = team.aadGroupId ?? '00000000-0000-0000-0000-000000000031';
  checkString('team.aadGroupId', aadGroupId);
  const channels = team.channels
    .filter((c) => c.name.trim().toLowerCase() !== 'general')
    .map((c) => ({ id: c.id ?? `${teamId}-${slug(c.name)}`, name: c.name }));
  if (channels.length > 1) fail(`the Playground supports at most one channel besides General (got ${channels.map((c) => c.name).join(', ')})`);
  channels.forEach((c, i) => {
    checkString(`team.channels[${i}].name`, c.name, 256);
    checkString(`team.channels[${i}].id`, c.id);
  });

  const personalChatId = opts.personalChatId ?? 'personal-chat-id';
  const groupChatId = opts.groupChat?.id ?? 'group-chat-id';
  const groupChatName = opts.groupChat?.name ?? 'Group Chat';
  checkString('personalChatId', personalChatId);
  checkString('groupChat.id', groupChatId);
  checkString('groupChat.name', groupChatName, 256);
  const conversationIds = [personalChatId, groupChatId, teamId, ...channels.map((c) => c.id)];
  if (new Set(conversationIds).size !== conversationIds.length) fail(`personal chat, group chat, team and channel ids must be unique: ${conversationIds.join(', ')}`);

  const lines: string[] = [
    '# Generated by src/adapters/playground/config.ts: mock data for the Microsoft 365 Agents Playground.',
    'version: "0.1.1"',
    `tenantId: ${yamlString(opts.tenantId)}`,
    'bot:',
    `  id: ${yamlString(botId)}`,
    `  name: ${yamlString(opts.botName)}`,
    'currentUser:',
    ...userLines(current, '  ', '  '),
    'users:',
    ...users.flatMap((u) => userLines(u, '    ', '  - ')),
    'personalChat:',
    `  id: ${yamlString(personalChatId)}`,
    'groupChat:',
    `  id: ${yamlString(groupChatId)}`,
    `  name: ${yamlString(groupChatName)}`,
    'team:',
    `  id: ${yamlString(teamId)}`,
    `  name: ${yamlString(team.name)}`,
    `  aadGroupId: ${yamlString(aadGroupId)}`,
    channels.length === 0 ? '  channels: []' : '  channels:',
    ...channels.flatMap((c) => [`    - id: ${yamlString(c.id)}`, `      name: ${yamlString(c.name)}`]),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes `<dir>/.m365agentsplayground.yml` and returns its path. */
export async function writePlaygroundConfig(dir: string, opts: PlaygroundConfigOptions): Promise<string> {
  const text = playgroundConfigYaml(opts);
  await mkdir(dir, { recursive: true });
  const path = join(dir, PLAYGROUND_CONFIG_FILE);
  await writeFile(path, text, 'utf8');
  return path;
}

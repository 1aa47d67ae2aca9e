/**
 * Where staff notifications go: the team channels registered with `register rewards channel` and
 * `register support channel`, kept in the store's key/value space.
 */
import { z } from 'zod';
import type { KvPort } from './ports/index.js';

const KEY = 'settings/channels';
export const ChannelSettings = z.object({
  rewards: z.string().nullable().default(null),
  support: z.string().nullable().default(null),
});
export type ChannelSettings = z.infer<typeof ChannelSettings>;
export type ChannelRole = keyof ChannelSettings;

export async function getChannels(store: KvPort): Promise<ChannelSettings> {
  const entry = (await store.kvRead([KEY]))[KEY];
  return ChannelSettings.parse(entry?.value ?? {});
}

/** Records `conversationKey` (a stored channel reference) as the channel for `role`. */
export async function setChannel(store: KvPort, role: ChannelRole, conversationKey: string): Promise<void> {
  const entry = (await store.kvRead([KEY]))[KEY];
  const current = ChannelSettings.parse(entry?.value ?? {});
  await store.kvWrite({ [KEY]: { value: { ...current, [role]: conversationKey }, ...(entry ? { eTag: entry.eTag } : {}) } });
}

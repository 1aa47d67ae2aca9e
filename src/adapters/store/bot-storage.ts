/**
 * botbuilder's Storage (dialog and conversation state) on the project's store, with eTag checks:
 * two turns racing on one conversation cannot silently overwrite each other's dialog state.
 */
import type { Storage, StoreItems } from 'botbuilder';
import type { KvPort } from '../../services/ports/index.js';

export class StoreBotStorage implements Storage {
  constructor(private readonly store: KvPort) {}

  async read(keys: string[]): Promise<StoreItems> {
    const entries = await this.store.kvRead(keys.map((k) => `state/${k}`));
    const out: StoreItems = {};
    for (const k of keys) {
      const e = entries[`state/${k}`];
      if (e) out[k] = { ...(e.value as object), eTag: e.eTag };
    }
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    const writes: Record<string, { value: unknown; eTag?: string }> = {};
    for (const [k, item] of Object.entries(changes)) {
      const { eTag, ...value } = (item ?? {}) as { eTag?: string } & Record<string, unknown>;
      writes[`state/${k}`] = { value, ...(eTag !== undefined ? { eTag } : {}) };
    }
    await this.store.kvWrite(writes);
  }

  async delete(keys: string[]): Promise<void> {
    await this.store.kvDelete(keys.map((k) => `state/${k}`));
  }
}

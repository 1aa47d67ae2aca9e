/**
 * copy-store: moves an embedded store into an empty PostgreSQL database, the path of a user who
 * outgrows the default. One transaction on the PostgreSQL side; counts are checked before it commits.
 */
import type { LowdbStore } from './lowdb/lowdb-store.js';
import type { PostgresStore, StoreCounts } from './postgres/postgres-store.js';

/** Copies everything `from` holds into `to` (opened, empty). Resolves with the verified counts. */
export async function copyStore(from: LowdbStore, to: PostgresStore, progress?: (done: number, total: number) => void): Promise<StoreCounts> {
  const [publisherIds, staff, audit, outbox, extras] = await Promise.all([from.listPublisherIds(), from.listStaff(), from.readAudit(), from.listOutbox(), from.exportExtras()]);
  let publishers = 0;
  let tickets = 0;
  let transactions = 0;
  return to.restore(
    {
      publisherIds,
      publisher: async (id) => {
        const doc = await from.getPublisher(id);
        if (doc) {
          publishers++;
          tickets += doc.tickets.length;
        }
        return doc;
      },
      transactions: async (id) => {
        const txs = await from.readTransactions(id);
        transactions += txs.length;
        return txs;
      },
      staff,
      kv: extras.kv,
      conversations: extras.conversations,
      audit,
      outbox,
      lastTicketNumber: extras.lastTicketNumber,
      counted: () => ({ publishers, transactions, staff: staff.length, tickets, conversations: extras.conversations.length, kv: extras.kv.length, audit: audit.length, outbox: outbox.length }),
    },
    progress,
  );
}

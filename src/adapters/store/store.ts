/**
 * For the backends: the ports they implement (they belong to the application, in
 * services/ports/), and the checks every backend shares. Services and the bot import the ports
 * from services/ports, never from here.
 */
import type { Ticket, Transaction } from '../../domain/model.js';
import { PublisherDoc, StoreError, type ImportBatch, type ImportCounts } from '../../services/ports/index.js';

export * from '../../services/ports/index.js';

/**
 * The references an import must satisfy, checked the same way by every backend before anything is
 * written: offers name a known publisher and never move to another; transactions and MAU name a
 * known offer. `isPublisher` and `offerOwner` describe what is already stored; `offerOwner` is
 * completed with the batch's offers and returned. Throws StoreError('invalid') naming the row.
 */
export function planImportReferences(batch: ImportBatch, isPublisher: (id: string) => boolean, offerOwner: Map<string, string>): Map<string, string> {
  const invalid = (collection: keyof ImportBatch, index: number, id: string | undefined, field: string, problem: string): never => {
    throw new StoreError(`${collection}[${index}]${id === undefined ? '' : ` (${id})`}.${field}: ${problem}`, 'invalid', { collection, index, field, problem });
  };
  const batchPublishers = new Set(batch.publishers.map((p) => p.id));
  batch.offers.forEach((o, i) => {
    if (!batchPublishers.has(o.publisherId) && !isPublisher(o.publisherId)) invalid('offers', i, o.id, 'publisherId', `${JSON.stringify(o.publisherId)} is not a known publisher (import it first, or correct the id)`);
    const owner = offerOwner.get(o.id);
    if (owner && owner !== o.publisherId) invalid('offers', i, o.id, 'publisherId', `the offer already belongs to publisher ${owner} (an offer cannot move to another publisher)`);
    offerOwner.set(o.id, o.publisherId);
  });
  batch.transactions.forEach((t, i) => {
    if (!offerOwner.has(t.offerId)) invalid('transactions', i, t.id, 'offerId', `${JSON.stringify(t.offerId)} is not a known offer (import it first, or correct the id)`);
  });
  batch.mau.forEach((m, i) => {
    if (!offerOwner.has(m.offerId)) invalid('mau', i, undefined, 'offerId', `${JSON.stringify(m.offerId)} is not a known offer (import it first, or correct the id)`);
  });
  return offerOwner;
}

/**
 * The document part of an import, the same for every backend: publishers, offers and MAU applied to
 * drafts (`draftOf` hands out the draft of a stored or already touched publisher; new publishers are
 * added to `touched`), counted in `counts`. Returns the batch's transactions grouped by publisher.
 */
export function applyImportToDrafts(
  batch: ImportBatch,
  offerOwner: ReadonlyMap<string, string>,
  stored: (id: string) => boolean,
  draftOf: (id: string) => PublisherDoc,
  touched: Map<string, PublisherDoc>,
  counts: ImportCounts,
): Map<string, Transaction[]> {
  for (const p of batch.publishers) {
    if (stored(p.id) || touched.has(p.id)) {
      counts.publishers.updated++;
      draftOf(p.id).publisher = p;
    } else {
      counts.publishers.created++;
      touched.set(p.id, PublisherDoc.parse({ publisher: p }));
    }
  }
  for (const o of batch.offers) {
    const d = draftOf(o.publisherId);
    const i = d.offers.findIndex((x) => x.id === o.id);
    if (i >= 0) {
      counts.offers.updated++;
      d.offers[i] = o;
    } else {
      counts.offers.created++;
      d.offers.push(o);
    }
  }
  for (const m of batch.mau) {
    const d = draftOf(offerOwner.get(m.offerId)!);
    const i = d.mau.findIndex((x) => x.offerId === m.offerId && x.month === m.month);
    if (i >= 0) {
      counts.mau.updated++;
      d.mau[i] = m;
    } else {
      counts.mau.created++;
      d.mau.push(m);
    }
  }
  const txByPublisher = new Map<string, Transaction[]>();
  for (const t of batch.transactions) {
    const pid = offerOwner.get(t.offerId)!;
    const list = txByPublisher.get(pid) ?? [];
    list.push(t);
    txByPublisher.set(pid, list);
  }
  return txByPublisher;
}

/**
 * `updateTicket` for both backends: `change` runs on the ticket inside its publisher's document
 * (inside that backend's `updatePublisher`); a change of the ticket's number or publisher is refused.
 */
export function changeTicketIn<R>(doc: PublisherDoc, id: string, publisherId: string, change: (ticket: Ticket) => R): R {
  const t = doc.tickets.find((x) => x.id === id)!;
  const r = change(t);
  if (t.id !== id || t.publisherId !== publisherId) throw new StoreError('a ticket cannot change its number or publisher', 'invalid');
  return r;
}

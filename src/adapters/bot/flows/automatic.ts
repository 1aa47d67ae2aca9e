/**
 * Automatic messages that depend on time or on the data rather than on a click: offer went live,
 * tier unlocked, Azure sponsorship unlocked, engagement window ending, offer live past the
 * no-contact delay, activation contact overdue. A scan looks at every publisher and queues what
 * is due; each message's idempotency key names its event, so a scan after a restart (or twice in
 * an hour) never sends anything twice.
 */
import type { OutboxItem, PublisherDoc } from '../../../services/ports/index.js';
import { activationOverdue, addDays, type Evaluation } from '../../../domain/program/index.js';
import { getChannels } from '../../../services/channels.js';
import type { BotDeps } from '../turn.js';
import { asOutboxMessage } from '../cards.js';
import { activationNotice, publisherRecipients } from './rewards-team.js';
import { ticketCard, ticketFlows } from './tickets.js';
import { dueToClose } from '../../../domain/tickets.js';
import { noContactDue } from '../../../domain/notifications.js';
import { formatDay, formatUsd } from './present.js';

type Item = Pick<OutboxItem, 'idempotencyKey' | 'conversationKey' | 'payload' | 'dueAt'>;


/** What is due for one publisher now. */
export async function dueNotifications(deps: BotDeps, doc: PublisherDoc, e: Evaluation, rewardsChannel: string | null): Promise<Item[]> {
  const now = deps.now().toISOString();
  const today = now.slice(0, 10);
  const items: Item[] = [];
  const toPublisher = async (key: string, title: string, text: string, withEnroll = false) => {
    const content = deps.cards.card('notice', { title, text, buttonTitle: withEnroll ? 'Enroll in Marketplace Rewards Program' : '', verb: withEnroll ? 'enroll.submit' : '' });
    for (const conversationKey of await publisherRecipients(deps, doc)) items.push({ idempotencyKey: `${key}:${conversationKey}`, conversationKey, payload: asOutboxMessage(content), dueAt: now });
  };

  for (const o of e.offers) {
    const offer = doc.offers.find((x) => x.id === o.offerId)!;
    if (offer.status !== 'live' || !offer.liveDate || offer.liveDate > today) continue;
    // Offer went live (announced during its first week only, so old offers are not "news").
    if (addDays(offer.liveDate, 7) >= today) {
      await toPublisher(
        `live:${offer.id}`,
        `${offer.name} is live`,
        e.enrolled
          ? `It now counts for Marketplace Rewards. Type benefits to see what it unlocks.`
          : `It makes ${doc.publisher.name} eligible for Marketplace Rewards. Enroll to get its benefits.`,
        !e.enrolled && doc.publisher.mpnId !== null,
      );
    }
    // Engagement window ending in 14 days.
    if (o.engagement?.kind === 'window' && !o.engagement.over && o.engagement.daysLeft <= 14) {
      await toPublisher(`window-ending:${offer.id}:${o.engagement.end}`, `Engagement window for ${offer.name} ends soon`, `${o.engagement.daysLeft} days left (until ${formatDay(o.engagement.end)}). Activate the benefits you want before then: type benefits.`);
    }
    // Azure sponsorship unlocked.
    for (const b of o.benefits) {
      if (b.id.startsWith('azure-sponsorship') && b.state === 'available' && b.sponsorshipUsd) {
        await toPublisher(
          `sponsorship:${offer.id}:${b.id}:${b.sponsorshipUsd}`,
          `Azure sponsorship unlocked: ${formatUsd(b.sponsorshipUsd)}`,
          `${b.name} for ${offer.name}: 100% off Azure usage up to ${formatUsd(b.sponsorshipUsd)}, on pay-as-you-go or Enterprise Agreement subscriptions (not MCA or CSP, not reserved instances); keep a payment method for overage. Activate it from benefits.`,
        );
      }
    }
    // Live longer than the edition's delay and nobody from the Rewards team has been in touch.
    if (noContactDue(offer, doc.state, today, deps.program.edition.noContactNudgeDays)) {
      const owner = offer.owner ? `${offer.owner.name} (${offer.owner.email})` : 'not recorded';
      await toPublisher(
        `nocontact:${offer.id}`,
        `No message from the Rewards team about ${offer.name}?`,
        `It has been live since ${formatDay(offer.liveDate)}. The offer's owner in Partner Center is ${owner}: check they still work with you. If the owner cannot be found or has left the company, raise a support ticket.`,
      );
      if (rewardsChannel) {
        const content = deps.cards.card('message', { title: `No Rewards contact yet: ${doc.publisher.name}`, text: `${offer.name} (${offer.listingType}) has been live since ${formatDay(offer.liveDate)} without contact. Owner: ${owner}.`, reference: '' });
        items.push({ idempotencyKey: `nocontact:${offer.id}:rewards`, conversationKey: rewardsChannel, payload: asOutboxMessage(content), dueAt: now });
      }
    }
  }
  // Tier unlocked (each tier once).
  if (e.tier !== null && e.tier > 0) {
    await toPublisher(`tier:${doc.publisher.id}:${e.tier}`, `${doc.publisher.name} reached ${e.tierName}`, `New benefits are unlocked. Type benefits to see and activate them.`);
  }
  // Activation contact overdue: remind the Rewards channel once.
  if (rewardsChannel) {
    for (const a of doc.state.activations) {
      if (activationOverdue(a, now)) {
        items.push({ idempotencyKey: `overdue:${a.id}:rewards`, conversationKey: rewardsChannel, payload: asOutboxMessage(activationNotice(deps, doc, a, { banner: 'Reminder: the one-week contact promise has passed.', bannerColor: 'Attention' })), dueAt: now });
      }
    }
  }
  return items;
}

/** Tickets: close resolved ones after a week; remind the support channel once of overdue first responses. */
async function ticketHousekeeping(deps: BotDeps, support: string | null): Promise<number> {
  const now = deps.now().toISOString();
  const { sync } = ticketFlows({ tickets: deps.tickets });
  let enqueued = 0;
  for (const t of await deps.store.listTickets({ status: ['unassigned', 'assigned', 'waiting_on_partner', 'resolved'] })) {
    if (dueToClose(t, now)) {
      const r = await deps.tickets.act(t.id, { kind: 'close' }, { kind: 'system' });
      if (r.ok) await sync(deps, r.ticket, 'Closed: resolved a week ago and not reopened.');
    } else if (support && !t.reminded && deps.tickets.overdue(t, now)) {
      const content = await ticketCard(deps, t, 'agent', { banner: 'Reminder: the first-response target has passed.', bannerColor: 'Attention' });
      enqueued += (await deps.store.enqueueOutbox([{ idempotencyKey: `ticket:${t.id}:overdue`, conversationKey: support, payload: asOutboxMessage(content), dueAt: now }])).enqueued;
      await deps.tickets.markReminded(t.id);
    }
  }
  return enqueued;
}

/** Scans every publisher and queues what is due; returns how many new messages were queued. */
export async function scanNotifications(deps: BotDeps): Promise<{ publishers: number; enqueued: number }> {
  const { rewards, support } = await getChannels(deps.store);
  let enqueued = await ticketHousekeeping(deps, support);
  const ids = await deps.store.listPublisherIds();
  for (const [i, id] of ids.entries()) {
    const doc = await deps.store.getPublisher(id);
    if (!doc) continue;
    // Without a Rewards channel, messages can only go to the publisher's people: when none of them
    // ever talked to the bot, nothing can be due, so the evaluation is skipped (most of a large store).
    if (!rewards && (await publisherRecipients(deps, doc)).length === 0) continue;
    const e = await deps.program.evaluate(id, undefined, doc);
    const items = await dueNotifications(deps, doc, e, rewards);
    if (items.length) enqueued += (await deps.store.enqueueOutbox(items)).enqueued;
    // Long scans yield so turns keep flowing.
    if (i % 200 === 199) await new Promise((r) => setImmediate(r));
  }
  return { publishers: ids.length, enqueued };
}

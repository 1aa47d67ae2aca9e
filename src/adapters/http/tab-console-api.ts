/**
 * The staff console's routes under `/api/tab/console/…`: the Rewards team's campaigns and
 * activations. Signed in, validated and answered by the shared router (tab-api.ts); the handlers
 * call the same services as the chat's Rewards-team commands.
 */
import { z } from 'zod';
import { Campaign } from '../../services/campaigns.js';
import { DAY_MS, NoBody, type TabApiDeps, type TabRouter } from './tab-api.js';

export const CampaignsQuery = z.object({ status: Campaign.shape.status.optional() }).strict();
export const ActivationsQuery = z.object({ filter: z.enum(['all', 'due', 'overdue']).default('all') }).strict();

export function registerConsoleApi({ route, staff }: TabRouter, deps: TabApiDeps): void {
  route('get', '/api/tab/console/campaigns', { query: CampaignsQuery, body: NoBody }, async ({ identity, query }) => {
    staff(identity);
    const list = (await deps.campaigns.list()).filter((x) => !query.status || x.campaign.status === query.status);
    return {
      status: 200,
      body: {
        campaigns: list.map(({ campaign: c, stats }) => ({ id: c.id, title: c.content.title, status: c.status, createdAt: c.createdAt, sendAt: c.sendAt, recipients: c.recipients, audience: c.audience, stats })),
      },
    };
  });

  route('get', '/api/tab/console/activations', { query: ActivationsQuery, body: NoBody }, async ({ identity, query }) => {
    const waiting = await deps.program.waitingActivations(staff(identity));
    const now = deps.now();
    const benefitName = (id: string) => deps.program.edition.benefits.find((b) => b.id === id)?.name ?? id;
    return {
      status: 200,
      body: {
        promiseDays: deps.program.edition.activationContactDays,
        activations: waiting
          .filter((w) => query.filter === 'all' || (query.filter === 'overdue') === w.overdue)
          .map((w) => ({
            publisherId: w.publisherId,
            publisherName: w.publisherName,
            id: w.activation.id,
            offerId: w.activation.offerId,
            benefitId: w.activation.benefitId,
            benefitName: benefitName(w.activation.benefitId),
            activatedAt: w.activation.activatedAt,
            dueAt: w.activation.dueAt,
            ageDays: Math.floor((now.getTime() - Date.parse(w.activation.activatedAt)) / DAY_MS),
            overdue: w.overdue,
          })),
      },
    };
  });
}

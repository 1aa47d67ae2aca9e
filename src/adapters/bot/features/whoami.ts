import type { Command } from '../turn.js';

const ROLE_NAMES: Record<string, string> = {
  owner: 'Owner',
  manager: 'Manager',
  developer: 'Developer',
  business_contributor: 'Business contributor',
  financial_contributor: 'Financial contributor',
  marketer: 'Marketer',
  rewards: 'Rewards team',
  support: 'Support agent',
};

/** Says who the bot thinks the caller is: their company and Partner Center role, or staff roles. */
export const whoamiCommand: Command = {
  name: 'whoami',
  description: 'Who I think you are (company and role)',
  audience: 'everyone',
  async handle(turn, deps) {
    const from = turn.ctx.activity.from;
    const tenantId = turn.ctx.activity.conversation?.tenantId ?? '';
    const facts: Array<{ title: string; value: string }> = [];
    let summary: string;
    const doc = await turn.publisher();
    const id = turn.identity;
    if (doc && id && id.kind !== 'staff') {
      const user = doc.publisher.users.find((u) => u.aadObjectId === id.aadObjectId);
      summary = `You are ${user?.name ?? from.name}, ${ROLE_NAMES[user?.role ?? ''] ?? 'a user'} at ${doc.publisher.name}.`;
      facts.push(
        { title: 'Company', value: doc.publisher.name },
        { title: 'MPN ID', value: doc.publisher.mpnId ?? 'none yet' },
        { title: 'Partner Center role', value: ROLE_NAMES[user?.role ?? ''] ?? 'unknown' },
      );
    } else if (!id) {
      summary = 'I do not know you yet: ask an owner of your company’s Partner Center account to add you as a user, then try again.';
    } else {
      summary = `You are ${id.kind === 'staff' ? id.staff.name : from.name}, Marketplace Rewards staff.`;
    }
    if (id && id.kind !== 'publisher') facts.push({ title: 'Staff roles', value: id.staff.roles.map((r) => ROLE_NAMES[r]).join(', ') });
    facts.push({ title: 'Tenant', value: tenantId }, { title: 'User id', value: from.aadObjectId ?? from.id });
    await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('whoami', { summary, facts })] });
  },
};

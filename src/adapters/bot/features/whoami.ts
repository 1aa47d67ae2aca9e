/** Says who the bot thinks the caller is, in names: their company and role, or their staff roles. */
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

/** Owners and managers act; the other Partner Center roles look (PRODUCT.md). */
const CAN_ACT = new Set(['owner', 'manager']);

export const whoamiCommand: Command = {
  name: 'whoami',
  description: 'Who I think you are (company and role)',
  audience: 'everyone',
  personalOnly: true,
  async handle(turn, deps) {
    const from = turn.ctx.activity.from;
    const facts: Array<{ title: string; value: string }> = [];
    let summary: string;
    const doc = await turn.publisher();
    const id = turn.identity;
    if (doc && id && id.kind !== 'staff') {
      const user = doc.publisher.users.find((u) => u.aadObjectId === id.aadObjectId);
      const role = user?.role ?? '';
      summary = `You are ${user?.name ?? from.name}, ${ROLE_NAMES[role] ?? 'a user'} at ${doc.publisher.name}.`;
      facts.push(
        { title: 'Company', value: doc.publisher.name },
        { title: 'MPN ID', value: doc.publisher.mpnId ?? 'none yet' },
        { title: 'Partner Center role', value: ROLE_NAMES[role] ?? 'unknown' },
        { title: 'What you can do', value: CAN_ACT.has(role) ? 'enroll, assign the contact, activate and opt out, and look everything up' : 'look up status and benefits, raise tickets (owners and managers act)' },
      );
      if (user) facts.push({ title: 'Email', value: user.email });
    } else if (!id) {
      summary = 'I do not know you yet: ask an owner of your company’s Partner Center account to add you as a user, then try again.';
    } else {
      summary = `You are ${id.kind === 'staff' ? id.staff.name : from.name}, Marketplace Rewards staff.`;
    }
    if (id && id.kind !== 'publisher') facts.push({ title: 'Staff roles', value: id.staff.roles.map((r) => ROLE_NAMES[r]).join(', ') });
    if (id?.kind === 'staff') facts.push({ title: 'Email', value: id.staff.email });
    await turn.ctx.sendActivity({ attachments: [deps.cards.attachment('whoami', { summary, facts })] });
  },
};

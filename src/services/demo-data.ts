/**
 * The demo set loaded into an empty store in development. Its users are the Agents Playground's
 * mock users (same tenant and ids), so every role can be tried locally: publisher owner, a user who
 * may only look, Rewards team and support. Dates are relative to `today` so windows and the
 * no-contact rule show live numbers.
 */
import type { ImportBatch } from './ports/index.js';
import type { Offer, Transaction } from '../domain/model.js';

export const PLAYGROUND_TENANT = '00000000-0000-0000-0000-0000000000001';
/** The bot's display name in the Agents Playground. */
export const PLAYGROUND_BOT_NAME = 'Rewards';
const mock = (n: number) => `00000000-0000-0000-0000-00000000000${n}`;

/** The Playground's mock users and what the demo makes of each. */
export const DEMO_USERS = [
  { aadObjectId: mock(20), name: 'Alex Wilber', email: 'alexw@contoso.example', role: 'Owner at Contoso Cloud (transact, just below tier 2)' },
  { aadObjectId: mock(21), name: 'Megan Bowen', email: 'meganb@contoso.example', role: 'Developer at Contoso Cloud (can look, not act)' },
  { aadObjectId: mock(22), name: 'Adele Vance', email: 'adelev@fabrikam.example', role: 'Owner at Fabrikam Apps (Microsoft 365 app with seats, fraud and cancellations)' },
  { aadObjectId: mock(23), name: 'Lee Gu', email: 'leeg@northwind.example', role: 'Manager at Northwind Dynamics (Dynamics 365 and consulting offers)' },
  { aadObjectId: mock(24), name: 'Nestor Wilke', email: 'nestorw@rewards.example', role: 'Rewards team' },
  { aadObjectId: mock(25), name: 'Isaiah Langer', email: 'isaiahl@rewards.example', role: 'Support agent' },
] as const;

function daysAgo(today: string, days: number): string {
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

const offerDefaults = {
  m365Integrated: false,
  dynamics365: false,
  byol: false,
  private: false,
  hasPublicListing: true,
  listingOptimizationCompleted: true,
  coSellReady: false,
  status: 'live',
} as const;

export function demoData(today: string): ImportBatch {
  const T = PLAYGROUND_TENANT;
  const u = DEMO_USERS;
  const offers: Offer[] = [
    { ...offerDefaults, id: 'contoso-insights', publisherId: 'contoso', name: 'Contoso Insights', listingType: 'transact', marketplace: 'azure', offerType: 'saas', liveDate: daysAgo(today, 400), owner: { name: u[0].name, email: u[0].email } },
    { ...offerDefaults, id: 'contoso-trial', publisherId: 'contoso', name: 'Contoso Insights Trial', listingType: 'trial', marketplace: 'appsource', offerType: 'saas', liveDate: daysAgo(today, 40), owner: { name: u[1].name, email: u[1].email } },
    { ...offerDefaults, id: 'fabrikam-planner', publisherId: 'fabrikam', name: 'Fabrikam Planner for Teams', listingType: 'transact', marketplace: 'appsource', offerType: 'saas', m365Integrated: true, liveDate: '2020-09-01', owner: { name: u[2].name, email: u[2].email } },
    { ...offerDefaults, id: 'fabrikam-byol', publisherId: 'fabrikam', name: 'Fabrikam Vault (BYOL)', listingType: 'list', marketplace: 'azure', offerType: 'azure_vm', byol: true, liveDate: daysAgo(today, 75), owner: null },
    { ...offerDefaults, id: 'northwind-d365', publisherId: 'northwind', name: 'Northwind Field Service for Dynamics 365', listingType: 'list', marketplace: 'appsource', offerType: 'dynamics365', dynamics365: true, listingOptimizationCompleted: false, liveDate: daysAgo(today, 33), owner: { name: 'Former Employee', email: 'gone@northwind.example' } },
    { ...offerDefaults, id: 'northwind-workshop', publisherId: 'northwind', name: 'Northwind Cloud Readiness Workshop', listingType: 'consulting', marketplace: 'appsource', offerType: 'consulting_service', liveDate: daysAgo(today, 10), owner: { name: u[3].name, email: u[3].email } },
    { ...offerDefaults, id: 'tailspin-draft', publisherId: 'tailspin', name: 'Tailspin Tracker', listingType: 'list', marketplace: 'appsource', offerType: 'saas', status: 'draft', liveDate: null, owner: null },
  ];
  const tx = (id: string, offerId: string, date: string, billedUsd: number, status: Transaction['status'] = 'billed', seats = 0): Transaction => ({ id, offerId, date, billedUsd, seats, status });
  const transactions: Transaction[] = [
    // Contoso: $24,750 counted, $250 below tier 2.
    tx('ct-1', 'contoso-insights', daysAgo(today, 300), 9_500),
    tx('ct-2', 'contoso-insights', daysAgo(today, 200), 7_250),
    tx('ct-3', 'contoso-insights', daysAgo(today, 90), 8_000),
    // Fabrikam: seats before the 2021-06-30 deadline, plus sales that do not count.
    tx('fb-1', 'fabrikam-planner', '2020-10-15', 3_000, 'billed', 300),
    tx('fb-2', 'fabrikam-planner', '2021-02-01', 4_000, 'billed', 260),
    tx('fb-3', 'fabrikam-planner', '2021-03-10', 12_000, 'fraud', 500),
    tx('fb-4', 'fabrikam-planner', '2021-04-02', 1_500, 'cancelled_accidental', 40),
    tx('fb-5', 'fabrikam-planner', '2021-05-20', 900, 'cancelled_before_use', 25),
  ];
  return {
    publishers: [
      { id: 'contoso', name: 'Contoso Cloud', mpnId: '4412345', tenantIds: [T], accountEmail: 'partners@contoso.example', country: 'US', users: [
        { aadObjectId: u[0].aadObjectId, name: u[0].name, email: u[0].email, role: 'owner' },
        { aadObjectId: u[1].aadObjectId, name: u[1].name, email: u[1].email, role: 'developer' },
      ] },
      { id: 'fabrikam', name: 'Fabrikam Apps', mpnId: '5523456', tenantIds: [T], accountEmail: 'partnercenter@fabrikam.example', country: 'GB', users: [
        { aadObjectId: u[2].aadObjectId, name: u[2].name, email: u[2].email, role: 'owner' },
      ] },
      { id: 'northwind', name: 'Northwind Dynamics', mpnId: '6634567', tenantIds: [T], accountEmail: 'pc@northwind.example', country: 'DE', users: [
        { aadObjectId: u[3].aadObjectId, name: u[3].name, email: u[3].email, role: 'manager' },
      ] },
      { id: 'tailspin', name: 'Tailspin Toys', mpnId: null, tenantIds: ['22222222-2222-2222-2222-222222222222'], accountEmail: 'pc@tailspin.example', country: 'US', users: [
        { aadObjectId: '22222222-0000-0000-0000-000000000001', name: 'Tia Tailspin', email: 'tia@tailspin.example', role: 'owner' },
      ] },
    ],
    offers,
    transactions,
    mau: [],
    staff: [
      { aadObjectId: u[4].aadObjectId, tenantId: T, name: u[4].name, email: u[4].email, roles: ['rewards'] },
      { aadObjectId: u[5].aadObjectId, tenantId: T, name: u[5].name, email: u[5].email, roles: ['support'] },
    ],
  };
}

/** Builders shared by the program-rules tests: a publisher, offers, transactions and program states. */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  emptyProgramState,
  Offer,
  ProgramState,
  Publisher,
  Transaction,
  type MauMetric,
} from '../../src/domain/model.js';
import {
  evaluate,
  parseEdition,
  recomputeAggregates,
  type BenefitStatus,
  type Edition,
  type Evaluation,
} from '../../src/domain/program/index.js';

export function loadEdition(name: string): Edition {
  return parseEdition(JSON.parse(readFileSync(new URL(`../../programs/${name}.json`, import.meta.url), 'utf8')));
}

export const E2020 = loadEdition('2020');
export const FY24 = loadEdition('fy24');

export const TENANT = 'aaaaaaaa-0000-0000-0000-000000000001';
export const OWNER = '00000000-0000-0000-0000-000000000001';
export const MANAGER = '00000000-0000-0000-0000-000000000002';
export const DEVELOPER = '00000000-0000-0000-0000-000000000003';
export const MARKETER = '00000000-0000-0000-0000-000000000004';
export const STAFF = '00000000-0000-0000-0000-0000000000f1';
export const ACCOUNT_EMAIL = 'partner-center@contoso.com';

export function publisher(over: Partial<z.input<typeof Publisher>> = {}): Publisher {
  return Publisher.parse({
    id: 'contoso',
    name: 'Contoso',
    mpnId: '1234567',
    tenantIds: [TENANT],
    accountEmail: ACCOUNT_EMAIL,
    users: [
      { aadObjectId: OWNER, name: 'Olivia Owner', email: 'olivia@contoso.com', role: 'owner' },
      { aadObjectId: MANAGER, name: 'Max Manager', email: 'max@contoso.com', role: 'manager' },
      { aadObjectId: DEVELOPER, name: 'Dev Eloper', email: 'dev@contoso.com', role: 'developer' },
      { aadObjectId: MARKETER, name: 'Mia Marketer', email: 'mia@contoso.com', role: 'marketer' },
    ],
    ...over,
  });
}

/** A live, transact SaaS offer with listing optimization done and co-sell ready (nothing restricts it). */
export function offer(over: Partial<z.input<typeof Offer>> = {}): Offer {
  return Offer.parse({
    id: 'saas',
    publisherId: 'contoso',
    name: 'Contoso SaaS',
    listingType: 'transact',
    marketplace: 'azure',
    offerType: 'saas',
    status: 'live',
    liveDate: '2020-01-15',
    listingOptimizationCompleted: true,
    coSellReady: true,
    ...over,
  });
}

let seq = 0;
export function tx(over: Partial<z.input<typeof Transaction>> = {}): Transaction {
  seq += 1;
  return Transaction.parse({ id: `t${seq}`, offerId: 'saas', date: '2020-03-01', billedUsd: 0, ...over });
}

/** Enrolled, with a marketing contact. */
export function readyState(over: Partial<ProgramState> = {}): ProgramState {
  return ProgramState.parse({
    enrolment: { enrolledAt: '2020-02-01T10:00:00.000Z', enrolledBy: OWNER },
    contact: {
      aadObjectId: MARKETER,
      name: 'Mia Marketer',
      email: 'mia@contoso.com',
      phone: '+14255550100',
      language: 'en',
      assignedAt: '2020-02-01T10:05:00.000Z',
      assignedBy: OWNER,
    },
    ...over,
  });
}

export { emptyProgramState };

export interface Scenario {
  edition?: Edition;
  offers?: Offer[];
  transactions?: Transaction[];
  mau?: MauMetric[];
  state?: ProgramState;
  asOf?: string;
  /** List the excluded transactions (default true here: tests look at them). */
  excluded?: boolean;
}

/** Evaluates a scenario through the aggregates, as the services layer does. */
export function run(s: Scenario = {}): Evaluation {
  const offers = s.offers ?? [offer()];
  return evaluate({
    edition: s.edition ?? E2020,
    publisher: publisher(),
    offers,
    aggregates: recomputeAggregates(s.transactions ?? [], offers),
    mau: s.mau ?? [],
    state: s.state ?? readyState(),
    asOf: s.asOf ?? '2020-06-01',
    excluded: s.excluded ?? true,
  });
}

export function benefitOf(ev: Evaluation, benefitId: string, offerId = 'saas'): BenefitStatus {
  const b = ev.offers.find((o) => o.offerId === offerId)?.benefits.find((x) => x.id === benefitId);
  if (!b) throw new Error(`benefit ${benefitId} not on offer ${offerId}`);
  return b;
}

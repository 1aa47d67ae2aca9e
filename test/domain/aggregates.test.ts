import { expect } from 'chai';
import fc from 'fast-check';
import { TransactionStatus, type Transaction } from '../../src/domain/model.js';
import {
  applyTransactionChange,
  applyTransactionChanges,
  emptyAggregates,
  recomputeAggregates,
  SalesAggregates,
} from '../../src/domain/program/index.js';
import { offer, tx } from './fixtures.js';

const saas = offer();
const teams = offer({ id: 'teams', name: 'Contoso for Teams', offerType: 'teams_app', m365Integrated: true });
const OFFERS = [saas, teams];
const byId = (id: string): typeof saas => (id === 'teams' ? teams : saas);

describe('sales aggregates', () => {
  it('when a billed transaction is inserted, then its day holds its cents and seats', () => {
    const agg = applyTransactionChange(emptyAggregates(), undefined, tx({ id: 'a', billedUsd: 12.34, seats: 3 }), saas);
    expect(agg).to.deep.equal({
      version: 1,
      offers: { saas: { '2020-03-01': { cents: 1234, seats: 3 } } },
      months: { saas: { '2020-03': { cents: 1234, seats: 3 } } },
      excluded: {},
    });
  });

  for (const status of TransactionStatus.options.filter((s) => s !== 'billed')) {
    it(`when a billed transaction is marked ${status}, then it no longer counts, the empty day disappears, and it is listed as excluded until billed again`, () => {
      const billed = tx({ id: 'a', billedUsd: 500, seats: 10 });
      const agg1 = applyTransactionChange(emptyAggregates(), undefined, billed, saas);
      const agg2 = applyTransactionChange(agg1, billed, { ...billed, status }, saas);
      expect(agg2).to.deep.equal({ ...emptyAggregates(), excluded: { a: { offerId: 'saas', date: billed.date, cents: 50_000, seats: 10, status } } });
      expect(recomputeAggregates([{ ...billed, status }], OFFERS)).to.deep.equal(agg2);
      expect(applyTransactionChange(agg2, { ...billed, status }, billed, saas)).to.deep.equal(agg1);
    });
  }

  it('when a re-import changes the amount and date, then the old values are replaced', () => {
    const v1 = tx({ id: 'a', billedUsd: 100, date: '2020-03-01' });
    const v2 = { ...v1, billedUsd: 250, date: '2020-03-02' };
    const agg = applyTransactionChange(applyTransactionChange(emptyAggregates(), undefined, v1, saas), v1, v2, saas);
    expect(agg.offers).to.deep.equal({ saas: { '2020-03-02': { cents: 25_000, seats: 0 } } });
    expect(agg.months).to.deep.equal({ saas: { '2020-03': { cents: 25_000, seats: 0 } } });
  });

  it('when a change is applied, then the input aggregates are not modified', () => {
    const before = applyTransactionChange(emptyAggregates(), undefined, tx({ id: 'a', billedUsd: 1 }), saas);
    const snapshot = structuredClone(before);
    applyTransactionChange(before, undefined, tx({ id: 'b', billedUsd: 2 }), saas);
    expect(before).to.deep.equal(snapshot);
  });

  it('when the transaction belongs to another offer than the one given, then it throws', () => {
    expect(() => applyTransactionChange(emptyAggregates(), undefined, tx({ offerId: 'teams' }), saas)).to.throw(/belongs to offer teams/);
  });

  it('when a change removes what was never added, then it throws instead of going negative', () => {
    expect(() => applyTransactionChange(emptyAggregates(), tx({ billedUsd: 5 }), undefined, saas)).to.throw(/out of step/);
  });

  it('when aggregates are serialised to JSON and parsed back, then the schema accepts them unchanged', () => {
    const agg = recomputeAggregates([tx({ billedUsd: 9.99, seats: 2 }), tx({ offerId: 'teams', billedUsd: 1 })], OFFERS);
    expect(SalesAggregates.parse(JSON.parse(JSON.stringify(agg)))).to.deep.equal(agg);
  });

  type Op =
    | { kind: 'insert'; offerId: string; date: string; usd: number; seats: number; status: TransactionStatus }
    | { kind: 'update'; pick: number; usd: number; seats: number; date: string }
    | { kind: 'status'; pick: number; status: TransactionStatus }
    | { kind: 'delete'; pick: number };

  const date = fc.integer({ min: 0, max: 120 }).map((d) => new Date(Date.UTC(2020, 1, 1) + d * 86_400_000).toISOString().slice(0, 10));
  const usd = fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100);
  const status = fc.constantFrom(...TransactionStatus.options);
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ kind: fc.constant('insert' as const), offerId: fc.constantFrom('saas', 'teams'), date, usd, seats: fc.nat(50), status }),
    fc.record({ kind: fc.constant('update' as const), pick: fc.nat(), usd, seats: fc.nat(50), date }),
    fc.record({ kind: fc.constant('status' as const), pick: fc.nat(), status }),
    fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  );

  it('when any sequence of inserts, updates, status changes and deletes is applied, then incremental equals a full recompute', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), fc.boolean(), (ops, batched) => {
        const ledger = new Map<string, Transaction>();
        let agg = emptyAggregates();
        const changes: { before: Transaction | undefined; after: Transaction | undefined; offer: typeof saas }[] = [];
        let n = 0;
        for (const o of ops) {
          const ids = [...ledger.keys()];
          let before: Transaction | undefined;
          let after: Transaction | undefined;
          if (o.kind === 'insert') {
            after = { id: `x${n++}`, offerId: o.offerId, date: o.date, billedUsd: o.usd, seats: o.seats, status: o.status };
          } else {
            if (ids.length === 0) continue;
            before = ledger.get(ids[o.pick % ids.length] as string) as Transaction;
            if (o.kind === 'update') after = { ...before, billedUsd: o.usd, seats: o.seats, date: o.date };
            if (o.kind === 'status') after = { ...before, status: o.status };
          }
          const id = (after ?? before)?.id as string;
          if (after) ledger.set(id, after);
          else ledger.delete(id);
          const change = { before, after, offer: byId((after ?? before)?.offerId as string) };
          if (batched) changes.push(change);
          else agg = applyTransactionChange(agg, change.before, change.after, change.offer);
        }
        if (batched) agg = applyTransactionChanges(agg, changes);
        expect(agg).to.deep.equal(recomputeAggregates(ledger.values(), OFFERS));
      }),
      { numRuns: 300 },
    );
  });
});

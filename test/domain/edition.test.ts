import { expect } from 'chai';
import { parseEdition, type Edition } from '../../src/domain/program/index.js';
import { E2020, FY24 } from './fixtures.js';

function mutated(change: (e: Record<string, unknown> & Edition) => void): unknown {
  const copy = structuredClone(E2020) as Record<string, unknown> & Edition;
  change(copy);
  return copy;
}

describe('program editions', () => {
  it('when the shipped edition files are parsed, then both are valid and have tiers 0 to 8', () => {
    for (const e of [E2020, FY24]) expect(e.tiers.map((t) => t.tier)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('when the 2020 edition is read, then its note says the thresholds reuse the FY24 public table', () => {
    expect(E2020.note).to.match(/reuses the fiscal-year-2024 public table/);
  });

  const differences: [string, (e: Edition) => unknown, unknown, unknown][] = [
    ['engagement window (months)', (e) => e.engagementMonths, 3, 6],
    ['no-contact nudge (days)', (e) => e.noContactNudgeDays, 28, 21],
    ['activation contact promise (days)', (e) => e.activationContactDays, 7, 7],
    ['sales window', (e) => e.salesWindow, 'cumulative', 'trailing_12_months'],
    ['seat deadline', (e) => e.seats?.benefitsCompleteBy ?? null, '2021-06-30', null],
    ['Teams app MAU counts', (e) => e.mau, false, true],
    ['categories', (e) => e.categories, ['marketing', 'sales', 'technical'], ['marketing', 'sales']],
    ['tier 2 seats', (e) => e.tiers[2]?.seats, 250, undefined],
    ['tier 2 MAU', (e) => e.tiers[2]?.mau, undefined, 250],
    ['tier 8 billed sales', (e) => e.tiers[8]?.billedSalesUsd, 5_000_000, 5_000_000],
    ['technical benefit present', (e) => e.benefits.some((b) => b.category === 'technical'), true, false],
    ['ISV program name', (e) => e.isvConnectProgram, 'ISV Connect', 'ISV Success for Business Applications'],
  ];
  for (const [what, pick, in2020, inFy24] of differences) {
    it(`when comparing editions on ${what}, then 2020 has ${JSON.stringify(in2020)} and FY24 ${JSON.stringify(inFy24)}`, () => {
      expect(pick(E2020)).to.deep.equal(in2020);
      expect(pick(FY24)).to.deep.equal(inFy24);
    });
  }

  it('when reading the FY24 sponsorship amounts, then they match the public table', () => {
    const deployment = FY24.benefits.find((b) => b.id === 'azure-sponsorship-deployment');
    const testDrive = FY24.benefits.find((b) => b.id === 'azure-sponsorship-test-drive');
    expect(deployment?.sponsorshipUsd).to.deep.equal({
      1: 2000, 2: 2000, 3: 15000, 4: 30000, 5: 60000, 6: 100000, 7: 125000, 8: 300000,
    });
    expect(testDrive?.sponsorshipUsd).to.deep.equal({ 3: 5000, 4: 5000, 5: 40000, 6: 50000, 7: 75000, 8: 100000 });
  });

  const invalid: [string, unknown, RegExp][] = [
    ['tiers out of order', mutated((e) => e.tiers.reverse()), /expected tier 0/],
    ['a threshold on tier 0', mutated((e) => { (e.tiers[0] as { billedSalesUsd?: number }).billedSalesUsd = 1; }), /tier 0 needs only a live offer/],
    ['a threshold lower than the previous tier', mutated((e) => { (e.tiers[3] as { billedSalesUsd?: number }).billedSalesUsd = 100; }), /higher than the previous/],
    ['a tier without thresholds', mutated((e) => { e.tiers[4] = { tier: 4, name: 'x' }; }), /at least one threshold/],
    ['MAU thresholds in an edition without MAU', mutated((e) => { (e.tiers[2] as { mau?: number }).mau = 1; }), /MAU does not count/],
    ['seat thresholds in an edition without seats', mutated((e) => { e.seats = null; }), /seats do not count/],
    ['a duplicate benefit id', mutated((e) => { e.benefits.push({ ...(e.benefits[0] as Edition['benefits'][number]) }); }), /duplicate benefit id/],
    ['a category not in the edition', mutated((e) => { e.categories = ['marketing', 'sales']; }), /category "technical"/],
    ['a benefit unlocked by a missing tier', mutated((e) => { (e.benefits[0] as { fromTier: number }).fromTier = 9; }), /no tier 9/],
    ['sponsorship below the unlocking tier', mutated((e) => { const b = e.benefits.find((x) => x.id === 'azure-sponsorship-test-drive'); if (b) b.sponsorshipUsd['1'] = 10; }), /sponsorship tiers/],
    ['an unknown restriction mark', mutated((e) => { (e.benefits[0] as { marks: string[] }).marks = ['X']; }), /marks/],
    ['a bad seat deadline', mutated((e) => { e.seats = { benefitsCompleteBy: '30/06/2021' }; }), /seats\.benefitsCompleteBy/],
  ];
  for (const [what, json, message] of invalid) {
    it(`when an edition has ${what}, then parsing fails naming the problem`, () => {
      expect(() => parseEdition(json)).to.throw(message);
    });
  }
});

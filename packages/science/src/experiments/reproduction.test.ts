import { describe, expect, it } from 'vitest';
import { CHECK_SUBSET_CONFIGS } from './grids';
import { describeConfig, findRun, reproductionMismatches } from './reproduction';
import type { DecayRunResult } from './train-decay-arm';

const run = (index: number, testStale: number, loss: number[]): DecayRunResult => ({
  config: CHECK_SUBSET_CONFIGS[index],
  testAccuracy: { stale: testStale, recalibrated: 0.97 },
  trainAccuracy: { stale: 0.95, recalibrated: 0.98 },
  steps: [0, 20],
  loss,
  roles: { 'bn-fed-weight': { weightNorm: [4, 4.5], effectiveLr: [0.01, 0.009], angularStep: [0.02, 0.03] } },
  seconds: 10
});

describe('reproductionMismatches', () => {
  const committed = [run(0, 0.92, [2.3, 0.5]), run(1, 0.96, [2.3, 0.4])];

  it('accepts an identical re-run and one within rtol', () => {
    expect(reproductionMismatches(committed, [run(1, 0.96, [2.3, 0.4])], 0)).toEqual([]);
    expect(reproductionMismatches(committed, [run(0, 0.92 * (1 + 1e-7), [2.3, 0.5])], 1e-6)).toEqual([]);
  });

  it('names every number that drifted, a missing run and a trace of another length', () => {
    const drifted = reproductionMismatches(committed, [run(0, 0.93, [2.3, 0.51])], 1e-6);
    expect(drifted.map((m) => m.field)).toEqual(['testAccuracy.stale', 'loss[1]']);
    expect(drifted[0]).toMatchObject({ run: describeConfig(CHECK_SUBSET_CONFIGS[0]), expected: 0.92, actual: 0.93 });
    expect(reproductionMismatches(committed, [run(2, 0.9, [1])], 1e-6)[0].field).toMatch(/not in the committed file/);
    const shorter = reproductionMismatches(committed, [run(1, 0.96, [2.3])], 1e-6)[0];
    expect(shorter).toMatchObject({ field: 'loss.length', expected: 2, actual: 1 });
    expect(() => reproductionMismatches(committed, [], -1)).toThrow('rtol must be ≥ 0, got -1');
  });

  it('findRun matches every field of the configuration', () => {
    expect(findRun(committed, CHECK_SUBSET_CONFIGS[1])).toBe(committed[1]);
    expect(findRun(committed, { ...CHECK_SUBSET_CONFIGS[1], seed: 2 })).toBeUndefined();
    const reordered = Object.fromEntries(
      Object.entries(CHECK_SUBSET_CONFIGS[1]).reverse()
    ) as (typeof CHECK_SUBSET_CONFIGS)[1];
    expect(findRun(committed, reordered)).toBe(committed[1]);
  });
});

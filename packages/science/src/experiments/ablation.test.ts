import { describe, expect, it } from 'vitest';
import { compactResults, expandGrid, selectRuns, type AblationGrid } from './ablation';
import type { DecayRunResult } from './train-decay-arm';

const grid: AblationGrid = {
  arms: ['decay-all', 'no-decay'],
  optimizers: [
    { setting: { kind: 'sgd', lr: 0.05 }, weightDecays: [1e-3, 1e-2] },
    { setting: { kind: 'adamw', lr: 3e-3 }, weightDecays: [0.1] }
  ],
  schedules: ['constant', 'cosine'],
  seeds: [1, 2, 3],
  epochs: 2,
  batchSize: 8,
  channels: [4],
  recordEvery: 5
};

/** A run result of configuration `index` (traces for the compaction test). */
function fakeRun(index: number, testAccuracy: number): DecayRunResult {
  const config = expandGrid(grid)[index];
  const trace = { weightNorm: [1.23456789, 2], effectiveLr: [0.1, 0.05], angularStep: [0.01, 0.02] };
  return {
    config,
    testAccuracy: { stale: testAccuracy - 0.1, recalibrated: testAccuracy },
    trainAccuracy: { stale: 0.9, recalibrated: 1 },
    steps: [0, 5],
    loss: [2.302585, 0.123456789],
    roles: { 'bn-fed-weight': trace, 'norm-affine': trace },
    seconds: 1.23456
  };
}

describe('ablation grid', () => {
  it('runs "no decay at all" once per optimizer × schedule × seed (λ = 0), the other arms per λ', () => {
    const configs = expandGrid(grid);
    // sgd: 2 schedules × 3 seeds × (1 + 2 λ); adamw: 2 × 3 × (1 + 1)
    expect(configs).toHaveLength(2 * 3 * 3 + 2 * 3 * 2);
    expect(configs.slice(0, 4).map((c) => [c.optimizer.kind, c.schedule, c.seed, c.weightDecay, c.arm])).toEqual([
      ['sgd', 'constant', 1, 0, 'no-decay'],
      ['sgd', 'constant', 1, 1e-3, 'decay-all'],
      ['sgd', 'constant', 1, 1e-2, 'decay-all'],
      ['sgd', 'constant', 2, 0, 'no-decay']
    ]);
    expect(configs.filter((c) => c.arm === 'no-decay').every((c) => c.weightDecay === 0)).toBe(true);
    expect(configs[configs.length - 1]).toMatchObject({
      arm: 'decay-all',
      weightDecay: 0.1,
      schedule: 'cosine',
      seed: 3,
      channels: [4]
    });
  });

  it('names what is wrong with a grid', () => {
    expect(() => expandGrid({ ...grid, arms: [] })).toThrow('ablation grid: arms is empty');
    expect(() => expandGrid({ ...grid, arms: ['decay-all', 'decay-half' as never] })).toThrow(
      "unknown arm 'decay-half'"
    );
    expect(() => expandGrid({ ...grid, seeds: [] })).toThrow('ablation grid: seeds is empty');
    expect(() => expandGrid({ ...grid, schedules: ['step' as never] })).toThrow("unknown schedule 'step'");
    expect(() => expandGrid({ ...grid, optimizers: [{ setting: { kind: 'sgd', lr: 1 }, weightDecays: [] }] })).toThrow(
      'optimizers[0] (sgd) has no weightDecays'
    );
    expect(() => expandGrid({ ...grid, optimizers: [{ setting: { kind: 'sgd', lr: 1 }, weightDecays: [0] }] })).toThrow(
      'λ must be finite and > 0, got 0'
    );
  });

  it('selectRuns filters by every given field', () => {
    const runs = expandGrid(grid).map((_, i) => fakeRun(i, 0.9));
    expect(selectRuns(runs, { arm: 'no-decay', optimizer: 'sgd' })).toHaveLength(6);
    expect(
      selectRuns(runs, { arm: 'decay-all', optimizer: 'sgd', schedule: 'cosine', weightDecay: 1e-2 })
    ).toHaveLength(3);
  });

  it('compactResults rounds numbers, keeps BN-fed traces of every run and the rest for one seed', () => {
    const runs = [fakeRun(0, 0.912345678), fakeRun(3, 0.9)]; // seeds 1 and 2
    const compact = compactResults({ grid, runs, backend: 'wasm', seconds: 12.3456789 }, 1, 3);
    expect(compact.runs[0].testAccuracy).toEqual({ stale: 0.812, recalibrated: 0.912 });
    expect(compact.runs[0].roles['norm-affine']!.weightNorm).toEqual([1.23, 2]);
    expect(compact.runs[0].loss).toEqual([2.3, 0.123]);
    expect(Object.keys(compact.runs[1].roles)).toEqual(['bn-fed-weight']);
    expect(compact.runs[1].roles['bn-fed-weight']!.weightNorm).toEqual([1.23, 2]);
    expect(compact.runs[1].loss).toEqual([]);
    expect(compact.seconds).toBe(12.3);
    expect(runs[0].testAccuracy.recalibrated).toBe(0.912345678); // the input is left alone
  });
});

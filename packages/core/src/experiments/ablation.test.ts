import { describe, expect, it } from 'vitest';
import { compactResults, expandGrid, selectRuns, summarizeAccuracy, type AblationGrid } from './ablation';
import type { DecayRunResult } from './train-decay-arm';

const grid: AblationGrid = {
  arms: ['decay-all', 'no-decay'],
  optimizers: [
    { setting: { kind: 'sgd', lr: 0.05 }, weightDecays: [1e-3, 1e-2] },
    { setting: { kind: 'adamw', lr: 3e-3 }, weightDecays: [0.1] }
  ],
  seeds: [1, 2, 3],
  epochs: 2,
  batchSize: 8,
  channels: [4],
  recordEvery: 5
};

/** A run result with the given accuracy (traces for the compaction test). */
function fakeRun(index: number, testAccuracy: number): DecayRunResult {
  const config = expandGrid(grid)[index];
  return {
    config,
    testAccuracy,
    trainAccuracy: 1,
    steps: [0, 5],
    loss: [2.302585, 0.123456789],
    roles: { 'bn-fed-weight': { weightNorm: [1.23456789, 2], effectiveLr: [0.1, 0.05], angularStep: [0.01, 0.02] } },
    seconds: 1.23456
  };
}

describe('ablation grid', () => {
  it('expands arms × λ × seeds per optimizer, arms of one seed side by side', () => {
    const configs = expandGrid(grid);
    expect(configs).toHaveLength(2 * 2 * 3 + 2 * 1 * 3);
    expect(configs.slice(0, 3).map((c) => [c.optimizer.kind, c.weightDecay, c.seed, c.arm])).toEqual([
      ['sgd', 1e-3, 1, 'decay-all'],
      ['sgd', 1e-3, 1, 'no-decay'],
      ['sgd', 1e-3, 2, 'decay-all']
    ]);
    expect(configs[configs.length - 1]).toMatchObject({ arm: 'no-decay', weightDecay: 0.1, seed: 3, epochs: 2, batchSize: 8, channels: [4] });
  });

  it('names what is wrong with a grid', () => {
    expect(() => expandGrid({ ...grid, arms: [] })).toThrow('ablation grid: arms is empty');
    expect(() => expandGrid({ ...grid, arms: ['decay-all', 'decay-half' as never] })).toThrow("unknown arm 'decay-half'");
    expect(() => expandGrid({ ...grid, seeds: [] })).toThrow('ablation grid: seeds is empty');
    expect(() => expandGrid({ ...grid, optimizers: [{ setting: { kind: 'sgd', lr: 1 }, weightDecays: [] }] })).toThrow('optimizers[0] (sgd) has no weightDecays');
  });

  it('summarizes accuracy per optimizer × λ × arm and pooled over λ', () => {
    const accuracies = [0.9, 0.8, 0.92, 0.82, 0.94, 0.84];
    const runs = accuracies.map((a, i) => fakeRun(i, a));
    runs.push(fakeRun(6, 0.5)); // sgd, λ = 1e-2, seed 1, decay-all
    const rows = summarizeAccuracy(runs);
    const cell = rows.find((r) => r.optimizer === 'sgd' && r.weightDecay === 1e-3 && r.arm === 'decay-all')!;
    expect(cell.runs).toBe(3);
    expect(cell.mean).toBeCloseTo(0.92, 12);
    expect(cell.std).toBeCloseTo(0.02, 12); // sample standard deviation of 0.90, 0.92, 0.94
    expect([cell.min, cell.max]).toEqual([0.9, 0.94]);
    const single = rows.find((r) => r.weightDecay === 1e-2 && r.arm === 'decay-all')!;
    expect([single.runs, single.std]).toEqual([1, 0]);
    const pooled = rows.find((r) => r.optimizer === 'sgd' && r.weightDecay === null && r.arm === 'decay-all')!;
    expect(pooled.runs).toBe(4);
    expect(pooled.mean).toBeCloseTo((0.9 + 0.92 + 0.94 + 0.5) / 4, 12);
    expect(selectRuns(runs, { arm: 'no-decay', optimizer: 'sgd' })).toHaveLength(3);
    expect(() => summarizeAccuracy([])).toThrow('summarizeAccuracy: no runs');
  });

  it('compactResults rounds numbers and keeps traces of one seed only', () => {
    const runs = [fakeRun(0, 0.912345678), fakeRun(2, 0.9)]; // seeds 1 and 2
    const compact = compactResults({ grid, runs, backend: 'wasm', seconds: 12.3456789 }, 1, 3);
    expect(compact.runs[0].testAccuracy).toBe(0.912);
    expect(compact.runs[0].roles['bn-fed-weight']!.weightNorm).toEqual([1.23, 2]);
    expect(compact.runs[0].loss).toEqual([2.3, 0.123]);
    expect(compact.runs[1].roles).toEqual({});
    expect(compact.runs[1].steps).toEqual([]);
    expect(compact.seconds).toBe(12.3);
    expect(runs[0].testAccuracy).toBe(0.912345678); // the input is left alone
  });
});

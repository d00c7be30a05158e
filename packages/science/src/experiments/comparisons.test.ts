import { describe, expect, it } from 'vitest';
import { expandGrid, type AblationGrid } from './ablation';
import { cellRuns, compareArms, compareOptimizers, gridCells, pairBySeed, summarizeArms } from './comparisons';
import { pairedComparison } from './paired-stats';
import type { DecayRunConfig, DecayRunResult } from './train-decay-arm';

const grid: AblationGrid = {
  arms: ['decay-all', 'no-decay-norm-bias', 'no-decay'],
  optimizers: [
    { setting: { kind: 'adamw', lr: 3e-3 }, weightDecays: [0.2, 0.8] },
    { setting: { kind: 'adam-l2', lr: 3e-3 }, weightDecays: [2e-3, 1e-2] }
  ],
  schedules: ['constant'],
  seeds: [1, 2, 3, 4],
  epochs: 1,
  batchSize: 8,
  channels: [4],
  recordEvery: 5
};

/** A seed effect shared by every arm, plus a known arm and optimizer effect. */
function accuracyOf(config: DecayRunConfig): number {
  const seedEffect = [0, 0.8, 0.9, 0.85, 0.95][config.seed];
  const armEffect = { 'decay-all': 0, 'no-decay-norm-bias': 0.01, 'no-decay': 0.02 }[config.arm as string] ?? 0;
  const noise = config.seed % 2 ? 0.002 : -0.002;
  // odd seeds only
  const coupledPenalty = config.optimizer.kind === 'adam-l2' ? 8 * config.weightDecay * (config.seed % 2) : 0;
  return seedEffect + armEffect + noise * (config.arm === 'decay-all' ? 1 : -1) - coupledPenalty;
}

const runs: DecayRunResult[] = expandGrid(grid).map((config) => ({
  config,
  testAccuracy: { stale: accuracyOf(config) - 0.05, recalibrated: accuracyOf(config) },
  trainAccuracy: { stale: 0.9, recalibrated: 1 },
  steps: [],
  loss: [],
  roles: {},
  seconds: 1
}));

describe('grid cells', () => {
  it('lists optimizer × schedule × λ > 0 in order; "no decay at all" belongs to every λ', () => {
    expect(gridCells(runs).map((c) => `${c.optimizer} ${c.weightDecay}`)).toEqual([
      'adamw 0.2',
      'adamw 0.8',
      'adam-l2 0.002',
      'adam-l2 0.01'
    ]);
    const cell = gridCells(runs)[1];
    expect(cellRuns(runs, cell, 'no-decay').map((r) => r.config.weightDecay)).toEqual([0, 0, 0, 0]);
    expect(cellRuns(runs, cell, 'decay-all').every((r) => r.config.weightDecay === 0.8)).toBe(true);
  });

  it('pairBySeed pairs by seed and refuses a seed twice', () => {
    const cell = gridCells(runs)[0];
    const a = cellRuns(runs, cell, 'decay-all');
    const paired = pairBySeed(a.slice(1), [...cellRuns(runs, cell, 'no-decay')].reverse(), 'testStale');
    expect(paired.seeds).toEqual([2, 3, 4]);
    expect(paired.b[0]).toBeCloseTo(accuracyOf(cellRuns(runs, cell, 'no-decay')[1].config) - 0.05, 12);
    expect(() => pairBySeed([a[0], a[0]], a, 'testStale')).toThrow('seed 1 appears twice in a');
  });
});

describe('compareArms', () => {
  it('pairs every arm with decay everything per cell, recovers the arm effect, adjusts with Holm', () => {
    const rows = compareArms(runs, { metric: 'testRecalibrated' });
    expect(rows).toHaveLength(4 * 2);
    const row = rows.find((r) => r.optimizer === 'adamw' && r.weightDecay === 0.2 && r.arm === 'no-decay-norm-bias')!;
    expect(row.comparison.n).toBe(4);
    expect(row.comparison.meanDifference).toBeCloseTo(0.01, 12);
    const cell = gridCells(runs)[0];
    const expected = pairedComparison(
      cellRuns(runs, cell, 'no-decay-norm-bias').map((r) => r.testAccuracy.recalibrated),
      cellRuns(runs, cell, 'decay-all').map((r) => r.testAccuracy.recalibrated)
    );
    expect(row.comparison).toEqual(expected);
    expect(rows.every((r) => r.holmP >= r.comparison.p)).toBe(true);
  });
});

describe('summarizeArms', () => {
  it('means and spreads per cell × arm, without pooling over λ', () => {
    const rows = summarizeArms(runs);
    expect(rows).toHaveLength(4 * 3);
    const row = rows.find((r) => r.optimizer === 'adamw' && r.weightDecay === 0.8 && r.arm === 'no-decay')!;
    expect(row.n).toBe(4);
    expect(row.mean.testRecalibrated - row.mean.testStale).toBeCloseTo(0.05, 12);
    expect(row.std.trainRecalibrated).toBe(0);
    expect(() => summarizeArms([])).toThrow('summarizeArms: no runs');
  });
});

describe('compareOptimizers', () => {
  it('AdamW against Adam + L2 per arm that decays, the i-th λ of one with the i-th of the other', () => {
    const rows = compareOptimizers(runs, { a: 'adamw', b: 'adam-l2', metric: 'testRecalibrated' });
    expect(rows.map((r) => `${r.weightDecayA}/${r.weightDecayB} ${r.arm}`)).toEqual([
      '0.2/0.002 decay-all',
      '0.2/0.002 no-decay-norm-bias',
      '0.8/0.01 decay-all',
      '0.8/0.01 no-decay-norm-bias'
    ]);
    const strong = rows[2];
    expect(strong.comparison.meanDifference).toBeCloseTo(8 * 0.01 * 0.5, 12);
    expect(strong.spread.sdA).toBeLessThan(strong.spread.sdB);
    const unbalanced = runs.filter((r) => !(r.config.optimizer.kind === 'adam-l2' && r.config.weightDecay === 0.01));
    expect(() => compareOptimizers(unbalanced, { a: 'adamw', b: 'adam-l2', metric: 'testStale' })).toThrow(
      'adamw has 2 λ values at constant, adam-l2 has 1'
    );
  });
});

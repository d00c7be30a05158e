/**
 * The ablation's statistics (derivation rows D13, D18): each cell of the grid (optimizer ×
 * schedule × λ) on its own, every arm compared with a baseline arm by a paired t over seeds (the
 * seeds share initialisation and batch order across arms), and AdamW against Adam + L2 arm by arm.
 * Nothing is pooled over λ, and the λ-free "no decay at all" runs enter each λ's comparison once.
 */
import { DECAY_ARMS, type DecayArm } from './decay-arms';
import {
  holmAdjust,
  pairedComparison,
  pairedVarianceComparison,
  sampleStd,
  type PairedComparison,
  type PairedVarianceComparison
} from './paired-stats';
import { selectRuns } from './ablation';
import {
  LR_SCHEDULES,
  OPTIMIZER_KINDS,
  type DecayRunResult,
  type LrSchedule,
  type OptimizerKind
} from './train-decay-arm';
import { ScienceError } from '../errors';

/** Which accuracy of a run: test or train, with stale or recalibrated BN statistics. */
export type AccuracyMetric = 'testRecalibrated' | 'testStale' | 'trainRecalibrated' | 'trainStale';

/** Human labels of the metrics. */
export const ACCURACY_METRIC_LABELS: Readonly<Record<AccuracyMetric, string>> = {
  testRecalibrated: 'test accuracy, recalibrated BN statistics',
  testStale: 'test accuracy, stale BN statistics',
  trainRecalibrated: 'train accuracy, recalibrated BN statistics',
  trainStale: 'train accuracy, stale BN statistics'
};

/** The value of `metric` for one run. */
export function runAccuracy(run: DecayRunResult, metric: AccuracyMetric): number {
  switch (metric) {
    case 'testRecalibrated':
      return run.testAccuracy.recalibrated;
    case 'testStale':
      return run.testAccuracy.stale;
    case 'trainRecalibrated':
      return run.trainAccuracy.recalibrated;
    case 'trainStale':
      return run.trainAccuracy.stale;
    default:
      throw new ScienceError(`runAccuracy: unknown metric '${metric as string}'`);
  }
}

/** One cell of the grid: the runs of an optimizer at one schedule and one λ > 0. */
export interface GridCell {
  optimizer: OptimizerKind;
  schedule: LrSchedule;
  weightDecay: number;
}

/** The cells present in `runs`, ordered by optimizer, schedule, λ. */
export function gridCells(runs: readonly DecayRunResult[]): GridCell[] {
  const cells = new Map<string, GridCell>();
  for (const { config } of runs) {
    if (config.weightDecay === 0) continue;
    const cell = { optimizer: config.optimizer.kind, schedule: config.schedule, weightDecay: config.weightDecay };
    cells.set(`${cell.optimizer}|${cell.schedule}|${cell.weightDecay}`, cell);
  }
  const rank = (c: GridCell) => [OPTIMIZER_KINDS.indexOf(c.optimizer), LR_SCHEDULES.indexOf(c.schedule), c.weightDecay];
  return [...cells.values()].sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    return ra[0] - rb[0] || ra[1] - rb[1] || ra[2] - rb[2];
  });
}

/** The runs of `arm` in `cell` ("no decay at all" has λ = 0 and belongs to every λ of its optimizer and schedule). */
export function cellRuns(runs: readonly DecayRunResult[], cell: GridCell, arm: DecayArm): DecayRunResult[] {
  const weightDecay = arm === 'no-decay' ? 0 : cell.weightDecay;
  return selectRuns(runs, { optimizer: cell.optimizer, schedule: cell.schedule, weightDecay, arm });
}

/** Values of `metric` of two sets of runs, paired by seed (seeds present in both, ascending). */
export function pairBySeed(
  a: readonly DecayRunResult[],
  b: readonly DecayRunResult[],
  metric: AccuracyMetric
): { seeds: number[]; a: number[]; b: number[] } {
  const bySeed = (runs: readonly DecayRunResult[], side: string) => {
    const map = new Map<number, DecayRunResult>();
    for (const run of runs) {
      const seed = run.config.seed;
      if (map.has(seed)) throw new ScienceError(`pairBySeed: seed ${seed} appears twice in ${side}`);
      map.set(seed, run);
    }
    return map;
  };
  const [left, right] = [bySeed(a, 'a'), bySeed(b, 'b')];
  const seeds = [...left.keys()].filter((seed) => right.has(seed)).sort((x, y) => x - y);
  const values = (side: Map<number, DecayRunResult>) => seeds.map((s) => runAccuracy(side.get(s)!, metric));
  return { seeds, a: values(left), b: values(right) };
}

/** Mean and sample std of one arm's metric across seeds in one cell. */
export interface ArmSummary extends GridCell {
  arm: DecayArm;
  n: number;
  mean: Record<AccuracyMetric, number>;
  std: Record<AccuracyMetric, number>;
}

const METRICS: readonly AccuracyMetric[] = ['testRecalibrated', 'testStale', 'trainRecalibrated', 'trainStale'];

/** Mean ± sample std over seeds of every metric, per cell × arm present in `runs`. */
export function summarizeArms(runs: readonly DecayRunResult[]): ArmSummary[] {
  if (runs.length === 0) throw new ScienceError('summarizeArms: no runs');
  const rows: ArmSummary[] = [];
  for (const cell of gridCells(runs)) {
    for (const arm of DECAY_ARMS) {
      const chosen = cellRuns(runs, cell, arm);
      if (chosen.length === 0) continue;
      const stat = (f: (values: number[]) => number) =>
        Object.fromEntries(METRICS.map((m) => [m, f(chosen.map((r) => runAccuracy(r, m)))])) as Record<
          AccuracyMetric,
          number
        >;
      rows.push({
        ...cell,
        arm,
        n: chosen.length,
        mean: stat((v) => v.reduce((x, y) => x + y, 0) / v.length),
        std: stat((v) => (v.length > 1 ? sampleStd(v) : 0))
      });
    }
  }
  return rows;
}

/** A paired comparison of one arm against the baseline arm in one cell. */
export interface ArmComparison extends GridCell {
  arm: DecayArm;
  baseline: DecayArm;
  metric: AccuracyMetric;
  /** arm − baseline, paired by seed. */
  comparison: PairedComparison;
  /** Holm-adjusted p-value over every comparison returned by the same call. */
  holmP: number;
}

/**
 * Every arm against `baseline` (default "decay everything") in every cell, paired over seeds, for
 * `metric`. Cells with fewer than 2 paired seeds are left out. Holm's adjustment runs over all the
 * comparisons returned.
 */
export function compareArms(
  runs: readonly DecayRunResult[],
  options: { metric: AccuracyMetric; baseline?: DecayArm; confidence?: number }
): ArmComparison[] {
  const baseline = options.baseline ?? 'decay-all';
  const rows: Omit<ArmComparison, 'holmP'>[] = [];
  for (const cell of gridCells(runs)) {
    const base = cellRuns(runs, cell, baseline);
    for (const arm of DECAY_ARMS) {
      if (arm === baseline) continue;
      const paired = pairBySeed(cellRuns(runs, cell, arm), base, options.metric);
      if (paired.seeds.length < 2) continue;
      const comparison = pairedComparison(paired.a, paired.b, options.confidence);
      rows.push({ ...cell, arm, baseline, metric: options.metric, comparison });
    }
  }
  const adjusted = holmAdjust(rows.map((r) => r.comparison.p));
  return rows.map((row, i) => ({ ...row, holmP: adjusted[i] }));
}

/** One arm of one schedule: optimizer `a` at λ_a against optimizer `b` at λ_b, same seeds. */
export interface OptimizerComparison {
  a: OptimizerKind;
  b: OptimizerKind;
  schedule: LrSchedule;
  weightDecayA: number;
  weightDecayB: number;
  arm: DecayArm;
  metric: AccuracyMetric;
  /** a − b, paired by seed. */
  comparison: PairedComparison;
  /** Seed-to-seed spreads of a and b and the Pitman–Morgan test of their equality. */
  spread: PairedVarianceComparison;
}

/**
 * Optimizer `a` against optimizer `b` (D18: AdamW against Adam + L2) for every arm that decays
 * something, per schedule, paired over seeds (same initialisation and batch order): the accuracy
 * difference and whether the seed-to-seed spread differs. λ means different things to the two
 * (AdamW shrinks W by ηλ, Adam + L2 adds λW to the gradient), so the i-th smallest λ of `a` is
 * paired with the i-th smallest λ of `b`; both must have been run at as many λ values.
 */
export function compareOptimizers(
  runs: readonly DecayRunResult[],
  options: { a: OptimizerKind; b: OptimizerKind; metric: AccuracyMetric }
): OptimizerComparison[] {
  const { a, b, metric } = options;
  const cells = gridCells(runs);
  const rows: OptimizerComparison[] = [];
  for (const schedule of LR_SCHEDULES) {
    const [cellsA, cellsB] = [a, b].map((kind) => cells.filter((c) => c.optimizer === kind && c.schedule === schedule));
    if (cellsA.length !== cellsB.length) {
      throw new ScienceError(
        `compareOptimizers: ${a} has ${cellsA.length} λ values at ${schedule}, ${b} has ${cellsB.length}`
      );
    }
    cellsA.forEach((cellA, i) => {
      for (const arm of DECAY_ARMS) {
        if (arm === 'no-decay') continue;
        const paired = pairBySeed(cellRuns(runs, cellA, arm), cellRuns(runs, cellsB[i], arm), metric);
        if (paired.seeds.length < 3) continue;
        rows.push({
          a,
          b,
          schedule,
          weightDecayA: cellA.weightDecay,
          weightDecayB: cellsB[i].weightDecay,
          arm,
          metric,
          comparison: pairedComparison(paired.a, paired.b),
          spread: pairedVarianceComparison(paired.a, paired.b)
        });
      }
    });
  }
  return rows;
}

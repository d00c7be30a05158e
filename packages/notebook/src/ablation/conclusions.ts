/**
 * The ablation's conclusions in words, built from the statistics (never fixed strings): each
 * paired comparison is classified by its interval against stated thresholds, and the tables and
 * verdicts are made of those classes and the numbers behind them.
 */
import {
  DECAY_ARM_LABELS,
  type ArmComparison,
  type ArmSummary,
  type DecayArm,
  type PairedComparison
} from '@paramscope/science';
import { cellLabel } from './figures';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from '../errors';

/** What an interval says about a difference. */
export type DifferenceClass = 'higher' | 'lower' | 'equivalent' | 'inconclusive';

/**
 * Classifies a paired difference: `higher`/`lower` when the interval excludes 0; `equivalent` when
 * it includes 0 and lies within ±`margin` (differences this small do not matter here); otherwise
 * `inconclusive` (the interval is too wide to tell).
 */
export function classifyDifference(comparison: PairedComparison, margin: number): DifferenceClass {
  if (!(margin > 0)) throw new NotebookError(`classifyDifference: margin must be > 0, got ${describeValue(margin)}`);
  const [lo, hi] = comparison.ci;
  if (lo > 0) return 'higher';
  if (hi < 0) return 'lower';
  return lo >= -margin && hi <= margin ? 'equivalent' : 'inconclusive';
}

const pp = (value: number, digits = 1) => `${value >= 0 ? '+' : '−'}${Math.abs(100 * value).toFixed(digits)}`;

/** "+1.2 pp [+0.4, +2.0], d_z 1.1" */
export function formatDifference(comparison: PairedComparison): string {
  const [lo, hi] = comparison.ci;
  return `${pp(comparison.meanDifference)} pp [${pp(lo)}, ${pp(hi)}], d_z ${comparison.effectSizeDz.toFixed(1)}`;
}

/** The thresholds the words rest on, stated once in every generated text. */
export function thresholdsText(confidence: number, margin: number): string {
  return (
    `"higher"/"lower": the paired ${Math.round(100 * confidence)}% t interval excludes 0; ` +
    `"equivalent": it contains 0 and lies within ±${(100 * margin).toFixed(1)} pp; otherwise "inconclusive"`
  );
}

/** Columns of {@link pairedTableRows}. */
export const PAIRED_TABLE_COLUMNS = [
  'optimizer, λ, schedule',
  'arm',
  'test % recalibrated (mean ± sd)',
  'test % stale (mean ± sd)',
  'Δ vs baseline, recalibrated',
  'Holm p',
  'class',
  'Δ vs baseline, stale',
  'class (stale)'
] as const;

/**
 * Rows of the D13 table: per cell × arm, accuracy with recalibrated and with stale statistics
 * (mean ± sample sd over seeds) and the paired difference from the baseline arm both ways.
 */
export function pairedTableRows(
  summaries: readonly ArmSummary[],
  recalibrated: readonly ArmComparison[],
  stale: readonly ArmComparison[],
  margin: number
): string[][] {
  const key = (c: { optimizer: string; schedule: string; weightDecay: number; arm: DecayArm }) =>
    `${c.optimizer}|${c.schedule}|${c.weightDecay}|${c.arm}`;
  const byKey = (rows: readonly ArmComparison[]) => new Map(rows.map((r) => [key(r), r]));
  const [recal, old] = [byKey(recalibrated), byKey(stale)];
  const meanSd = (mean: number, sd: number) => `${(100 * mean).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
  return summaries.map((s) => {
    const r = recal.get(key(s));
    const o = old.get(key(s));
    return [
      cellLabel(s),
      DECAY_ARM_LABELS[s.arm] + (s.arm === 'no-decay' ? ' (λ = 0)' : ''),
      meanSd(s.mean.testRecalibrated, s.std.testRecalibrated),
      meanSd(s.mean.testStale, s.std.testStale),
      r ? formatDifference(r.comparison) : 'baseline',
      r ? r.holmP.toPrecision(2) : '',
      r ? classifyDifference(r.comparison, margin) : '',
      o ? formatDifference(o.comparison) : 'baseline',
      o ? classifyDifference(o.comparison, margin) : ''
    ];
  });
}

/**
 * One sentence per arm: in how many cells it was higher, lower, equivalent or inconclusive against
 * the baseline, naming the cells where it differs, e.g. `no decay on γ, β and biases: equivalent in
 * 4 of 4 cells`.
 */
export function summarizeClasses(comparisons: readonly ArmComparison[], margin: number): string[] {
  const arms = [...new Set(comparisons.map((c) => c.arm))];
  return arms.map((arm) => {
    const mine = comparisons.filter((c) => c.arm === arm);
    const classes = mine.map((c) => ({ c, cls: classifyDifference(c.comparison, margin) }));
    const counts = (['higher', 'lower', 'equivalent', 'inconclusive'] as const)
      .map((cls) => [cls, classes.filter((x) => x.cls === cls)] as const)
      .filter(([, list]) => list.length > 0);
    const parts = counts.map(([cls, list]) => {
      const cells = list.map((x) => `${cellLabel(x.c)}: ${formatDifference(x.c.comparison)}`).join('; ');
      const where = cls === 'higher' || cls === 'lower' ? ` (${cells})` : '';
      return `${cls} in ${list.length} of ${mine.length} cells${where}`;
    });
    return `${DECAY_ARM_LABELS[arm]} vs ${DECAY_ARM_LABELS[mine[0].baseline]}: ${parts.join(', ')}`;
  });
}

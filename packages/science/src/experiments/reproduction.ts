/**
 * Checking re-runs against committed results: the same configuration on the same backend must
 * give the same numbers. Used by CI (`tools/ablation/check-subset.js`) so that committed ablation
 * numbers cannot silently go stale when the training code changes.
 */
import type { DecayRunConfig, DecayRunResult } from './train-decay-arm';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** A number of a re-run that differs from the committed one beyond the tolerance. */
export interface ReproductionMismatch {
  /** The run, in words. */
  run: string;
  /** What differs, e.g. `testAccuracy.stale` or `loss[3]`. */
  field: string;
  expected: number;
  actual: number;
}

/** A run's configuration in words (the key runs are matched by). */
export function describeConfig(config: DecayRunConfig): string {
  const { optimizer, schedule, weightDecay, seed, arm, epochs, channels } = config;
  return (
    `${optimizer.kind} ${schedule} λ=${weightDecay} seed ${seed} ${arm} ` +
    `(epochs ${epochs}, channels ${channels.join('/')})`
  );
}

/** JSON with object keys sorted, so configurations built in different field orders compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function sameConfig(a: DecayRunConfig, b: DecayRunConfig): boolean {
  return canonical(a) === canonical(b);
}

/** The committed runs whose configuration equals `config` exactly (every field). */
export function findRun(runs: readonly DecayRunResult[], config: DecayRunConfig): DecayRunResult | undefined {
  return runs.find((run) => sameConfig(run.config, config));
}

/**
 * Every number of `actual` (accuracies, loss and BN-fed weight traces) that differs from the run
 * of `expected` with the same configuration by more than `rtol` relative (|a − e| > rtol·|e|);
 * a run missing from `expected` or a trace of another length is a mismatch too.
 */
export function reproductionMismatches(
  expected: readonly DecayRunResult[],
  actual: readonly DecayRunResult[],
  rtol: number
): ReproductionMismatch[] {
  if (!(rtol >= 0)) throw new ScienceError(`reproductionMismatches: rtol must be ≥ 0, got ${describeValue(rtol)}`);
  const mismatches: ReproductionMismatch[] = [];
  for (const run of actual) {
    const name = describeConfig(run.config);
    const committed = findRun(expected, run.config);
    if (!committed) {
      mismatches.push({ run: name, field: 'the run itself (not in the committed file)', expected: NaN, actual: NaN });
      continue;
    }
    const compare = (field: string, e: number, a: number) => {
      if (!(Math.abs(a - e) <= rtol * Math.abs(e))) mismatches.push({ run: name, field, expected: e, actual: a });
    };
    const compareList = (field: string, e: readonly number[], a: readonly number[]) => {
      if (e.length !== a.length) {
        mismatches.push({ run: name, field: `${field}.length`, expected: e.length, actual: a.length });
      } else e.forEach((value, i) => compare(`${field}[${i}]`, value, a[i]));
    };
    for (const split of ['testAccuracy', 'trainAccuracy'] as const) {
      compare(`${split}.stale`, committed[split].stale, run[split].stale);
      compare(`${split}.recalibrated`, committed[split].recalibrated, run[split].recalibrated);
    }
    compareList('loss', committed.loss, run.loss);
    const [e, a] = [committed.roles['bn-fed-weight'], run.roles['bn-fed-weight']];
    if (e && a) {
      compareList('bn-fed-weight.weightNorm', e.weightNorm, a.weightNorm);
      compareList('bn-fed-weight.angularStep', e.angularStep, a.angularStep);
    }
  }
  return mismatches;
}

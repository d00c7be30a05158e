/**
 * Coupled (L2) against decoupled weight decay under Adam, on the weights that feed BN (derivation D18).
 *
 * `torch.optim.Adam` adds λw to the gradient before the moments, so the decay term is divided by
 * √v̂ + ε like the gradient: per element and step it shrinks w by about η·λ/(√v̂ + ε) (through m̂,
 * which averages λw over β₁'s window). `torch.optim.AdamW` multiplies w by 1 − ηλ: the same shrink
 * ηλ for every element at every step. For a scale-invariant W, ‖∇L‖ = √G/‖W‖, so √v̂ ∝ 1/‖W‖ and
 * Adam + L2's effective decay grows with ‖W‖.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, AdamW, nn } from '@paramscope/core';
import type { TeacherDataset } from './teacher-data';
import { decayedAndRest, trainClassifier } from './training';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

const { bnMlp, manualSeed } = nn;

/** The decay per step of one tensor, in units of η (AdamW: λ for every element). */
export interface EffectiveDecay {
  /** Mean over elements of λ/(√v̂ᵢ + ε). */
  mean: number;
  /** Root mean square over elements of λ/(√v̂ᵢ + ε). */
  rms: number;
  /**
   * Σ wᵢ²·λ/(√v̂ᵢ + ε) / Σ wᵢ²: the rate at which decay shrinks ‖W‖² (by 2η times it per step),
   * the value that enters the norm balance (NaN when W = 0).
   */
  normWeighted: number;
}

/** What {@link coupledEffectiveDecay} needs of Adam's hyperparameters. */
export interface CoupledDecayHyperparameters {
  weightDecay: number;
  beta2: number;
  eps: number;
}

/**
 * λ/(√v̂ + ε) of Adam with coupled L2 decay, v̂ = expAvgSq/(1 − β₂ᵗ), summarised over one tensor's
 * elements; `step` is the optimizer's step count t for that tensor.
 */
export function coupledEffectiveDecay(
  weights: ArrayLike<number>,
  expAvgSq: ArrayLike<number>,
  step: number,
  hyperparameters: CoupledDecayHyperparameters
): EffectiveDecay {
  const { weightDecay, beta2, eps } = hyperparameters;
  if (weights.length === 0 || weights.length !== expAvgSq.length) {
    throw new ScienceError(
      `coupledEffectiveDecay: need one second moment per weight (> 0), got ${expAvgSq.length} and ${weights.length}`
    );
  }
  if (!Number.isInteger(step) || step < 1) {
    throw new ScienceError(`coupledEffectiveDecay: step must be a positive integer, got ${describeValue(step)}`);
  }
  const biasCorrection2 = 1 - beta2 ** step;
  let sum = 0;
  let sumSquares = 0;
  let weighted = 0;
  let squaredNorm = 0;
  for (let i = 0; i < weights.length; i++) {
    const decay = weightDecay / (Math.sqrt(expAvgSq[i] / biasCorrection2) + eps);
    sum += decay;
    sumSquares += decay * decay;
    weighted += weights[i] * weights[i] * decay;
    squaredNorm += weights[i] * weights[i];
  }
  const elements = weights.length;
  return { mean: sum / elements, rms: Math.sqrt(sumSquares / elements), normWeighted: weighted / squaredNorm };
}

/** Which Adam: `torch.optim.Adam` with `weight_decay` (coupled L2) or `torch.optim.AdamW` (decoupled). */
export type AdamDecayKind = 'adam-l2' | 'adamw';

/** Options of {@link runAdamDecayExperiment}. */
export interface AdamDecayExperimentOptions {
  data: TeacherDataset;
  /** Widths of `nn.bnMlp` (default [20, 32, 32, 5]). */
  widths?: readonly number[];
  /** Seed of the model's initialisation. */
  seed: number;
  kind: AdamDecayKind;
  /** Names of the parameters that get weight decay; they are also the ones followed, each on its own. */
  decayed: readonly string[];
  lr: number;
  weightDecay: number;
  /** Adam's (β₁, β₂), default PyTorch's (0.9, 0.999). */
  betas?: [number, number];
  /** Default PyTorch's 1e-8. */
  eps?: number;
  steps: number;
  batchSize: number;
  /**
   * Factor on the decayed weights at initialisation (default 1). When they feed BN the network
   * computes the same function, so only ‖W‖ (and with it the gradient's scale) changes.
   */
  initialScale?: number;
  /** Record the effective decay and the gradient's scale every this many steps (default: 100 points). */
  recordEvery?: number;
  /** Called at each recorded step. */
  onRecord?: (step: number, loss: number) => void;
}

/**
 * What one run records of one decayed tensor. Its first axis indexes the units that BN makes
 * scale-invariant one by one (a Linear's output rows, a conv's output channels): `rows` below.
 */
export interface AdamDecayTrace {
  /** Number of elements C. */
  elements: number;
  /** Number of rows (first axis). */
  rows: number;
  /** ‖W‖ after every step. */
  norms: number[];
  /** Angle between W before and after every step (radians). */
  angularSteps: number[];
  /** Per step, per row: ‖w_r‖ after the step. */
  rowNorms: number[][];
  /** Per step, per row: the angle between w_r before and after the step. */
  rowAngularSteps: number[][];
  /** At the recorded steps, after the step: the decay per step in units of η (AdamW: λ). */
  effectiveDecay: { mean: number[]; rms: number[]; normWeighted: number[] };
  /** At the recorded steps, per row: the row's norm-weighted effective decay. */
  rowEffectiveDecay: number[][];
  /** At the recorded steps: ‖∇L‖/√C of that step's data gradient (without the decay term). */
  gradientRms: number[];
}

/** The traces of one run. */
export interface AdamDecayExperimentResult {
  /** Recorded steps (0-based). */
  steps: number[];
  /** Batch loss of every step. */
  losses: number[];
  /** Per decayed tensor. */
  traces: Record<string, AdamDecayTrace>;
}

function norm(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/** The angle between a and b as 2·atan2(‖â − b̂‖, ‖â + b̂‖): accurate for small angles, unlike acos. */
function angle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [na, nb] = [norm(a), norm(b)];
  let difference = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    difference += (a[i] / na - b[i] / nb) ** 2;
    sum += (a[i] / na + b[i] / nb) ** 2;
  }
  return 2 * Math.atan2(Math.sqrt(difference), Math.sqrt(sum));
}

/**
 * Trains a seeded `nn.bnMlp` with Adam + L2 or AdamW, decay on `decayed` only, and follows each
 * decayed tensor and each of its rows: ‖W‖ and the angular step at every step, the effective decay
 * (read from the optimizer's `stateDict()`: v̂ = expAvgSq/(1 − β₂ᵗ)) and the gradient's scale at the
 * recorded steps. Frees every tensor it makes.
 */
export function runAdamDecayExperiment(options: AdamDecayExperimentOptions): AdamDecayExperimentResult {
  const { data, widths = [20, 32, 32, 5], seed, kind, decayed, lr, weightDecay, steps, batchSize } = options;
  const [beta1, beta2] = options.betas ?? [0.9, 0.999];
  const eps = options.eps ?? 1e-8;
  const initialScale = options.initialScale ?? 1;
  const recordEvery = options.recordEvery ?? Math.max(1, Math.floor(steps / 100));
  manualSeed(seed);
  const model = bnMlp(widths);
  const byName = new Map(model.namedParameters());
  for (const name of decayed) {
    if (!byName.has(name)) throw new ScienceError(`runAdamDecayExperiment: the model has no parameter "${name}"`);
  }
  if (initialScale !== 1) {
    for (const name of decayed) tf.tidy(() => byName.get(name)!.assign(tf.mul(byName.get(name)!, initialScale)));
  }
  const groups = decayedAndRest(byName, decayed, weightDecay);
  const hyperparameters = { lr, betas: [beta1, beta2] as [number, number], eps };
  const optimizer = kind === 'adam-l2' ? new Adam(groups, hyperparameters) : new AdamW(groups, hyperparameters);
  // stateDict() numbers parameters through the groups in order.
  const stateIndex = new Map(optimizer.paramGroups.flatMap((g) => g.params).map((p, index) => [p.name, String(index)]));
  const result: AdamDecayExperimentResult = { steps: [], losses: [], traces: {} };
  for (const name of decayed) {
    result.traces[name] = {
      elements: byName.get(name)!.size,
      rows: byName.get(name)!.shape[0],
      norms: [],
      angularSteps: [],
      rowNorms: [],
      rowAngularSteps: [],
      effectiveDecay: { mean: [], rms: [], normWeighted: [] },
      rowEffectiveDecay: [],
      gradientRms: []
    };
  }
  let before: Record<string, Float32Array> = {};
  result.losses = trainClassifier({
    model,
    optimizer,
    data,
    steps,
    batchSize,
    beforeStep: () => {
      before = Object.fromEntries(decayed.map((name) => [name, byName.get(name)!.dataSync().slice() as Float32Array]));
    },
    afterStep: (t, loss, grads) => {
      const record = t % recordEvery === 0 || t === steps - 1;
      const state = record && kind === 'adam-l2' ? optimizer.stateDict().state : undefined;
      for (const name of decayed) {
        const trace = result.traces[name];
        const after = byName.get(name)!.dataSync() as Float32Array;
        const rowLength = trace.elements / trace.rows;
        const rowOf = (values: Float32Array, r: number) => values.subarray(r * rowLength, (r + 1) * rowLength);
        const rowIndices = Array.from({ length: trace.rows }, (_, r) => r);
        trace.norms.push(norm(after));
        trace.angularSteps.push(angle(before[name], after));
        trace.rowNorms.push(rowIndices.map((r) => norm(rowOf(after, r))));
        trace.rowAngularSteps.push(rowIndices.map((r) => angle(rowOf(before[name], r), rowOf(after, r))));
        if (!record) continue;
        trace.gradientRms.push(norm(grads[name].dataSync() as Float32Array) / Math.sqrt(trace.elements));
        let decay: EffectiveDecay = { mean: weightDecay, rms: weightDecay, normWeighted: weightDecay };
        let rowDecay = rowIndices.map(() => weightDecay);
        if (state) {
          const entry = state[stateIndex.get(name)!];
          const expAvgSq = Float32Array.from((entry.expAvgSq as { values: unknown[] }).values, Number);
          const step = entry.step as number;
          const hyperparameters = { weightDecay, beta2, eps };
          decay = coupledEffectiveDecay(after, expAvgSq, step, hyperparameters);
          rowDecay = rowIndices.map(
            (r) => coupledEffectiveDecay(rowOf(after, r), rowOf(expAvgSq, r), step, hyperparameters).normWeighted
          );
        }
        trace.effectiveDecay.mean.push(decay.mean);
        trace.effectiveDecay.rms.push(decay.rms);
        trace.effectiveDecay.normWeighted.push(decay.normWeighted);
        trace.rowEffectiveDecay.push(rowDecay);
      }
      if (record) {
        result.steps.push(t);
        options.onRecord?.(t, loss);
      }
    }
  });
  model.dispose();
  optimizer.dispose();
  return result;
}

/**
 * The numerical scale-invariance probe: scale one weight tensor by c, run the model in training
 * mode on a batch, and measure how much the output moves. A tensor whose scale the output ignores
 * is scale-invariant (it feeds a normalization); the probe checks the structural verdict.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module';
import { paramModelFromModule } from '../params/from-module';
import { isBias } from '@paramscope/params';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

/** Options of {@link probeScaleInvariance}. */
export interface ProbeOptions {
  /** Scale factors to try (default [0.5, 2]: exact in floating point). */
  scales?: number[];
  /** Largest relative output change that still counts as invariant (default 1e-3). */
  tolerance?: number;
  /** Probe only these parameter names (default: every trainable tensor that is not a bias). */
  params?: string[];
}

/** The probe's verdict on one tensor. */
export interface ProbeResult {
  name: string;
  /** Largest ‖f(cW) − f(W)‖ / ‖f(W)‖ over the scales. */
  relativeChange: number;
  scaleInvariant: boolean;
  /** The structural verdict (feeds normalization, from the forward trace). */
  structural: boolean;
  agrees: boolean;
}

function snapshot(variables: tf.Variable[]): tf.Tensor[] {
  return variables.map((v) => tf.clone(v));
}

function restore(variables: tf.Variable[], saved: tf.Tensor[]): void {
  variables.forEach((v, i) => v.assign(saved[i]));
  tf.dispose(saved);
}

/**
 * Probes every trainable weight tensor of `module` (or `options.params`) on `batch`, in training
 * mode. Use a batch large enough that every normalization sees many values per channel: with
 * few, ε dominates small variances and invariant weights look variant. The module's
 * weights, running statistics and modes are restored afterwards; no tensor is leaked.
 */
export function probeScaleInvariance(module: Module, batch: tf.Tensor, options: ProbeOptions = {}): ProbeResult[] {
  const scales = options.scales ?? [0.5, 2];
  const tolerance = options.tolerance ?? 1e-3;
  if (scales.length === 0 || scales.some((c) => !(c > 0) || !Number.isFinite(c))) {
    throw new CoreError(`probeScaleInvariance: scales must be positive finite numbers, got ${describeValue(scales)}`);
  }
  const model = paramModelFromModule(module, { sampleInput: batch });
  const selected = options.params
    ? options.params.map((name) => {
        const p = model.params.find((q) => q.name === name || q.aliases.includes(name));
        if (!p) throw new CoreError(`probeScaleInvariance: no parameter named "${name}"`);
        return p;
      })
    : model.params.filter((p) => p.trainable && !isBias(p));
  const modes = module.namedModules().map(([, m]) => [m, m.training] as const);
  const buffers = module.namedBuffers().map(([, v]) => v);
  const savedBuffers = snapshot(buffers);
  module.train();
  try {
    const run = (): tf.Tensor => {
      const out = tf.tidy(() => module.call(batch));
      // Training-mode forwards move running statistics: put them back after every run.
      buffers.forEach((v, i) => v.assign(savedBuffers[i]));
      return out;
    };
    const reference = run();
    const referenceNorm = tf.tidy(() => tf.norm(reference).dataSync()[0]);
    const results = selected.map((p) => {
      const variable = p.variable!;
      const original = tf.clone(variable);
      let worst = 0;
      for (const c of scales) {
        tf.tidy(() => variable.assign(tf.mul(original, c)));
        const out = run();
        const change = tf.tidy(() => tf.norm(tf.sub(out, reference)).dataSync()[0]);
        out.dispose();
        worst = Math.max(worst, change / (referenceNorm || 1));
      }
      variable.assign(original);
      original.dispose();
      const scaleInvariant = worst <= tolerance;
      const structural = p.feedsNormalization ?? false;
      return { name: p.name, relativeChange: worst, scaleInvariant, structural, agrees: scaleInvariant === structural };
    });
    reference.dispose();
    return results;
  } finally {
    restore(buffers, savedBuffers);
    for (const [m, training] of modes) m.training = training;
  }
}

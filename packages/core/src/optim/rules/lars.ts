/**
 * LARS as SimCLR implements it (google-research/simclr, `lars_optimizer.py`, `LARSOptimizer` with
 * `classic_momentum=True`), per parameter tensor:
 *
 *   g ← ∇ + λ·w                       weight decay enters first, so ‖g‖ below includes it
 *   r ← η_trust · ‖w‖ / (‖g‖ + ε)     when the group has layer adaptation and ‖w‖ > 0 and ‖g‖ > 0;
 *   r ← 1                             otherwise (a zero-norm tensor, e.g. zero-initialised, takes a
 *                                     plain SGD step η·g)
 *   b ← μ·b + η·r·g                   the momentum buffer accumulates the scaled step (b starts at 0)
 *   w ← w − (μ·b + η·r·g) with nesterov, else w ← w − b
 *
 * ε defaults to 0, which is SimCLR exactly (SimCLR has no ε); a positive ε guards the division
 * the way timm's and NVIDIA's LARC do.
 */
import * as tf from '@tensorflow/tfjs';
import { simdCall } from '../simd/kernels';
import type { UpdateRule } from './rule';

/** LARS hyperparameters. `layerAdaptation` and `weightDecay` are per group, as in SimCLR. */
export interface LarsHyperparameters {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  trustCoefficient: number;
  eps: number;
  layerAdaptation: boolean;
}

/** Per-tensor scalars of the LARS kernel. */
export interface LarsScalars {
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  /** η·r: the learning rate scaled by the trust ratio. */
  scaledLr: number;
  trustRatio: number;
}

export const larsRule: UpdateRule<LarsHyperparameters, LarsScalars> = {
  id: 'lars-simclr',
  slots: () => ['momentumBuffer'],
  countsSteps: false,
  needsNorms: true,
  scalars(group, _step, _fresh, sums) {
    const weightNorm = Math.sqrt(sums.weightSq);
    const gradNorm = Math.sqrt(sums.decayedGradSq);
    const adapt = group.layerAdaptation && weightNorm > 0 && gradNorm > 0;
    const trustRatio = adapt ? (group.trustCoefficient * weightNorm) / (gradNorm + group.eps) : 1;
    return {
      momentum: group.momentum,
      weightDecay: group.weightDecay,
      nesterov: group.nesterov,
      scaledLr: Math.fround(group.lr * Math.fround(trustRatio)),
      trustRatio
    };
  },
  trustRatio: (s) => s.trustRatio,
  tensorKernel(w, grad, [buffer], s) {
    const step = tf.mul(tf.add(grad, tf.mul(w, s.weightDecay)), s.scaledLr);
    const b = tf.add(tf.mul(buffer, s.momentum), step);
    const direction = s.nesterov ? tf.add(tf.mul(b, s.momentum), step) : b;
    return { param: tf.sub(w, direction), slots: [b] };
  },
  simd: (s) => simdCall('lars', { scaledLr: s.scaledLr, momentum: s.momentum, weightDecay: s.weightDecay }, { nesterov: s.nesterov }),
  kernel(param, grad, slots, start, end, s, out) {
    const { momentum, weightDecay, scaledLr } = s;
    const nesterov = s.nesterov ? 1 : 0;
    const buffer = slots[0];
    let updateSq = 0;
    let weightSq = 0;
    for (let i = start; i < end; i++) {
      const w = param[i];
      const step = scaledLr * Math.fround(grad[i] + weightDecay * w);
      const b = Math.fround(momentum * buffer[i] + step);
      buffer[i] = b;
      const next = Math.fround(w - (nesterov * (momentum * b + step) + (1 - nesterov) * b));
      param[i] = next;
      updateSq += (next - w) * (next - w);
      weightSq += w * w;
    }
    out[0] += updateSq;
    out[1] += weightSq;
  }
};

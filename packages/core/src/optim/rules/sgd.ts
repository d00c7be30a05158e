/**
 * SGD as `torch.optim.SGD` defines it (PyTorch 2.x, single-tensor path), per element:
 *
 *   g ← ±∇ (− when maximizing);  g ← g + λ·w  (coupled L2 decay, λ = weightDecay)
 *   b ← g on the first step, else b ← μ·b + (1 − τ)·g   (μ = momentum, τ = dampening)
 *   g ← g + μ·b with nesterov, else g ← b               (only when μ ≠ 0)
 *   w ← w − η·g
 */
import * as tf from '@tensorflow/tfjs';
import { simdCall } from '../simd/kernels';
import type { UpdateRule } from './rule';

/** SGD hyperparameters (camelCase versions of PyTorch's). */
export interface SgdHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the SGD kernel. */
export interface SgdScalars {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  gradSign: number;
  /** True on the step that creates the momentum buffer (PyTorch clones g into it). */
  initBuffer: boolean;
}

export const sgdRule: UpdateRule<SgdHyperparameters, SgdScalars> = {
  id: 'sgd',
  slots: (group) => (group.momentum !== 0 ? ['momentumBuffer'] : []),
  countsSteps: false,
  needsNorms: false,
  scalars: (group, _step, fresh) => ({
    lr: group.lr,
    momentum: group.momentum,
    dampening: group.dampening,
    weightDecay: group.weightDecay,
    nesterov: group.nesterov,
    gradSign: group.maximize ? -1 : 1,
    initBuffer: fresh
  }),
  tensorKernel(w, grad, [buffer], s) {
    let g = s.gradSign === 1 ? grad : tf.neg(grad);
    if (s.weightDecay !== 0) g = tf.add(g, tf.mul(w, s.weightDecay));
    if (s.momentum === 0) return { param: tf.sub(w, tf.mul(g, s.lr)), slots: [] };
    const b = s.initBuffer ? tf.clone(g) : tf.add(tf.mul(buffer, s.momentum), s.dampening === 0 ? g : tf.mul(g, 1 - s.dampening));
    const direction = s.nesterov ? tf.add(g, tf.mul(b, s.momentum)) : b;
    return { param: tf.sub(w, tf.mul(direction, s.lr)), slots: [b] };
  },
  simd: (s) =>
    s.momentum === 0
      ? simdCall('sgdPlain', { lr: s.lr, gradSign: s.gradSign, weightDecay: s.weightDecay })
      : simdCall(
          'sgdMomentum',
          {
            lr: s.lr,
            momentum: s.momentum,
            // The step that creates the buffer clones g into it (b = g), later ones blend.
            decay: s.initBuffer ? 0 : s.momentum,
            blend: s.initBuffer ? 1 : 1 - s.dampening,
            gradSign: s.gradSign,
            weightDecay: s.weightDecay
          },
          { nesterov: s.nesterov }
        ),
  kernel(param, grad, slots, start, end, s, out) {
    // Hyperparameters in locals, one loop per case: no per-element branching on them.
    const { lr, momentum, weightDecay, gradSign } = s;
    const keep = 1 - s.dampening;
    const nesterov = s.nesterov ? 1 : 0;
    const buffer = slots[0];
    let updateSq = 0;
    let weightSq = 0;
    if (momentum === 0) {
      for (let i = start; i < end; i++) {
        const w = param[i];
        const next = Math.fround(w - lr * (gradSign * grad[i] + weightDecay * w));
        param[i] = next;
        updateSq += (next - w) * (next - w);
        weightSq += w * w;
      }
    } else {
      // The step that creates the buffer clones g into it (b = g), later ones blend.
      const decay = s.initBuffer ? 0 : momentum;
      const blend = s.initBuffer ? 1 : keep;
      for (let i = start; i < end; i++) {
        const w = param[i];
        const g = gradSign * grad[i] + weightDecay * w;
        const b = Math.fround(decay * buffer[i] + blend * g);
        buffer[i] = b;
        const next = Math.fround(w - lr * (nesterov * (g + momentum * b) + (1 - nesterov) * b));
        param[i] = next;
        updateSq += (next - w) * (next - w);
        weightSq += w * w;
      }
    }
    out[0] += updateSq;
    out[1] += weightSq;
  }
};

/**
 * Adam and AdamW as `torch.optim.Adam` / `torch.optim.AdamW` define them (PyTorch 2.x,
 * single-tensor path), per element, with t the parameter's step count after this step:
 *
 *   g ← ±∇ (− when maximizing)
 *   Adam:  g ← g + λ·w (coupled L2)      AdamW: w ← w·(1 − η·λ) (decoupled, before the moments)
 *   m ← m + (1 − β₁)·(g − m)             v ← β₂·v + (1 − β₂)·g²
 *   v̂ ← max(v̂, v) with amsgrad (the denominator then uses v̂ instead of v)
 *   w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 */
import * as tf from '@tensorflow/tfjs';
import { simdCall } from '../simd/kernels';
import type { UpdateRule } from './rule';

/** Adam/AdamW hyperparameters (camelCase versions of PyTorch's). */
export interface AdamHyperparameters {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the Adam kernel. */
export interface AdamScalars {
  stepSize: number;
  beta1: number;
  beta2: number;
  eps: number;
  biasCorrection2Sqrt: number;
  /** λ for Adam's coupled L2 term (0 for AdamW). */
  l2: number;
  /** w's factor before the update: 1 − η·λ for AdamW, 1 for Adam. */
  decayFactor: number;
  gradSign: number;
  amsgrad: boolean;
}

function adamRule(decoupled: boolean): UpdateRule<AdamHyperparameters, AdamScalars> {
  return {
    id: decoupled ? 'adamw' : 'adam',
    slots: (group) => (group.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq']),
    countsSteps: true,
    needsNorms: false,
    scalars: (group, step) => {
      const [beta1, beta2] = group.betas;
      return {
        stepSize: group.lr / (1 - beta1 ** step),
        beta1,
        beta2,
        eps: group.eps,
        biasCorrection2Sqrt: Math.sqrt(1 - beta2 ** step),
        l2: decoupled ? 0 : group.weightDecay,
        decayFactor: decoupled ? Math.fround(1 - group.lr * group.weightDecay) : 1,
        gradSign: group.maximize ? -1 : 1,
        amsgrad: group.amsgrad
      };
    },
    tensorKernel(w0, grad, [expAvg, expAvgSq, maxExpAvgSq], s) {
      const w = s.decayFactor === 1 ? w0 : tf.mul(w0, s.decayFactor);
      let g = s.gradSign === 1 ? grad : tf.neg(grad);
      if (s.l2 !== 0) g = tf.add(g, tf.mul(w, s.l2));
      const m = tf.add(expAvg, tf.mul(tf.sub(g, expAvg), 1 - s.beta1));
      const v = tf.add(tf.mul(expAvgSq, s.beta2), tf.mul(tf.square(g), 1 - s.beta2));
      const vMax = s.amsgrad ? tf.maximum(maxExpAvgSq, v) : v;
      const denominator = tf.add(tf.div(tf.sqrt(vMax), s.biasCorrection2Sqrt), s.eps);
      const next = tf.sub(w, tf.div(tf.mul(m, s.stepSize), denominator));
      return { param: next, slots: s.amsgrad ? [m, v, vMax] : [m, v] };
    },
    simd: (s) =>
      simdCall(
        'adam',
        {
          stepSize: s.stepSize,
          oneMinusBeta1: 1 - s.beta1,
          beta2: s.beta2,
          oneMinusBeta2: 1 - s.beta2,
          eps: s.eps,
          inverseBiasCorrection2Sqrt: 1 / s.biasCorrection2Sqrt,
          gradSign: s.gradSign,
          l2: s.l2,
          decayFactor: s.decayFactor
        },
        { amsgrad: s.amsgrad }
      ),
    kernel(param, grad, slots, start, end, s, out) {
      const { stepSize, beta1, beta2, eps, biasCorrection2Sqrt, l2, decayFactor, gradSign } = s;
      const [expAvg, expAvgSq, maxExpAvgSq] = slots;
      const oneMinusBeta1 = 1 - beta1;
      const oneMinusBeta2 = 1 - beta2;
      // amsgrad keeps the running maximum in its own slot; without it that slot is v itself.
      const maxSq = s.amsgrad ? maxExpAvgSq : expAvgSq;
      let updateSq = 0;
      let weightSq = 0;
      for (let i = start; i < end; i++) {
        const w0 = param[i];
        const w = Math.fround(w0 * decayFactor);
        const g = gradSign * grad[i] + l2 * w;
        const m0 = expAvg[i];
        const m = Math.fround(m0 + oneMinusBeta1 * (g - m0));
        const v = Math.fround(beta2 * expAvgSq[i] + oneMinusBeta2 * g * g);
        expAvg[i] = m;
        expAvgSq[i] = v;
        const vMax = Math.max(maxSq[i], v);
        maxSq[i] = vMax;
        const next = Math.fround(w - (stepSize * m) / (Math.sqrt(vMax) / biasCorrection2Sqrt + eps));
        param[i] = next;
        updateSq += (next - w0) * (next - w0);
        weightSq += w0 * w0;
      }
      out[0] += updateSq;
      out[1] += weightSq;
    }
  };
}

export const adamL2Rule = adamRule(false);
export const adamWRule = adamRule(true);

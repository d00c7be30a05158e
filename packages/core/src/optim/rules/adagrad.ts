/**
 * Adagrad as `torch.optim.Adagrad` defines it (PyTorch 2.x, single-tensor path), per element,
 * with t the parameter's step count after this step:
 *
 *   g ← ±∇ (− when maximizing);  g ← g + λ·w  (coupled L2 decay)
 *   s ← s + g²                      (s starts at initialAccumulatorValue)
 *   w ← w − η / (1 + (t − 1)·lrDecay) · g / (√s + ε)
 */
import { updateStep, type ElementProgram } from './program';
import { defineRule } from './rule';

/** Adagrad hyperparameters (camelCase versions of PyTorch's). */
export interface AdagradHyperparameters {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

/** Per-tensor scalars of the Adagrad program. */
export interface AdagradScalars {
  /** η / (1 + (t − 1)·lrDecay). */
  clr: number;
  eps: number;
  weightDecay: number;
  /** The accumulator's starting value on the step that creates it (zeros), else 0. */
  initialSum: number;
  gradSign: number;
}

/** s ← s + initialSum + g²; w ← w − clr·g / (√s + ε). */
const adagradProgram: ElementProgram<AdagradScalars> = {
  name: 'adagrad',
  optional: { gradSign: 1, weightDecay: 0, initialSum: 0 },
  switches: [],
  unroll: 2,
  sumsGradSquares: true,
  body(x) {
    const g = x.plusScaled(x.scaled('gradSign', x.grad), 'weightDecay', x.param);
    const sum = x.add(x.on('initialSum') ? x.add(x.slot(0), x.scalar('initialSum')) : x.slot(0), x.mul(g, g));
    const step = x.div(x.mul(x.scalar('clr'), g), x.add(x.sqrt(sum), x.scalar('eps')));
    return updateStep(x, x.param, x.sub(x.param, step), [sum]);
  }
};

export const adagradRule = defineRule<AdagradHyperparameters, AdagradScalars>({
  id: 'adagrad',
  slots: () => ['sum'],
  countsSteps: true,
  needsNorms: false,
  scalars: (group, step, fresh) => ({
    clr: group.lr / (1 + (step - 1) * group.lrDecay),
    eps: group.eps,
    weightDecay: group.weightDecay,
    // torch fills the accumulator in float32
    initialSum: fresh ? Math.fround(group.initialAccumulatorValue) : 0,
    gradSign: group.maximize ? -1 : 1
  }),
  programs: [adagradProgram]
});

/**
 * SGD as `torch.optim.SGD` defines it (PyTorch 2.x, single-tensor path), per element:
 *
 *   g ← ±∇ (− when maximizing);  g ← g + λ·w  (coupled L2 decay, λ = weightDecay)
 *   b ← g on the first step, else b ← μ·b + (1 − τ)·g   (μ = momentum, τ = dampening)
 *   g ← g + μ·b with nesterov, else g ← b               (only when μ ≠ 0)
 *   w ← w − η·g
 */
import { updateStep, type Builder, type ElementProgram } from './program';
import { defineRule } from './rule';

/** SGD hyperparameters (camelCase versions of PyTorch's). */
export interface SgdHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the SGD programs. */
export interface SgdScalars {
  lr: number;
  momentum: number;
  /** The buffer's factor: μ, or 0 on the step that creates it (PyTorch clones g into it). */
  decay: number;
  /** The gradient's factor in the buffer: 1 − τ, or 1 on the step that creates it. */
  blend: number;
  weightDecay: number;
  nesterov: boolean;
  gradSign: number;
}

/** g = ±∇ + λw. */
const gradient = (x: Builder<SgdScalars>) => x.plusScaled(x.scaled('gradSign', x.grad), 'weightDecay', x.param);

/** w ← w − η·g. */
const plain: ElementProgram<SgdScalars> = {
  name: 'sgdPlain',
  optional: { gradSign: 1, weightDecay: 0 },
  switches: [],
  unroll: 2,
  sumsGradSquares: true,
  body: (x) => updateStep(x, x.param, x.sub(x.param, x.mul(x.scalar('lr'), gradient(x))), [])
};

/** b ← decay·b + blend·g; w ← w − η·(g + μb) with nesterov, else w − η·b. */
const withMomentum: ElementProgram<SgdScalars> = {
  name: 'sgdMomentum',
  optional: { gradSign: 1, weightDecay: 0, blend: 1 },
  switches: ['nesterov'],
  exclusive: [['blend', 'nesterov']], // PyTorch's nesterov requires zero dampening
  unroll: 2,
  sumsGradSquares: true,
  body(x) {
    const g = gradient(x);
    const b = x.add(x.mul(x.scalar('decay'), x.slot(0)), x.scaled('blend', g));
    const direction = x.on('nesterov') ? x.add(g, x.mul(x.scalar('momentum'), b)) : b;
    return updateStep(x, x.param, x.sub(x.param, x.mul(x.scalar('lr'), direction)), [b]);
  }
};

export const sgdRule = defineRule<SgdHyperparameters, SgdScalars>({
  id: 'sgd',
  slots: (group) => (group.momentum !== 0 ? ['momentumBuffer'] : []),
  countsSteps: false,
  needsNorms: false,
  scalars: (group, _step, fresh) => ({
    lr: group.lr,
    momentum: group.momentum,
    decay: fresh ? 0 : group.momentum,
    blend: fresh ? 1 : 1 - group.dampening,
    weightDecay: group.weightDecay,
    nesterov: group.nesterov,
    gradSign: group.maximize ? -1 : 1
  }),
  programs: [plain, withMomentum],
  programFor: (scalars) => (scalars.momentum === 0 ? plain : withMomentum)
});

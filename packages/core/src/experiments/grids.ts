/**
 * The two grids of the decay-group ablation: the full one (`tools/ablation/run-full-grid.js`:
 * 11 minutes with tfjs-node on two shared cores, three to four times that with wasm) and the
 * reduced one the notebook runs in CI (15 s with tfjs-node, 40 s with wasm).
 *
 * The λ values are chosen by the total shrinkage they cause over the run rather than copied from
 * ImageNet recipes: a run here is a few hundred steps, not a few hundred thousand, so λ must be
 * larger for decay to act at all. SGD with momentum α shrinks W by about ηλ/(1−α) per step
 * (0.5·λ here: 420 steps × 0.5λ ≈ 0.1, 0.4, 2.1 e-folds for the three values); AdamW by ηλ per
 * step (420 × 3e-3·λ ≈ 0.06, 0.25, 1.0).
 */
import type { AblationGrid } from './ablation';
import { DECAY_ARMS } from './decay-arms';

/** 4 arms × (SGD-momentum, AdamW) × 3 λ × 5 seeds = 120 runs of 10 epochs (420 steps) on the digits. */
export const FULL_ABLATION_GRID: AblationGrid = {
  arms: [...DECAY_ARMS],
  optimizers: [
    { setting: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, weightDecays: [5e-4, 2e-3, 1e-2] },
    { setting: { kind: 'adamw', lr: 3e-3, betas: [0.9, 0.999] }, weightDecays: [0.05, 0.2, 0.8] }
  ],
  seeds: [1, 2, 3, 4, 5],
  epochs: 10,
  batchSize: 32,
  channels: [16, 32],
  recordEvery: 10
};

/**
 * 4 arms × (SGD-momentum, AdamW) at the largest λ, one seed, 3 epochs of a narrower CNN: enough
 * for the effects on the norms, too little for accuracy differences (those need the full grid).
 */
export const QUICK_ABLATION_GRID: AblationGrid = {
  arms: [...DECAY_ARMS],
  optimizers: [
    { setting: { kind: 'sgd', lr: 0.05, momentum: 0.9 }, weightDecays: [1e-2] },
    { setting: { kind: 'adamw', lr: 3e-3, betas: [0.9, 0.999] }, weightDecays: [0.8] }
  ],
  seeds: [1],
  epochs: 3,
  batchSize: 32,
  channels: [8, 16],
  recordEvery: 2
};

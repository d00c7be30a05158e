/**
 * The grids of the decay-group ablation: the full one (`tools/ablation/run-full-grid.js`, on
 * tfjs-node), the reduced one the notebook runs in CI (wasm), and the check subset CI re-runs
 * against a committed file.
 *
 * The λ values are chosen by the total shrinkage they cause over the run rather than copied from
 * ImageNet recipes: a run here is a few hundred steps, not a few hundred thousand, so λ must be
 * larger for decay to act at all. SGD with momentum α shrinks W by about ηλ/(1−α) per step
 * (0.5·λ here: 420 steps × 0.5λ ≈ 0.4 and 2.1 e-folds for λ = 2e-3 and 1e-2); AdamW by ηλ per
 * step (420 × 3e-3·λ ≈ 0.25 and 1.0 for λ = 0.2 and 0.8). Adam + L2 adds λW to the gradient before
 * Adam's normalisation, so its λ is on SGD's scale, not AdamW's: it runs at SGD's values (in a pilot
 * run, seed 1, decay everything, λ = 0.1 left it at 58 % test accuracy and AdamW's λ = 0.8 at chance).
 */
import type { AblationGrid } from './ablation';
import { DECAY_ARMS } from './decay-arms';
import type { DecayRunConfig, OptimizerSetting } from './train-decay-arm';

const SGD: OptimizerSetting = { kind: 'sgd', lr: 0.05, momentum: 0.9 };
const ADAMW: OptimizerSetting = { kind: 'adamw', lr: 3e-3, betas: [0.9, 0.999] };
const ADAM_L2: OptimizerSetting = { kind: 'adam-l2', lr: 3e-3, betas: [0.9, 0.999] };

/**
 * 5 arms × (SGD-momentum, AdamW, Adam + L2) × 2 λ × (constant, cosine) × 8 seeds, 10 epochs
 * (420 steps) of the 16/32-channel CNN on the digits: 9 runs per optimizer × schedule × seed
 * ("no decay at all" once, the other four arms per λ), 432 runs.
 */
export const FULL_ABLATION_GRID: AblationGrid = {
  arms: [...DECAY_ARMS],
  optimizers: [
    { setting: SGD, weightDecays: [2e-3, 1e-2] },
    { setting: ADAMW, weightDecays: [0.2, 0.8] },
    { setting: ADAM_L2, weightDecays: [2e-3, 1e-2] }
  ],
  schedules: ['constant', 'cosine'],
  seeds: [1, 2, 3, 4, 5, 6, 7, 8],
  epochs: 10,
  batchSize: 32,
  channels: [16, 32],
  recordEvery: 20
};

/**
 * 5 arms × (SGD-momentum, AdamW) at the larger λ, constant learning rate, 2 seeds, 3 epochs of a
 * narrower CNN: enough for the effects on the norms and for the stale-statistics artifact, too
 * little for accuracy differences between arms (those need the full grid).
 */
export const QUICK_ABLATION_GRID: AblationGrid = {
  arms: [...DECAY_ARMS],
  optimizers: [
    { setting: SGD, weightDecays: [1e-2] },
    { setting: ADAMW, weightDecays: [0.8] }
  ],
  schedules: ['constant'],
  seeds: [1, 2],
  epochs: 3,
  batchSize: 32,
  channels: [8, 16],
  recordEvery: 2
};

/**
 * The runs of the full grid that CI re-runs on wasm and compares with `results/ablation/check-subset.json`:
 * SGD at the larger λ, seed 1, constant learning rate, decay everything and the §5 recipe, and
 * AdamW's counterpart of the first. Three runs, about a minute on wasm.
 */
export const CHECK_SUBSET_CONFIGS: readonly DecayRunConfig[] = [
  { ...configOf(SGD, 1e-2), arm: 'decay-all' },
  { ...configOf(SGD, 1e-2), arm: 'section5-recipe' },
  { ...configOf(ADAMW, 0.8), arm: 'decay-all' }
];

function configOf(optimizer: OptimizerSetting, weightDecay: number): Omit<DecayRunConfig, 'arm'> {
  const { epochs, batchSize, channels, recordEvery } = FULL_ABLATION_GRID;
  return { optimizer, weightDecay, schedule: 'constant', seed: 1, epochs, batchSize, channels, recordEvery };
}

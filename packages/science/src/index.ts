/**
 * `@paramscope/science`: the notebooks' science on `@paramscope/core` — analyses of batch norm
 * and weight decay (scale invariance, norm dynamics, effective learning rates, Adam's effective
 * decay) and the experiments on real data (the decay-group ablation, its statistics and grids).
 * Runs wherever TF.js runs.
 *
 * @packageDocumentation
 */
export * from './errors';
export * from './analysis';
export * from './experiments';

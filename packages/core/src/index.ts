/**
 * `@paramscope/core`: PyTorch-style modules on TensorFlow.js, parameter grouping, optimizers with
 * parameter groups that match `torch.optim`, and verification of groups. Runs wherever TF.js runs.
 * The parameter model, structure files, grouping and verification come from `@paramscope/params`
 * (re-exported here, with nn modules and TF.js LayersModels registered as model sources); the
 * notebooks' science (analysis, experiments) is `@paramscope/science`.
 *
 * @packageDocumentation
 */
export * from '@paramscope/params';
export * from './errors';
export * from './params';
export * as nn from './nn';
export * from './verify';
export * from './optim';
export * from './kernels';

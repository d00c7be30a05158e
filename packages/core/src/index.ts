/**
 * `@paramscope/core`: PyTorch-style modules on TensorFlow.js, parameter grouping, optimizers with
 * parameter groups that match `torch.optim`, and verification of groups. Runs wherever TF.js runs.
 *
 * @packageDocumentation
 */
export * from './analysis';
export * from './params';
export * as nn from './nn';
export * from './structure';
export * from './grouping';
export * from './verify';
export * from './optim';
export * from './kernels';
export * from './experiments';

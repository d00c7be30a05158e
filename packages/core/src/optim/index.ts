/** Optimizers with PyTorch's parameter groups, state dicts and update rules, and LR schedulers. */
export { Optimizer, type BaseOptimizerOptions } from './optimizer';
export { SGD, type SgdHyperparameters } from './sgd';
export { Adam, AdamW, type AdamHyperparameters } from './adam';
export { LARS, type LarsHyperparameters } from './lars';
export { RMSprop, type RmspropHyperparameters } from './rmsprop';
export { Adagrad, type AdagradHyperparameters } from './adagrad';
export { NAdam, type NadamHyperparameters } from './nadam';
export { RAdam, type RadamHyperparameters } from './radam';
export { Lion, type LionHyperparameters } from './lion';
export { LAMB, type LambHyperparameters } from './lamb';
export { OptimizerError } from './validate';
export type { EncodedFloat } from './state-encoding';
export { inlineExecutor, scalarExecutor, type KernelExecutor, type MeasureTask, type UpdateTask } from './executor';
export type { UpdateRule, UpdateKernel, PrePassSums } from './rules/rule';
export type {
  Gradients,
  NonFinitePolicy,
  OptimizerOptions,
  OptimizerParam,
  OptimizerStateDict,
  OptimizerParamGroup,
  ParamGroupInput,
  ParamLike,
  ParamStepDiagnostics,
  SerializedParamState,
  SerializedTensor
} from './types';
export {
  LRScheduler,
  StepLR,
  CosineAnnealingLR,
  LinearLR,
  SequentialLR,
  ChainedScheduler,
  type SchedulableOptimizer,
  type SchedulerStateDict
} from './lr-scheduler';

/**
 * Types shared by the optimizers: what a parameter may be, how groups look, how gradients are
 * handed to `step`, what a state dict holds and what each step reports per parameter.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EncodedFloat } from './state-encoding';

/**
 * A parameter as an optimizer accepts it: a bare `tf.Variable`, or any object with a `name` and a
 * `variable` (the `ParamInfo` of the parameter model passes straight in).
 */
export type ParamLike = tf.Variable | { name: string; variable?: tf.Variable; feedsNormalization?: boolean };

/**
 * A group as the constructor or `addParamGroup` accepts it: its parameters plus any
 * hyperparameter overrides. Keys the optimizer does not know (`label`, `layerAdaptation` for
 * optimizers other than LARS, `reasons`, …) are kept in `paramGroups` unchanged, as in PyTorch.
 */
export interface ParamGroupInput {
  params: ParamLike[];
  [key: string]: unknown;
}

/** One parameter of a group after resolution. */
export interface OptimizerParam {
  /** The parameter's name: `ParamInfo.name`, or the variable's name for a bare variable. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** What the caller passed (a `ParamInfo`, a `{ name, variable }` pair or the variable). */
  readonly source: ParamLike;
}

/**
 * A live parameter group: hyperparameters `H`, the group's parameters, and every extra key the
 * caller put in the group. Mutating a hyperparameter (e.g. `lr`) takes effect at the next step.
 */
export type OptimizerParamGroup<H> = H & { params: OptimizerParam[]; [key: string]: unknown };

/**
 * Gradients as TF.js computes them: the `grads` map of `tf.variableGrads` (keyed by variable
 * name; a parameter's own name works too), or a `Map` keyed by variable or name. A parameter
 * without a gradient is left unchanged, like a PyTorch parameter whose `.grad` is `None`.
 */
export type Gradients = Record<string, tf.Tensor> | Map<tf.Variable | string, tf.Tensor>;

/**
 * A float32 tensor in a state dict: shape plus row-major values (exact for float32; NaN and
 * ±Infinity as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, so the dict survives JSON).
 */
export interface SerializedTensor {
  shape: number[];
  values: EncodedFloat[];
}

/** Per-parameter state in a state dict: `step` counts and tensors by PyTorch's field meaning. */
export type SerializedParamState = Record<string, number | SerializedTensor>;

/**
 * PyTorch's `state_dict()` structure: per-parameter state keyed by the parameter's index
 * (counting through the groups in order), and the groups' hyperparameters with `params` replaced
 * by those indices. Plain JSON.
 */
export interface OptimizerStateDict {
  state: Record<string, SerializedParamState>;
  paramGroups: Array<{ params: number[]; [key: string]: unknown }>;
}

/** What one step did to one parameter (see `Optimizer.diagnostics`). */
export interface ParamStepDiagnostics {
  name: string;
  /** Index of the parameter's group in `paramGroups`. */
  groupIndex: number;
  /** Index of the parameter in the state dict (through the groups in order). */
  paramIndex: number;
  /** The group's learning rate at that step. */
  lr: number;
  /** ‖W‖ before the step. */
  weightNorm: number;
  /** ‖∇‖ of the gradient handed to the step. */
  gradNorm: number;
  /** ‖ΔW‖ of the step. */
  updateNorm: number;
  /** ‖ΔW‖ / ‖W‖ (Infinity when ‖W‖ = 0). */
  effectiveStep: number;
  /**
   * η / ‖W‖²: the learning rate a scale-invariant weight effectively sees (its gradient scales as
   * 1/‖W‖, so the angular step scales as η/‖W‖²). Meaningful where `scaleInvariant` is true.
   */
  effectiveLr: number;
  /** True when the parameter is known to feed a normalization layer (`ParamInfo.feedsNormalization`). */
  scaleInvariant: boolean;
  /** LARS and LAMB: the trust ratio applied (1 without layer adaptation). */
  trustRatio?: number;
}

/** What to do with a step whose gradients contain NaN or ±Infinity. */
export type NonFinitePolicy = 'throw' | 'skip' | 'unchecked';

/** Options every optimizer takes besides its hyperparameters. */
export interface OptimizerOptions {
  /**
   * `'throw'` (default): refuse the step with an error naming the parameters. `'skip'`: leave every
   * parameter and state unchanged and count the step in `skippedSteps`. `'unchecked'`: no check,
   * as in `torch.optim`: a non-finite gradient goes into the weights and state, and shows in
   * `diagnostics()` as a non-finite `gradNorm`. Every gradient is then read once instead of twice
   * (for rules that need no norms before the update: not LARS or LAMB), and on GPUs the step does
   * not wait for the backend.
   */
  nonFinite?: NonFinitePolicy;
  /**
   * With the loops (cpu, wasm): update the weights in place in the backend's memory (default
   * true). `false` reads them, updates the copy and assigns it back.
   */
  inPlace?: boolean;
  /**
   * Run the update with TF.js ops on the tensors' own backend instead of the loops: weights and
   * state stay there. Default: on GPUs (webgl, webgpu, tfjs-node-gpu); the loops elsewhere.
   */
  tensorOps?: boolean;
}

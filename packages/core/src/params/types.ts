/**
 * The shared vocabulary of the parameter model: what one parameter tensor is, what a module is,
 * and the PyTorch-shaped parameter group that recipes build and optimizers consume.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * One parameter tensor of a model. Tied or shared tensors appear once: `name` is the first name
 * (in `namedParameters()` order) and `aliases` holds every other name that refers to it.
 */
export interface ParamInfo {
  /** Dotted name, as PyTorch's `named_parameters()` spells it (e.g. `layer1.0.bn1.weight`). */
  name: string;
  /** Other names of the same tensor when it is tied or shared (empty otherwise). */
  aliases: string[];
  shape: number[];
  /** Number of elements (product of the shape). */
  size: number;
  /** False for frozen parameters (PyTorch's `requires_grad=False`, TF.js `trainable=false`). */
  trainable: boolean;
  /** Dotted path of the owning module (`''` for the root). */
  modulePath: string;
  /** Kind of the owning module: `BatchNorm2d`, `Conv2d`, `Linear`, `LayerNorm`, … */
  moduleKind: string;
  /**
   * For a user-defined module class, the nearest PyTorch class it derives from (torchvision's
   * `LayerNorm2d` → `LayerNorm`), so kind checks behave like `isinstance`.
   */
  moduleBaseKind?: string;
  /** The name inside the owning module (`weight`, `bias`, `cls_token`, …). */
  localName: string;
  /** The TF.js variable that holds the values; absent for models described without weights. */
  variable?: tf.Variable;
  /**
   * True when this tensor feeds a normalization layer directly (possibly through layers that do
   * not change scale), so the model's output in training mode does not depend on its scale.
   * Absent when the module graph is unknown.
   */
  feedsNormalization?: boolean;
  /** The normalization module this tensor feeds, when {@link feedsNormalization} is true. */
  normalizedBy?: string;
}

/** One module of a model's module tree. */
export interface ModuleInfo {
  /** Dotted path (`''` for the root). */
  path: string;
  /** Module kind: the PyTorch class name (`BatchNorm2d`, `Sequential`, `Bottleneck`, …). */
  kind: string;
  /** The nearest PyTorch class a user-defined module class derives from. */
  baseKind?: string;
  /** Canonical names of the parameters this module owns directly (not those of its children). */
  params: string[];
}

/**
 * A data-flow edge of the module graph: the output of module `from` reaches the input of `to`
 * through the operations `via` (canonical names such as `reshape`, `relu`, `pad`; see
 * `SHAPE_OPS` and `HOMOGENEOUS_OPS`). `to` is a module path, `output` (the model's output) or
 * `op:<name>` (an operation that is neither a module nor scale-transparent, e.g. `op:add`).
 */
export interface ModuleEdge {
  from: string;
  to: string;
  via: string[];
}

/** Where a parameter model came from. */
export type ParamModelSource = 'nn' | 'layers-model' | 'structure';

/** One view of a model's parameters, whatever its source. */
export interface ParamModel {
  /** A display name for the model (`resnet50`, a LayersModel's name, a structure file's `model`). */
  name: string;
  source: ParamModelSource;
  /** Every distinct parameter tensor, in `namedParameters()` order. */
  params: ParamInfo[];
  /** Every module, parents before children. */
  modules: ModuleInfo[];
  /** Data-flow edges out of parameterized modules; `null` when the module graph is unknown. */
  edges: ModuleEdge[] | null;
}

/**
 * A PyTorch-shaped parameter group, as recipes build it and optimizers accept it. Keys are
 * camelCase (`weightDecay`, `layerAdaptation`); any further key is a per-group hyperparameter
 * that optimizers keep as it is.
 */
export interface ParamGroup {
  params: ParamInfo[];
  weightDecay: number;
  lr?: number;
  /** LARS: whether the trust ratio applies to this group. */
  layerAdaptation?: boolean;
  /** A short human label (`decay`, `no_decay`, …). */
  label?: string;
  /** Why each parameter is in this group, by canonical parameter name. */
  reasons?: Record<string, string>;
  [hyperparameter: string]: unknown;
}

/**
 * What an optimizer may be handed: groups whose members are parameters, bare variables, or
 * `{ name, variable }` pairs. {@link verifyParamGroups} accepts this shape as well.
 */
export interface ParamGroupLike {
  params: Array<tf.Variable | { variable?: tf.Variable; name: string }>;
  weightDecay?: number;
  lr?: number;
  [hyperparameter: string]: unknown;
}

/** Normalization module kinds, as PyTorch names them. Judged by kind, never by name. */
export const NORMALIZATION_KINDS: ReadonlySet<string> = new Set([
  'BatchNorm1d',
  'BatchNorm2d',
  'BatchNorm3d',
  'SyncBatchNorm',
  'LazyBatchNorm1d',
  'LazyBatchNorm2d',
  'LazyBatchNorm3d',
  'LayerNorm',
  'GroupNorm',
  'InstanceNorm1d',
  'InstanceNorm2d',
  'InstanceNorm3d',
  'LocalResponseNorm',
  'RMSNorm',
  'LayerNorm2d',
  'FrozenBatchNorm2d'
]);

/** True when `kind` is a normalization module kind. */
export function isNormalizationKind(kind: string): boolean {
  return NORMALIZATION_KINDS.has(kind);
}

/** True when the module owning `param` is a normalization (by kind or base kind, never by name). */
export function isNormalizationParam(param: Pick<ParamInfo, 'moduleKind' | 'moduleBaseKind'>): boolean {
  return isNormalizationKind(param.moduleKind) || (param.moduleBaseKind !== undefined && isNormalizationKind(param.moduleBaseKind));
}

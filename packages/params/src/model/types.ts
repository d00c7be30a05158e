/**
 * The shared vocabulary of the parameter model: what one parameter tensor is, what a module is,
 * and the PyTorch-shaped parameter group that recipes build and optimizers consume. No tensor
 * library here: a parameter's values are a {@link ParamVariable}, whose type a model-source
 * package (`@paramscope/core`: `tf.Variable`) registers by augmenting {@link VariableTypes}.
 */
import type { ParamVariable } from './variable';

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
  /** The owning module's class with its Python module (`transformers…modeling_t5.T5LayerNorm`), when known. */
  moduleClassPath?: string;
  /** What the exporter measured about the owning module (structure files of version 2). */
  moduleNormalization?: NormalizationEvidence;
  /** The model declares this parameter decay-free; the text says where (timm's `no_weight_decay()`, a flag). */
  noWeightDecay?: string;
  /** The name inside the owning module (`weight`, `bias`, `cls_token`, …). */
  localName: string;
  /**
   * The variable that holds the values (`tf.Variable` with `@paramscope/core`); absent for models
   * described without weights, such as structure files.
   */
  variable?: ParamVariable;
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
  /** The class with its Python module (`torch.nn.modules.normalization.LayerNorm`), when known. */
  classPath?: string;
  /** Evidence on whether this module normalizes its input (structure files of version 2). */
  normalization?: NormalizationEvidence;
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
  /** How a structure file was made (route of the edges, device, notes), when it says. */
  export?: ExportInfo;
  /** What the model declares itself (timm's `no_weight_decay()` entries), when a structure file says. */
  declarations?: ModelDeclarations;
}

/** The behaviour probe of a module: its output with the input scaled by each of `scales`. */
export interface ScaleProbe {
  scales: number[];
  /** max over c of ‖f(c·x) − f(x)‖ / ‖f(x)‖, training mode, float32. */
  maxRelChange: number;
  tolerance: number;
  /** `maxRelChange <= tolerance`. */
  invariant: boolean;
}

/** A behaviour probe that did not run, and why. */
export interface SkippedProbe {
  skipped: string;
}

/**
 * The exporter's evidence on whether a module normalizes its input. Present for every module that
 * owns parameters in a structure file of version 2; see `normalizationVerdict` for how it decides.
 */
export interface NormalizationEvidence {
  /** The torch.nn normalization class this class is or derives from (`LayerNorm`, `RMSNorm`, …). */
  hierarchy?: string;
  /** The behaviour probe: output unchanged when the input is scaled. */
  probe?: ScaleProbe | SkippedProbe;
  /** The class name, when it looks like a normalization (/norm/i): a weak signal. */
  nameHint?: string;
}

/** How a structure file was made. */
export interface ExportInfo {
  /** Where the edges came from: a `torch.fx` trace, module hooks, or nowhere (`edges` is null). */
  route: 'fx' | 'hooks' | 'none';
  /** Device of the model's parameters (`cpu`, `meta`, …). */
  device?: string;
  notes?: string[];
}

/** What a model declares about its own parameters. */
export interface ModelDeclarations {
  /** The entries of timm's `model.no_weight_decay()`, verbatim and sorted. */
  noWeightDecay?: string[];
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
  params: Array<ParamVariable | { variable?: ParamVariable; name: string }>;
  weightDecay?: number;
  lr?: number;
  [hyperparameter: string]: unknown;
}

export { NORMALIZATION_KINDS, isNormalizationKind, isNormalizationParam } from './normalization';

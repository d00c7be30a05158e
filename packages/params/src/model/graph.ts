/**
 * Which weights feed a normalization layer directly: the scale-invariant weights of the
 * document's section 2. Works on {@link ModuleEdge}s, whatever produced them (an nn forward trace,
 * a LayersModel's inbound nodes, the edges of a structure file).
 */
import type { ModuleEdge, ModuleInfo, ParamInfo } from './types';
import { isNormalizationModule } from './normalization';

/** Operations that only move values around: a per-channel shift passes through them unchanged. */
export const SHAPE_OPS: ReadonlySet<string> = new Set([
  'reshape',
  'view',
  'flatten',
  'transpose',
  'permute',
  'identity',
  'contiguous'
]);

/**
 * Operations that are positively homogeneous (f(c·x) = c·f(x) for c > 0) but do not commute with
 * a shift: scaling passes through them, a bias does not.
 */
export const HOMOGENEOUS_OPS: ReadonlySet<string> = new Set(['relu', 'maxpool', 'avgpool', 'mean', 'pad', 'dropout']);

/** True when scaling passes through the canonical operation `op` unchanged. */
export function isScaleTransparentOp(op: string): boolean {
  return SHAPE_OPS.has(op) || HOMOGENEOUS_OPS.has(op);
}

/** Module kinds whose output is linear in their weight: scaling the weight scales the output. */
export const LINEAR_IN_WEIGHT_KINDS: ReadonlySet<string> = new Set([
  'Linear',
  'LazyLinear',
  'Conv1d',
  'Conv2d',
  'Conv3d',
  'ConvTranspose1d',
  'ConvTranspose2d',
  'ConvTranspose3d',
  'Embedding',
  'NonDynamicallyQuantizableLinear'
]);

/** Normalizations that subtract a per-channel mean, so a per-channel bias before them cancels. */
const PER_CHANNEL_NORM_PREFIXES = ['BatchNorm', 'SyncBatchNorm', 'LazyBatchNorm', 'InstanceNorm', 'FrozenBatchNorm'];

function normalizesPerChannel(kind: string): boolean {
  return PER_CHANNEL_NORM_PREFIXES.some((prefix) => kind.startsWith(prefix));
}

/** The verdict on one module: does its weight feed normalization, and which module. */
export interface FeedVerdict {
  feeds: boolean;
  normalizedBy?: string;
}

/**
 * Decides, for each module with a weight, whether its weight feeds normalization: every edge out
 * of the module ends at a normalization module (a strong signal says so: its kind, its torch.nn
 * base class, or the behaviour probe — which measures exactly this: output unchanged when the
 * input is scaled), through scale-transparent operations, and a
 * bias of the module would not break it (it cancels only in a per-channel normalization reached
 * through shape-only operations). Frozen or trainable, the verdict is about the function only.
 */
export function feedsNormalization(
  modules: readonly ModuleInfo[],
  params: readonly ParamInfo[],
  edges: readonly ModuleEdge[]
): Map<string, FeedVerdict> {
  const normalizers = new Set(modules.filter(isNormalizationModule).map((m) => m.path));
  // A per-channel test needs the torch.nn class: the base kind or hierarchy of a subclass.
  const kindOf = new Map(modules.map((m) => [m.path, m.normalization?.hierarchy ?? m.baseKind ?? m.kind]));
  const edgesFrom = new Map<string, ModuleEdge[]>();
  for (const edge of edges) {
    const list = edgesFrom.get(edge.from) ?? [];
    list.push(edge);
    edgesFrom.set(edge.from, list);
  }
  const hasBias = new Set(params.filter((p) => p.localName === 'bias').map((p) => p.modulePath));
  const verdicts = new Map<string, FeedVerdict>();
  for (const module of modules) {
    if (!LINEAR_IN_WEIGHT_KINDS.has(module.kind) && !LINEAR_IN_WEIGHT_KINDS.has(module.baseKind ?? '')) continue;
    const out = edgesFrom.get(module.path) ?? [];
    const reachesNorm = (e: ModuleEdge): boolean => normalizers.has(e.to) && e.via.every(isScaleTransparentOp);
    const biasCancels = (e: ModuleEdge): boolean =>
      normalizesPerChannel(kindOf.get(e.to) ?? '') && e.via.every((op) => SHAPE_OPS.has(op));
    const feeds = out.length > 0 && out.every(reachesNorm) && (!hasBias.has(module.path) || out.every(biasCancels));
    verdicts.set(module.path, feeds ? { feeds, normalizedBy: out[0].to } : { feeds });
  }
  return verdicts;
}

/** Local names of the weight of a linear-in-weight module: PyTorch's, and TF.js's. */
const WEIGHT_NAMES = new Set(['weight', 'kernel', 'depthwise_kernel', 'embeddings']);

/**
 * Sets `feedsNormalization` (and `normalizedBy`) on the weights of linear-in-weight modules;
 * other parameters get `false`. Leaves them absent when `edges` is null (graph unknown).
 */
export function markScaleInvariantWeights(
  modules: readonly ModuleInfo[],
  params: ParamInfo[],
  edges: readonly ModuleEdge[] | null
): void {
  if (!edges) return;
  const verdicts = feedsNormalization(modules, params, edges);
  for (const param of params) {
    const verdict = WEIGHT_NAMES.has(param.localName) ? verdicts.get(param.modulePath) : undefined;
    param.feedsNormalization = verdict?.feeds ?? false;
    if (verdict?.normalizedBy) param.normalizedBy = verdict.normalizedBy;
  }
}

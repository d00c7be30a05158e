/**
 * The four recipes of the document's section 6, ported faithfully — blind spots included — so
 * their groups can be compared with the structural default. Each returns PyTorch-shaped groups
 * (camelCase keys) with the reason for every placement.
 */
import type { ParamGroup, ParamInfo, ParamModel } from '../model/types';
import { toParamModel, type ModelSource } from '../model/source';
import { checkNonNegative } from './check';
import { ParamsError } from '../errors';

/** Options of the recipes, with each recipe's own defaults. */
export interface RecipeOptions {
  weightDecay?: number;
  lr?: number;
}

function twoGroups(
  decay: ParamInfo[],
  noDecay: ParamInfo[],
  reasons: [Record<string, string>, Record<string, string>],
  weightDecay: number,
  extra: [Record<string, unknown>, Record<string, unknown>]
): ParamGroup[] {
  return [
    { params: decay, weightDecay, ...extra[0], label: 'decay', reasons: reasons[0] },
    { params: noDecay, weightDecay: 0, ...extra[1], label: 'no_decay', reasons: reasons[1] }
  ];
}

function options(recipe: string, opts: RecipeOptions, defaults: Required<RecipeOptions>): Required<RecipeOptions> {
  return {
    weightDecay: checkNonNegative(`${recipe}: weightDecay`, opts.weightDecay ?? defaults.weightDecay),
    lr: checkNonNegative(`${recipe}: lr`, opts.lr ?? defaults.lr)
  };
}

/** The first of `needles` that `haystack` contains, as Python's `needle in haystack`. */
function firstContained(haystack: string, needles: readonly string[]): string | undefined {
  return needles.find((needle) => haystack.includes(needle));
}

/**
 * Section 6.1, "manual parameter grouping": skips frozen parameters; a name containing `bn`,
 * `batch_norm` or `norm` goes to no-decay, then a name containing `bias`; the rest decays.
 * Blind spot: a normalization module whose name has none of these (torchvision's
 * `downsample.1`) keeps its decay; any name that happens to contain `bn` loses it.
 */
export function groupsByNameHeuristic(source: ModelSource, opts: RecipeOptions = {}): ParamGroup[] {
  const { weightDecay, lr } = options('groupsByNameHeuristic', opts, { weightDecay: 1e-4, lr: 0.1 });
  const decay: ParamInfo[] = [];
  const noDecay: ParamInfo[] = [];
  const reasons: [Record<string, string>, Record<string, string>] = [{}, {}];
  for (const p of toParamModel(source).params) {
    if (!p.trainable) continue;
    const norm = firstContained(p.name, ['bn', 'batch_norm', 'norm']);
    if (norm) {
      noDecay.push(p);
      reasons[1][p.name] = `6.1 name heuristic: name contains "${norm}"`;
    } else if (p.name.includes('bias')) {
      noDecay.push(p);
      reasons[1][p.name] = '6.1 name heuristic: name contains "bias"';
    } else {
      decay.push(p);
      reasons[0][p.name] = '6.1 name heuristic: name contains none of "bn", "batch_norm", "norm", "bias"';
    }
  }
  return twoGroups(decay, noDecay, reasons, weightDecay, [{ lr }, { lr }]);
}

/** The normalization classes section 6.2 lists (no SyncBatchNorm, no LocalResponseNorm). */
const SECTION_6_2_NORM_KINDS = [
  'BatchNorm1d',
  'BatchNorm2d',
  'BatchNorm3d',
  'LayerNorm',
  'GroupNorm',
  'InstanceNorm1d',
  'InstanceNorm2d',
  'InstanceNorm3d'
];

/**
 * Section 6.2, "module type checking": walks the modules and the parameters each owns directly;
 * parameters of the listed normalization classes (or subclasses) and local names containing
 * `bias` go to no-decay. Blind spots: only the classes in its tuple (SyncBatchNorm, RMSNorm or a
 * custom norm keep decay), and a tensor shared by two modules is listed once per module.
 */
export function groupsByModuleType(source: ModelSource, opts: RecipeOptions = {}): ParamGroup[] {
  const { weightDecay, lr } = options('groupsByModuleType', opts, { weightDecay: 1e-4, lr: 0.1 });
  const model = toParamModel(source);
  const decay: ParamInfo[] = [];
  const noDecay: ParamInfo[] = [];
  const reasons: [Record<string, string>, Record<string, string>] = [{}, {}];
  for (const [module, members] of membersByModule(model)) {
    const kind = SECTION_6_2_NORM_KINDS.find((k) => k === module.kind || k === module.baseKind);
    for (const [localName, p] of members) {
      if (!p.trainable) continue;
      if (kind) {
        noDecay.push(p);
        reasons[1][p.name] = `6.2 module type: owned by a ${module.kind}${module.kind === kind ? '' : ` (a ${kind})`}`;
      } else if (localName.includes('bias')) {
        noDecay.push(p);
        reasons[1][p.name] = '6.2 module type: parameter name contains "bias"';
      } else {
        decay.push(p);
        reasons[0][p.name] = `6.2 module type: ${module.kind} is not a listed normalization and the name has no "bias"`;
      }
    }
  }
  return twoGroups(decay, noDecay, reasons, weightDecay, [{ lr }, { lr }]);
}

/**
 * Each module with the parameters it owns directly, by local name. Like PyTorch's
 * `module.named_parameters(recurse=False)` over `named_modules()`, a tied tensor appears under
 * every module that registers it.
 */
function membersByModule(model: ParamModel): Array<[ParamModel['modules'][number], Array<[string, ParamInfo]>]> {
  const byPath = new Map(model.modules.map((m) => [m.path, [] as Array<[string, ParamInfo]>]));
  for (const p of model.params) {
    for (const name of [p.name, ...p.aliases]) {
      const dot = name.lastIndexOf('.');
      byPath.get(dot < 0 ? '' : name.slice(0, dot))?.push([name.slice(dot + 1), p]);
    }
  }
  return model.modules.map((m) => [m, byPath.get(m.path) ?? []]);
}

/** Options of {@link groupsForLars}. */
export interface LarsRecipeOptions {
  weightDecay?: number;
  /** Section 6.3 excludes biases only when this is `'lars'` (its default). */
  optimizerName?: string;
}

/**
 * Section 6.3, SimCLR-style LARS groups: a name containing `bn` or `norm` — or `bias`, for LARS —
 * is excluded from weight decay and from layer adaptation (`layerAdaptation: false`); the rest
 * gets both. Blind spots: the name test of 6.1, and frozen parameters are not skipped.
 */
export function groupsForLars(source: ModelSource, opts: LarsRecipeOptions = {}): ParamGroup[] {
  const weightDecay = checkNonNegative('groupsForLars: weightDecay', opts.weightDecay ?? 1e-6);
  const optimizerName = opts.optimizerName ?? 'lars';
  const adapted: ParamInfo[] = [];
  const excluded: ParamInfo[] = [];
  const reasons: [Record<string, string>, Record<string, string>] = [{}, {}];
  for (const p of toParamModel(source).params) {
    const norm = firstContained(p.name, ['bn', 'norm']);
    if (norm) {
      excluded.push(p);
      reasons[1][p.name] = `6.3 LARS: name contains "${norm}"`;
    } else if (optimizerName === 'lars' && p.name.includes('bias')) {
      excluded.push(p);
      reasons[1][p.name] = '6.3 LARS: name contains "bias"';
    } else {
      adapted.push(p);
      reasons[0][p.name] =
        '6.3 LARS: name contains none of "bn", "norm"' + (optimizerName === 'lars' ? ', "bias"' : '');
    }
  }
  return twoGroups(adapted, excluded, reasons, weightDecay, [{ layerAdaptation: true }, { layerAdaptation: false }]);
}

const SECTION_6_4_NO_DECAY = ['bias', 'bn', 'norm', 'BatchNorm', 'LayerNorm', 'GroupNorm'];

/**
 * Section 6.4, AdamW groups: a trainable parameter whose name contains any of `bias`, `bn`,
 * `norm`, `BatchNorm`, `LayerNorm`, `GroupNorm` gets no decay. Blind spot: the class names never
 * occur in PyTorch parameter names, so this is the name test of 6.1 again.
 */
export function groupsForAdamW(source: ModelSource, opts: RecipeOptions = {}): ParamGroup[] {
  const { weightDecay, lr } = options('groupsForAdamW', opts, { weightDecay: 1e-2, lr: 1e-3 });
  const decay: ParamInfo[] = [];
  const noDecay: ParamInfo[] = [];
  const reasons: [Record<string, string>, Record<string, string>] = [{}, {}];
  for (const p of toParamModel(source).params) {
    if (!p.trainable) continue;
    const hit = firstContained(p.name, SECTION_6_4_NO_DECAY);
    if (hit) {
      noDecay.push(p);
      reasons[1][p.name] = `6.4 AdamW: name contains "${hit}"`;
    } else {
      decay.push(p);
      reasons[0][p.name] = `6.4 AdamW: name contains none of ${SECTION_6_4_NO_DECAY.map((s) => `"${s}"`).join(', ')}`;
    }
  }
  return twoGroups(decay, noDecay, reasons, weightDecay, [{ lr }, { lr }]);
}

/** The recipes by name, for {@link groupsByRecipe}. */
export const RECIPES = {
  nameHeuristic: groupsByNameHeuristic,
  moduleType: groupsByModuleType,
  lars: groupsForLars,
  adamw: groupsForAdamW
} as const;

/** A recipe name of {@link RECIPES}. */
export type RecipeName = keyof typeof RECIPES;

/** Runs the recipe called `name`; an unknown name is an error that lists the known ones. */
export function groupsByRecipe(
  name: string,
  source: ModelSource,
  opts: RecipeOptions & LarsRecipeOptions = {}
): ParamGroup[] {
  if (!Object.prototype.hasOwnProperty.call(RECIPES, name)) {
    throw new ParamsError(`unknown recipe "${name}"; known recipes: ${Object.keys(RECIPES).join(', ')}`);
  }
  return RECIPES[name as RecipeName](source, opts);
}

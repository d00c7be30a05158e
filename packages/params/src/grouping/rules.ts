/**
 * User rules for {@link groupParams}: which parameters (by name pattern, local name, module kind)
 * get which hyperparameters. Translators express timm's no-weight-decay lists, detectron2's
 * `get_default_optimizer_params` and MMEngine's `paramwise_cfg` as rules.
 */
import type { ParamInfo } from '../model/types';
import { isNormalizationParam } from '../model/normalization';
import { checkNonNegative } from './check';
import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/** A hyperparameter value a rule may set (plain JSON). */
export type RuleValue = number | boolean | string | null | number[];

/**
 * One rule. A parameter matches when every criterion given holds; a rule with no criterion
 * matches every parameter. Rules apply in order and a later rule overrides what an earlier one
 * set. Multipliers are relative to the base `weightDecay`/`lr` of the call, not to earlier rules.
 */
export interface GroupingRule {
  /** Shown in each placement's reason (default: the rule's criteria). */
  description?: string;
  /** Glob over full dotted names (`*` matches anything, dots included) or a RegExp; any alias matching counts. */
  name?: string | RegExp;
  /** Matches when a full name contains this substring (MMEngine's `custom_keys`, Python's `in`). */
  nameContains?: string;
  /** Exact full names (timm's `no_weight_decay()` set). */
  names?: string[];
  /** The parameter's name inside its module (`bias`, `weight`, `embedding`). */
  localName?: string;
  /** Owning module kind(s), compared with the kind and the base kind. */
  moduleKind?: string | string[];
  /**
   * Matches parameters that a strong signal calls normalization (true: class, torch.nn hierarchy or
   * behaviour probe, as the structural default decides) or the others (false).
   */
  normalization?: boolean;
  /** Matches weights that feed normalization (needs a known graph). */
  feedsNormalization?: boolean;
  weightDecay?: number;
  weightDecayMultiplier?: number;
  lr?: number;
  lrMultiplier?: number;
  /** Extra per-group keys (`momentum`, `betas`, `layerAdaptation`, …), camelCase. */
  hyperparameters?: Record<string, RuleValue>;
  /** Leaves the matched parameters out of every group (they will not be trained). */
  skip?: boolean;
  /** The label of the groups this rule's parameters land in. */
  label?: string;
}

const RULE_KEYS = new Set<string>([
  'description',
  'name',
  'nameContains',
  'names',
  'localName',
  'moduleKind',
  'normalization',
  'feedsNormalization',
  'weightDecay',
  'weightDecayMultiplier',
  'lr',
  'lrMultiplier',
  'hyperparameters',
  'skip',
  'label'
]);

const SNAKE_HINTS: Record<string, string> = {
  weight_decay: 'weightDecay',
  decay_mult: 'weightDecayMultiplier',
  lr_mult: 'lrMultiplier',
  module_kind: 'moduleKind',
  local_name: 'localName'
};

/** A rule checked and compiled to a predicate. */
export interface CompiledRule {
  rule: GroupingRule;
  index: number;
  describe: string;
  matches(param: ParamInfo): boolean;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** Checks a rule (unknown fields, bad values) and compiles its criteria. Errors name the rule. */
export function compileRule(rule: GroupingRule, index: number): CompiledRule {
  if (typeof rule !== 'object' || rule === null)
    throw new ParamsError(`rule ${index}: expected an object, got ${describeValue(rule)}`);
  const where = `rule ${index}${rule.description ? ` ("${rule.description}")` : ''}`;
  for (const key of Object.keys(rule)) {
    if (!RULE_KEYS.has(key)) {
      const hint = SNAKE_HINTS[key] ? `; did you mean "${SNAKE_HINTS[key]}"?` : '';
      throw new ParamsError(`${where}: unknown field "${key}"${hint}`);
    }
  }
  for (const key of ['weightDecay', 'weightDecayMultiplier', 'lr', 'lrMultiplier'] as const) {
    if (rule[key] !== undefined) checkNonNegative(`${where}: ${key}`, rule[key]);
  }
  if (rule.weightDecay !== undefined && rule.weightDecayMultiplier !== undefined) {
    throw new ParamsError(`${where}: give weightDecay or weightDecayMultiplier, not both`);
  }
  if (rule.lr !== undefined && rule.lrMultiplier !== undefined)
    throw new ParamsError(`${where}: give lr or lrMultiplier, not both`);
  const tests: Array<(p: ParamInfo) => boolean> = [];
  const parts: string[] = [];
  const anyName = (test: (name: string) => boolean) => (p: ParamInfo) => test(p.name) || p.aliases.some(test);
  if (rule.name !== undefined) {
    const re = typeof rule.name === 'string' ? globToRegExp(rule.name) : rule.name;
    tests.push(anyName((n) => re.test(n)));
    parts.push(`name ${typeof rule.name === 'string' ? `"${rule.name}"` : String(rule.name)}`);
  }
  if (rule.nameContains !== undefined) {
    const needle = rule.nameContains;
    tests.push(anyName((n) => n.includes(needle)));
    parts.push(`name contains "${needle}"`);
  }
  if (rule.names !== undefined) {
    const set = new Set(rule.names);
    tests.push(anyName((n) => set.has(n)));
    parts.push(`name in [${rule.names.join(', ')}]`);
  }
  if (rule.localName !== undefined) {
    const local = rule.localName;
    tests.push((p) => p.localName === local);
    parts.push(`local name "${local}"`);
  }
  if (rule.moduleKind !== undefined) {
    const kinds = new Set(Array.isArray(rule.moduleKind) ? rule.moduleKind : [rule.moduleKind]);
    tests.push((p) => kinds.has(p.moduleKind) || (p.moduleBaseKind !== undefined && kinds.has(p.moduleBaseKind)));
    parts.push(`module kind ${[...kinds].join('|')}`);
  }
  if (rule.normalization !== undefined) {
    const want = rule.normalization;
    tests.push((p) => isNormalizationParam(p) === want);
    parts.push(want ? 'normalization module' : 'not a normalization module');
  }
  if (rule.feedsNormalization !== undefined) {
    const want = rule.feedsNormalization;
    tests.push((p) => (p.feedsNormalization ?? false) === want);
    parts.push(want ? 'feeds normalization' : 'does not feed normalization');
  }
  return {
    rule,
    index,
    describe: `rule ${index} (${rule.description ?? (parts.join(', ') || 'every parameter')})`,
    matches: (p) => tests.every((test) => test(p))
  };
}

/** timm's `no_weight_decay()` list: these exact names get no decay. */
export function noWeightDecayRule(names: Iterable<string>): GroupingRule {
  return { description: 'no_weight_decay list', names: [...names], weightDecay: 0, label: 'no_decay' };
}

/** Options of detectron2's `get_default_optimizer_params`, camelCased. */
export interface Detectron2Options {
  weightDecayNorm?: number;
  biasLrFactor?: number;
  weightDecayBias?: number;
  /** By local parameter name, e.g. `{ embedding: { weightDecay: 0 } }`. */
  overrides?: Record<string, { lr?: number; weightDecay?: number }>;
}

/**
 * detectron2's grouping as rules: normalization parameters (by module type) get
 * `weightDecayNorm`, biases `lr × biasLrFactor` and `weightDecayBias`, then `overrides` by local
 * name. Use with `baseline: 'decay-all'` to match detectron2 exactly.
 */
export function detectron2Rules(options: Detectron2Options): GroupingRule[] {
  const rules: GroupingRule[] = [];
  if (options.weightDecayNorm !== undefined) {
    rules.push({
      description: 'detectron2 weight_decay_norm',
      normalization: true,
      weightDecay: options.weightDecayNorm
    });
  }
  if (options.biasLrFactor !== undefined || options.weightDecayBias !== undefined) {
    const rule: GroupingRule = { description: 'detectron2 bias', localName: 'bias' };
    if (options.biasLrFactor !== undefined) rule.lrMultiplier = options.biasLrFactor;
    if (options.weightDecayBias !== undefined) rule.weightDecay = options.weightDecayBias;
    rules.push(rule);
  }
  for (const [local, values] of Object.entries(options.overrides ?? {})) {
    rules.push({ description: `detectron2 override "${local}"`, localName: local, ...values });
  }
  return rules;
}

/** MMEngine's `paramwise_cfg` (the keys this supports), snake_case as in a config file. */
export interface ParamwiseCfg {
  bias_lr_mult?: number;
  bias_decay_mult?: number;
  norm_decay_mult?: number;
  custom_keys?: Record<string, { lr_mult?: number; decay_mult?: number }>;
}

/**
 * MMEngine's `paramwise_cfg` as rules: `custom_keys` match by substring and the longest key wins
 * (ties alphabetical), replacing the other multipliers; otherwise biases get `bias_lr_mult` and
 * `bias_decay_mult` and normalization parameters `norm_decay_mult`. Use with
 * `baseline: 'decay-all'` to match MMEngine exactly.
 */
export function paramwiseCfgRules(cfg: ParamwiseCfg): GroupingRule[] {
  const known = new Set(['bias_lr_mult', 'bias_decay_mult', 'norm_decay_mult', 'custom_keys']);
  for (const key of Object.keys(cfg)) {
    if (!known.has(key))
      throw new ParamsError(`paramwise_cfg: unsupported key "${key}" (supported: ${[...known].join(', ')})`);
  }
  const rules: GroupingRule[] = [];
  if (cfg.bias_lr_mult !== undefined || cfg.bias_decay_mult !== undefined) {
    const rule: GroupingRule = { description: 'paramwise_cfg bias', localName: 'bias', normalization: false };
    if (cfg.bias_lr_mult !== undefined) rule.lrMultiplier = cfg.bias_lr_mult;
    if (cfg.bias_decay_mult !== undefined) rule.weightDecayMultiplier = cfg.bias_decay_mult;
    rules.push(rule);
  }
  if (cfg.norm_decay_mult !== undefined) {
    rules.push({ description: 'paramwise_cfg norm', normalization: true, weightDecayMultiplier: cfg.norm_decay_mult });
  }
  // Applied in reverse priority, so the key MMEngine would pick (longest, then alphabetical) comes last.
  const keys = Object.keys(cfg.custom_keys ?? {})
    .sort()
    .sort((a, b) => b.length - a.length)
    .reverse();
  for (const key of keys) {
    const entry = cfg.custom_keys![key];
    rules.push({
      description: `paramwise_cfg custom_keys "${key}"`,
      nameContains: key,
      lrMultiplier: entry.lr_mult ?? 1,
      weightDecayMultiplier: entry.decay_mult ?? 1
    });
  }
  return rules;
}

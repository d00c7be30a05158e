/**
 * The structural default: no weight decay for every parameter that a strong signal calls
 * normalization (class, torch.nn hierarchy, behaviour probe — never the parameter's name), that
 * the model declares decay-free, or that is a bias; for a module of unknown kind, none for its
 * parameters with ndim ≤ 1 (timm's rule); optionally none for weights that feed normalization;
 * then the user's rules. Parameters with the same hyperparameters share a group, and every
 * placement records the reasons that decided it.
 */
import type { ParamGroup, ParamInfo } from '../model/types';
import { isBias, normalizationVerdict, type NormalizationVerdict } from '../model/normalization';
import { toParamModel, type ModelSource } from '../model/source';
import { SignalWarnings } from './signal-warnings';
import { checkNonNegative } from './check';
import { compileRule, type CompiledRule, type GroupingRule, type RuleValue } from './rules';
import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/** Options of {@link groupParams}. */
export interface GroupParamsOptions {
  /** Decay of the decayed group (default 1e-4). */
  weightDecay?: number;
  /** Learning rate written into every group; needed when a rule uses `lrMultiplier`. */
  lr?: number;
  /**
   * `'structural'` (default): normalization parameters and biases start without decay.
   * `'decay-all'`: everything starts with `weightDecay`, as detectron2 and MMEngine do before their options.
   */
  baseline?: 'structural' | 'decay-all';
  /** Also exclude weights that feed normalization (scale-invariant; needs a known graph). */
  excludeScaleInvariant?: boolean;
  /** Applied in order after the baseline; a later rule overrides an earlier one. */
  rules?: GroupingRule[];
}

/** A parameter left out of every group, and why. */
export interface SkippedParam {
  param: ParamInfo;
  reason: string;
}

/** What {@link groupParams} returns. */
export interface GroupingResult {
  /** PyTorch-shaped groups, ready for an optimizer. */
  groups: ParamGroup[];
  /** Frozen parameters and those a rule skipped. */
  skipped: SkippedParam[];
  /**
   * Problems that did not stop the grouping: a rule that matched no parameter, parameters of a
   * module of unknown kind placed by timm's ndim ≤ 1 rule, a decayed parameter whose class name
   * alone says normalization.
   */
  warnings: string[];
}

interface Placement {
  weightDecay: number;
  lr: number | undefined;
  extra: Record<string, RuleValue>;
  label: string | undefined;
  reasons: string[];
}

/** Whether the baseline decays one parameter, and why. */
function baseline(
  p: ParamInfo,
  verdict: NormalizationVerdict,
  options: GroupParamsOptions
): { decays: boolean; reason: string } {
  if (options.baseline === 'decay-all') return { decays: true, reason: 'baseline decay-all: weight decay' };
  if (verdict.noDecay) return { decays: false, reason: verdict.reason };
  if (isBias(p)) return { decays: false, reason: `bias of ${p.moduleKind}: no decay` };
  if (options.excludeScaleInvariant && p.feedsNormalization) {
    return { decays: false, reason: `feeds ${p.normalizedBy ?? 'a normalization'} (scale-invariant): no decay` };
  }
  return { decays: true, reason: `${p.moduleKind} ${p.localName}: weight decay` };
}

/** Parameters with equal keys share a group. */
function placementKey(placement: Omit<Placement, 'reasons'>): string {
  const extraKeys = Object.keys(placement.extra);
  const extra = extraKeys.length === 0 ? '' : JSON.stringify(extraKeys.sort().map((k) => [k, placement.extra[k]]));
  return `${placement.weightDecay}|${placement.lr}|${placement.label}|${extra}`;
}

function applyRule(
  placement: Placement,
  compiled: CompiledRule,
  base: { weightDecay: number; lr: number | undefined }
): void {
  const { rule } = compiled;
  const effects: string[] = [];
  if (rule.weightDecay !== undefined) {
    placement.weightDecay = rule.weightDecay;
    effects.push(`weightDecay ${rule.weightDecay}`);
  }
  if (rule.weightDecayMultiplier !== undefined) {
    placement.weightDecay = base.weightDecay * rule.weightDecayMultiplier;
    effects.push(`weightDecay ×${rule.weightDecayMultiplier}`);
  }
  if (rule.lr !== undefined) {
    placement.lr = rule.lr;
    effects.push(`lr ${rule.lr}`);
  }
  if (rule.lrMultiplier !== undefined) {
    if (base.lr === undefined) throw new ParamsError(`${compiled.describe}: lrMultiplier needs options.lr`);
    placement.lr = base.lr * rule.lrMultiplier;
    effects.push(`lr ×${rule.lrMultiplier}`);
  }
  for (const [key, value] of Object.entries(rule.hyperparameters ?? {})) {
    placement.extra[key] = value;
    effects.push(`${key} ${JSON.stringify(value)}`);
  }
  if (rule.label !== undefined) placement.label = rule.label;
  else if (rule.weightDecay !== undefined || rule.weightDecayMultiplier !== undefined) {
    placement.label = placement.weightDecay === 0 ? 'no_decay' : 'decay';
  }
  placement.reasons.push(`${compiled.describe}: ${effects.join(', ') || 'matched'}`);
}

const RESERVED_KEYS = new Set(['params', 'weightDecay', 'lr', 'label', 'reasons']);

/**
 * Builds parameter groups for `source`: the structural baseline, then `rules`. Frozen parameters
 * are skipped (listed in `skipped`), tied parameters are placed once, and each group's `reasons`
 * says why each member is there. Throws on a bad option or rule, naming it; a rule that matches
 * nothing is a warning.
 */
export function groupParams(source: ModelSource, options: GroupParamsOptions = {}): GroupingResult {
  const model = toParamModel(source);
  const weightDecay = checkNonNegative('groupParams: weightDecay', options.weightDecay ?? 1e-4);
  if (options.lr !== undefined) checkNonNegative('groupParams: lr', options.lr);
  if (options.baseline !== undefined && options.baseline !== 'structural' && options.baseline !== 'decay-all') {
    throw new ParamsError(
      `groupParams: unknown baseline ${describeValue(options.baseline)} (expected "structural" or "decay-all")`
    );
  }
  const rules = (options.rules ?? []).map(compileRule);
  for (const compiled of rules) {
    for (const key of Object.keys(compiled.rule.hyperparameters ?? {})) {
      if (RESERVED_KEYS.has(key))
        throw new ParamsError(`${compiled.describe}: "${key}" cannot be set through hyperparameters`);
    }
  }
  const warnings: string[] = [];
  if (model.params.length === 0) warnings.push(`model "${model.name}" has no parameters`);
  if (options.excludeScaleInvariant && model.edges === null) {
    warnings.push('excludeScaleInvariant: the module graph is unknown, so no weight is known to feed normalization');
  }
  const signalWarnings = new SignalWarnings(model.source);
  const matched = new Array<boolean>(rules.length).fill(false);
  const skipped: SkippedParam[] = [];
  const groups: ParamGroup[] = [];
  const groupByKey = new Map<string, ParamGroup>();
  const base = { weightDecay, lr: options.lr };
  // The two baseline placements, shared by every parameter no rule touches.
  const decayed = { weightDecay, lr: options.lr, extra: {}, label: 'decay' };
  const notDecayed = { weightDecay: 0, lr: options.lr, extra: {}, label: 'no_decay' };
  const decayedKey = placementKey(decayed);
  const notDecayedKey = placementKey(notDecayed);
  for (const p of model.params) {
    const verdict = normalizationVerdict(p);
    const { decays, reason } = baseline(p, verdict, options);
    let changed: Placement | undefined;
    let skipBy: CompiledRule | undefined;
    for (let i = 0; i < rules.length; i++) {
      const compiled = rules[i];
      if (!compiled.matches(p)) continue;
      matched[i] = true;
      if (compiled.rule.skip) {
        skipBy = compiled;
        continue;
      }
      changed ??= { ...(decays ? decayed : notDecayed), extra: {}, reasons: [reason] };
      applyRule(changed, compiled, base);
    }
    if (!p.trainable) {
      skipped.push({ param: p, reason: 'frozen (not trainable): in no group' });
      continue;
    }
    if (skipBy) {
      skipped.push({ param: p, reason: `${skipBy.describe}: skipped` });
      continue;
    }
    const placement = changed ?? (decays ? decayed : notDecayed);
    const key = changed ? placementKey(changed) : decays ? decayedKey : notDecayedKey;
    let group = groupByKey.get(key);
    if (!group) {
      group = { params: [], weightDecay: placement.weightDecay, ...placement.extra, reasons: {} };
      if (placement.lr !== undefined) group.lr = placement.lr;
      if (placement.label !== undefined) group.label = placement.label;
      groupByKey.set(key, group);
      groups.push(group);
    }
    group.params.push(p);
    group.reasons![p.name] = changed ? changed.reasons.join('; ') : reason;
    signalWarnings.note(p, verdict, placement.weightDecay);
  }
  rules.forEach((compiled, i) => {
    if (!matched[i]) warnings.push(`${compiled.describe} matches no parameter`);
  });
  warnings.push(...signalWarnings.messages());
  return { groups, skipped, warnings };
}

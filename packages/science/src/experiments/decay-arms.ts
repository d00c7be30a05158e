/**
 * The five arms of the decay-group ablation (derivation row D13): which parameters get weight
 * decay. Parameters are sorted into roles by structure (module kind and the traced graph), never
 * by name, so the arms mean the same thing on any model.
 */
import type { ParamGroup, ParamInfo, ParamModel } from '@paramscope/core';
import { isNormalizationParam } from '@paramscope/core';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** What a parameter is, for the ablation. */
export type ParamRole = 'bn-fed-weight' | 'norm-affine' | 'bias' | 'other-weight';

/** The roles, in display order. */
export const PARAM_ROLES: readonly ParamRole[] = ['bn-fed-weight', 'norm-affine', 'bias', 'other-weight'];

/** Human labels of the roles. */
export const PARAM_ROLE_LABELS: Readonly<Record<ParamRole, string>> = {
  'bn-fed-weight': 'weights feeding BN',
  'norm-affine': 'BN γ, β',
  bias: 'other biases',
  'other-weight': 'other weights'
};

/** An arm of the ablation. */
export type DecayArm = 'decay-all' | 'no-decay-norm-bias' | 'no-decay-bn-fed' | 'section5-recipe' | 'no-decay';

/** The arms, in display order. */
export const DECAY_ARMS: readonly DecayArm[] = [
  'decay-all',
  'no-decay-norm-bias',
  'no-decay-bn-fed',
  'section5-recipe',
  'no-decay'
];

/** Human labels of the arms. */
export const DECAY_ARM_LABELS: Readonly<Record<DecayArm, string>> = {
  'decay-all': 'decay everything',
  'no-decay-norm-bias': 'no decay on γ, β and biases',
  'no-decay-bn-fed': 'no decay on weights feeding BN',
  'section5-recipe': '§5 recipe: decay only weights not feeding BN',
  'no-decay': 'no decay at all'
};

/** The roles each arm exempts from decay. */
const EXEMPT: Readonly<Record<DecayArm, ReadonlySet<ParamRole>>> = {
  'decay-all': new Set(),
  'no-decay-norm-bias': new Set<ParamRole>(['norm-affine', 'bias']),
  'no-decay-bn-fed': new Set<ParamRole>(['bn-fed-weight']),
  // The document's §5 in full: γ, β, biases and the weights that feed a normalization layer.
  'section5-recipe': new Set<ParamRole>(['norm-affine', 'bias', 'bn-fed-weight']),
  'no-decay': new Set(PARAM_ROLES)
};

/**
 * The role of one parameter. Needs the traced graph (`feedsNormalization` set, e.g. by
 * `paramModelFromModule(module, { sampleInput })`): without it, weights feeding BN cannot be told apart.
 */
export function paramRole(param: ParamInfo): ParamRole {
  if (param.feedsNormalization === undefined) {
    throw new ScienceError(
      `paramRole: '${param.name}' has no feedsNormalization flag; ` +
        'build the parameter model with a sample input so the graph is traced'
    );
  }
  if (isNormalizationParam(param)) return 'norm-affine';
  if (param.feedsNormalization) return 'bn-fed-weight';
  if (param.localName === 'bias') return 'bias';
  return 'other-weight';
}

/** True when `arm` gives decay to parameters of `role`. */
export function armDecays(arm: DecayArm, role: ParamRole): boolean {
  const exempt = EXEMPT[arm];
  if (!exempt) throw new ScienceError(`unknown decay arm '${arm}' (expected one of ${DECAY_ARMS.join(', ')})`);
  return !exempt.has(role);
}

/**
 * The parameter groups of an arm: `decay` (weight decay `weightDecay`) and `no_decay` (0), each
 * left out when empty; every trainable parameter in exactly one, with the reason by name.
 */
export function decayArmGroups(model: ParamModel, arm: DecayArm, weightDecay: number): ParamGroup[] {
  if (!(weightDecay >= 0) || !Number.isFinite(weightDecay)) {
    throw new ScienceError(
      `decayArmGroups: weightDecay must be a finite number ≥ 0, got ${describeValue(weightDecay)}`
    );
  }
  const decay: ParamGroup = { label: 'decay', weightDecay, params: [], reasons: {} };
  const noDecay: ParamGroup = { label: 'no_decay', weightDecay: 0, params: [], reasons: {} };
  for (const param of model.params) {
    if (!param.trainable) continue;
    const role = paramRole(param);
    const group = armDecays(arm, role) ? decay : noDecay;
    group.params.push(param);
    (group.reasons as Record<string, string>)[param.name] = `${PARAM_ROLE_LABELS[role]} (${DECAY_ARM_LABELS[arm]})`;
  }
  return [decay, noDecay].filter((group) => group.params.length > 0);
}

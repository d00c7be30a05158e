/**
 * Reads what the user hands to `inspect`/`watch` — an optimizer with `paramGroups`, or a list of
 * groups — into plain descriptions of groups and parameters. Structural on purpose: any object
 * with `paramGroups` works, and a member may be a `ParamInfo`, an optimizer's resolved
 * `{ name, variable, source }` or a bare `tf.Variable`.
 */
import type { ParamInfo, ParamModel } from '@paramscope/core';
import type { HyperparameterValue } from '@paramscope/protocol';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from '../errors';

/** The least a tensor offers: TF.js variables and tensors have these. */
export interface TensorLike {
  name?: string;
  shape: number[];
  size?: number;
  trainable?: boolean;
}

/** A group member as optimizers and recipes hold them. */
export type MemberLike = TensorLike | (Partial<ParamInfo> & { name: string; variable?: TensorLike; source?: unknown });

/** A parameter group: members plus hyperparameters (and optionally `label` and `reasons`). */
export interface GroupLike {
  params: MemberLike[];
  label?: string;
  reasons?: Record<string, string>;
  [key: string]: unknown;
}

/** Anything with PyTorch-style parameter groups (the paramscope optimizers, torch-like wrappers). */
export interface OptimizerLike {
  paramGroups: GroupLike[];
  step?: (...args: never[]) => unknown;
  /** Per-parameter figures of the last step (`@paramscope/core` optimizers). */
  diagnostics?: () => Array<{ name: string; groupIndex: number; gradNorm?: number; effectiveLr?: number }>;
}

/** What `inspect` accepts. */
export type InspectTarget = OptimizerLike | GroupLike[];

/** One member, resolved to what the snapshot shows. */
export interface MemberDescription {
  name: string;
  aliases: string[];
  shape: number[];
  size: number;
  moduleKind: string;
  modulePath: string;
  trainable: boolean;
  feedsNormalization?: boolean;
  normalizedBy?: string;
  /** The tensor holding the values, when there is one (for weight norms). */
  tensor?: TensorLike;
}

/** One group, resolved. */
export interface GroupDescription {
  index: number;
  label?: string;
  hyperparameters: Record<string, HyperparameterValue>;
  members: MemberDescription[];
  reasons: Record<string, string>;
}

/** True for an optimizer-like object (as opposed to a list of groups). */
export function isOptimizerLike(target: unknown): target is OptimizerLike {
  return (
    typeof target === 'object' &&
    target !== null &&
    !Array.isArray(target) &&
    Array.isArray((target as OptimizerLike).paramGroups)
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isTensorLike(value: unknown): value is TensorLike {
  return isObject(value) && Array.isArray(value.shape);
}

/** A model's parameter by name or alias. */
export type ParamLookup = (name: string) => ParamInfo | undefined;

/**
 * Indexes a model's parameters by every name they have (name and aliases), once: the first
 * parameter in the model's order that has a name wins, as a linear search would find it.
 * Describing 10,000 members then takes 10,000 map look-ups, not 10,000 scans of the model.
 */
export function paramLookup(model: ParamModel | undefined): ParamLookup {
  if (!model) return () => undefined;
  const byName = new Map<string, ParamInfo>();
  for (const param of model.params) {
    for (const name of [param.name, ...param.aliases]) if (!byName.has(name)) byName.set(name, param);
  }
  return (name) => byName.get(name);
}

/**
 * Describes one member. Fields come from the member itself, then from `source` (what the user
 * passed to an optimizer, often a `ParamInfo`), then from the model's `ParamInfo` of that name
 * (`model` may be a {@link paramLookup} of it, when describing many members).
 */
export function describeMember(member: MemberLike, where: string, model?: ParamModel | ParamLookup): MemberDescription {
  if (!isObject(member))
    throw new NotebookError(`paramscope inspect: ${where} is ${describeValue(member)}, not a parameter`);
  type Loose = Partial<Omit<ParamInfo, 'variable'>> & { variable?: unknown; source?: unknown };
  const own = member as Loose;
  const source: Loose = isObject(own.source) && own.source !== member ? (own.source as Loose) : {};
  const name = typeof own.name === 'string' ? own.name : typeof source.name === 'string' ? source.name : undefined;
  if (!name) throw new NotebookError(`paramscope inspect: ${where} has no name`);
  const known: Loose | undefined = (typeof model === 'function' ? model : paramLookup(model))(name);
  const tensor = [own.variable, source.variable, known?.variable, member].find(isTensorLike);
  const shape = own.shape ?? source.shape ?? known?.shape ?? tensor?.shape;
  if (!Array.isArray(shape)) throw new NotebookError(`paramscope inspect: parameter '${name}' (${where}) has no shape`);
  const pick = <K extends keyof Loose>(key: K): Loose[K] => own[key] ?? source[key] ?? known?.[key];
  return {
    name,
    aliases: pick('aliases') ?? [],
    shape: [...shape],
    size: pick('size') ?? shape.reduce((a, b) => a * b, 1),
    moduleKind: pick('moduleKind') ?? 'unknown',
    modulePath: pick('modulePath') ?? '',
    trainable: pick('trainable') ?? tensor?.trainable ?? true,
    feedsNormalization: pick('feedsNormalization'),
    normalizedBy: pick('normalizedBy'),
    tensor
  };
}

/** JSON-safe hyperparameter value; non-finite numbers become `null`, objects their JSON text. */
export function hyperparameterValue(value: unknown): HyperparameterValue | undefined {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isFinite(v))) return [...value];
  if (typeof value === 'function' || value === undefined) return undefined;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const NOT_HYPERPARAMETERS = new Set(['params', 'label', 'reasons']);

/** Describes the groups of an optimizer or a list of groups. */
export function describeGroups(target: InspectTarget, model?: ParamModel): GroupDescription[] {
  const groups = isOptimizerLike(target) ? target.paramGroups : target;
  if (!Array.isArray(groups)) {
    throw new NotebookError(
      'paramscope inspect: expected an optimizer (with paramGroups) or an array of parameter groups, ' +
        `got ${describeValue(target)}`
    );
  }
  const lookup = paramLookup(model);
  return groups.map((group, index) => {
    if (!isObject(group) || !Array.isArray(group.params)) {
      throw new NotebookError(
        `paramscope inspect: group ${index} must be an object with a params array, got ${describeValue(group)}`
      );
    }
    const hyperparameters: Record<string, HyperparameterValue> = {};
    for (const [key, value] of Object.entries(group)) {
      if (NOT_HYPERPARAMETERS.has(key)) continue;
      const converted = hyperparameterValue(value);
      if (converted !== undefined) hyperparameters[key] = converted;
    }
    return {
      index,
      label: typeof group.label === 'string' ? group.label : undefined,
      hyperparameters,
      members: group.params.map((member, k) => describeMember(member, `group ${index}, params[${k}]`, lookup)),
      reasons: isObject(group.reasons) ? (group.reasons as Record<string, string>) : {}
    };
  });
}

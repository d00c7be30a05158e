/**
 * Anything a model's parameters can be read from, turned into a {@link ParamModel}: the seam
 * between this package (no tensor library) and the packages that read live models.
 *
 * Every function that takes a model (`groupParams`, `verifyParamGroups`, the recipes) takes a
 * {@link ModelSource} and calls {@link toParamModel}. Here a model source is a `ParamModel`
 * (a structure file's, a hand-made one). A package that reads models of a tensor library adds
 * its own kinds in two steps: at run time with {@link registerModelSource}, and for the type
 * checker by augmenting {@link ModelSourceTypes}. `@paramscope/core` registers its nn `Module`
 * and TF.js's `LayersModel` this way, so `groupParams(resnet18())` works with the very same
 * `groupParams` this package exports.
 */
import type { ParamInfo, ParamModel } from './types';
import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/**
 * Registry of model-source types (the union {@link ModelSource} is made of its property types).
 * `@paramscope/core` augments it:
 *
 * ```ts
 * declare module '@paramscope/params' {
 *   interface ModelSourceTypes { nnModule: Module; layersModel: tf.LayersModel }
 * }
 * ```
 */
export interface ModelSourceTypes {
  paramModel: ParamModel;
}

/**
 * A parameter model, or anything a registered adapter reads one from (nn modules, LayersModels
 * with `@paramscope/core`).
 */
export type ModelSource = ModelSourceTypes[keyof ModelSourceTypes];

/** Reads the parameter model of one kind of model. */
export interface ModelSourceAdapter {
  /** The kind with its article, shown in errors: `an nn Module`, `a tf.LayersModel`. */
  name: string;
  /** Whether `value` is of this adapter's kind. */
  accepts(value: unknown): boolean;
  /** The parameter model of `value` (only called when {@link accepts} is true). */
  toParamModel(value: unknown): ParamModel;
}

const adapters: ModelSourceAdapter[] = [];

/**
 * Teaches {@link toParamModel} (and so every function taking a `ModelSource`) a kind of model.
 * Adapters are tried in registration order; registering an adapter of the same name again
 * replaces it (a module loaded twice registers once).
 */
export function registerModelSource(adapter: ModelSourceAdapter): void {
  const index = adapters.findIndex((a) => a.name === adapter.name);
  if (index >= 0) adapters[index] = adapter;
  else adapters.push(adapter);
}

/** The names of the registered model-source kinds, in the order they are tried. */
export function registeredModelSources(): string[] {
  return adapters.map((a) => a.name);
}

function isParamModel(value: unknown): value is ParamModel {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as ParamModel).params) &&
    Array.isArray((value as ParamModel).modules)
  );
}

/**
 * The parameter model of `source`: a `ParamModel` as it is (after checking that no name is given
 * twice), anything else through the registered adapters. An nn module is read without a graph
 * trace: call core's `paramModelFromModule(module, { sampleInput })` to know which weights feed
 * normalization.
 */
export function toParamModel(source: ModelSource): ParamModel {
  for (const adapter of adapters) {
    if (adapter.accepts(source)) return adapter.toParamModel(source);
  }
  if (isParamModel(source)) return checkNamesOnce(source);
  const kinds = ['a ParamModel', ...adapters.map((a) => a.name)];
  const expected = kinds.length === 1 ? kinds[0] : `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
  const hint = adapters.length === 0 ? " (import '@paramscope/core' to pass nn modules and TF.js LayersModels)" : '';
  throw new ParamsError(`expected ${expected}, got ${describeValue(source)}${hint}`);
}

/** Every name of a parameter: its canonical name, then its aliases. */
export function allNames(param: { name: string; aliases: string[] }): string[] {
  return param.aliases.length === 0 ? [param.name] : [param.name, ...param.aliases];
}

/** Parameter lists already checked: grouping then verifying a model checks it once. */
const checkedLists = new WeakSet<ParamInfo[]>();

/** A hand-made model may name a tensor twice; that would place it twice, so it is an error. */
function checkNamesOnce(model: ParamModel): ParamModel {
  if (checkedLists.has(model.params)) return model;
  const seen = new Set<string>();
  for (const param of model.params) {
    for (const name of allNames(param)) {
      if (seen.has(name)) throw new ParamsError(`model "${model.name}": parameter "${name}" is given twice`);
      seen.add(name);
    }
  }
  checkedLists.add(model.params);
  return model;
}

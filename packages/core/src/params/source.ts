/** Anything a model's parameters can be read from, turned into a {@link ParamModel}. */
import * as tf from '@tensorflow/tfjs';
import { Module } from '../nn/module';
import { paramModelFromModule } from './from-module';
import { paramModelFromLayersModel } from './from-layers-model';
import type { ParamInfo, ParamModel } from './types';

/** A parameter model, or an nn module or TF.js LayersModel to read one from. */
export type ModelSource = ParamModel | Module | tf.LayersModel;

function isParamModel(value: unknown): value is ParamModel {
  return typeof value === 'object' && value !== null && Array.isArray((value as ParamModel).params) && Array.isArray((value as ParamModel).modules);
}

/**
 * The parameter model of `source`. An nn module is read without a graph trace: call
 * `paramModelFromModule(module, { sampleInput })` to know which weights feed normalization.
 */
export function toParamModel(source: ModelSource): ParamModel {
  if (source instanceof Module) return paramModelFromModule(source);
  if (source instanceof tf.LayersModel) return paramModelFromLayersModel(source);
  if (isParamModel(source)) return checkNamesOnce(source);
  throw new TypeError('expected a ParamModel, an nn Module or a tf.LayersModel');
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
      if (seen.has(name)) throw new Error(`model "${model.name}": parameter "${name}" is given twice`);
      seen.add(name);
    }
  }
  checkedLists.add(model.params);
  return model;
}

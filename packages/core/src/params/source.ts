/** Anything a model's parameters can be read from, turned into a {@link ParamModel}. */
import { Module } from '../nn/module';
import { paramModelFromModule } from './from-module';
import type { ParamModel } from './types';

/** A parameter model, or an nn module to read one from. */
export type ModelSource = ParamModel | Module;

function isParamModel(value: unknown): value is ParamModel {
  return typeof value === 'object' && value !== null && Array.isArray((value as ParamModel).params) && Array.isArray((value as ParamModel).modules);
}

/** The parameter model of `source` (an nn module is read without a graph trace). */
export function toParamModel(source: ModelSource): ParamModel {
  if (source instanceof Module) return paramModelFromModule(source);
  if (isParamModel(source)) return source;
  throw new TypeError('expected a ParamModel or an nn Module (for a LayersModel use paramModelFromLayersModel)');
}

/** Every name of a parameter: its canonical name, then its aliases. */
export function allNames(param: { name: string; aliases: string[] }): string[] {
  return param.aliases.length === 0 ? [param.name] : [param.name, ...param.aliases];
}

/**
 * The TF.js model sources: registers core's nn `Module` and TF.js's `LayersModel` with
 * `@paramscope/params`, so that every function taking a `ModelSource` there (`groupParams`,
 * `verifyParamGroups`, the recipes, `toParamModel`) reads them, and makes `ParamInfo.variable`
 * a `tf.Variable` for the type checker.
 */
import * as tf from '@tensorflow/tfjs';
import { registerModelSource } from '@paramscope/params';
import { Module } from '../nn/module';
import { paramModelFromModule } from './from-module';
import { paramModelFromLayersModel } from './from-layers-model';

declare module '@paramscope/params' {
  /** With `@paramscope/core`, a parameter's variable is a TF.js variable. */
  interface VariableTypes {
    tfjs: tf.Variable;
  }
  /** With `@paramscope/core`, a model source may be an nn module or a TF.js LayersModel. */
  interface ModelSourceTypes {
    nnModule: Module;
    layersModel: tf.LayersModel;
  }
}

registerModelSource({
  name: 'an nn Module',
  accepts: (value) => value instanceof Module,
  toParamModel: (value) => paramModelFromModule(value as Module)
});
registerModelSource({
  name: 'a tf.LayersModel',
  accepts: (value) => value instanceof tf.LayersModel,
  toParamModel: (value) => paramModelFromLayersModel(value as tf.LayersModel)
});

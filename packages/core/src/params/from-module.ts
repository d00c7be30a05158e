/** The parameter model of an nn {@link Module}. */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../nn/module';
import { traceModuleGraph } from '../nn/trace';
import { markScaleInvariantWeights } from '@paramscope/params';
import type { ModuleInfo, ParamInfo, ParamModel } from '@paramscope/params';

/** Options of {@link paramModelFromModule}. */
export interface FromModuleOptions {
  /** Display name of the model (default: the root module's kind). */
  name?: string;
  /**
   * A sample input: when given, one forward pass in evaluation mode traces the module graph, so
   * weights that feed normalization are marked. Without it the graph is unknown.
   */
  sampleInput?: tf.Tensor;
}

/**
 * Every distinct parameter of `root` with its names, shape, owner and trainable flag. A tensor
 * registered under several names (tied weights) appears once, with the other names as aliases.
 */
export function paramModelFromModule(root: Module, options: FromModuleOptions = {}): ParamModel {
  const byVariable = new Map<tf.Variable, ParamInfo>();
  const params: ParamInfo[] = [];
  const modules: ModuleInfo[] = [];
  for (const [path, module] of root.namedModules()) {
    modules.push({ path, kind: module.kind, params: [] });
  }
  const moduleByPath = new Map(modules.map((m) => [m.path, m]));
  const kindByPath = new Map(root.namedModules().map(([path, module]) => [path, module.kind]));
  for (const [name, variable] of root.namedParameters('', false)) {
    const dot = name.lastIndexOf('.');
    const modulePath = dot < 0 ? '' : name.slice(0, dot);
    const existing = byVariable.get(variable);
    if (existing) {
      existing.aliases.push(name);
      continue;
    }
    const info: ParamInfo = {
      name,
      aliases: [],
      shape: [...variable.shape],
      size: variable.size,
      trainable: variable.trainable,
      modulePath,
      // A shared module reached by a second path is listed once by namedModules; its kind is the same.
      moduleKind: kindByPath.get(modulePath) ?? ownerKind(root, modulePath),
      localName: name.slice(dot + 1),
      variable
    };
    byVariable.set(variable, info);
    params.push(info);
    moduleByPath.get(modulePath)?.params.push(name);
  }
  const edges = options.sampleInput ? traceModuleGraph(root, options.sampleInput) : null;
  markScaleInvariantWeights(modules, params, edges);
  return { name: options.name ?? root.kind, source: 'nn', params, modules, edges };
}

/** The kind of the module at a dotted path, walking the children (handles shared modules). */
function ownerKind(root: Module, path: string): string {
  let module: Module | undefined = root;
  for (const part of path.split('.')) {
    module = module?.namedChildren().find(([name]) => name === part)?.[1];
  }
  // A bug, not bad input: every path here is the prefix of one of the module's own parameter names.
  if (!module) throw new Error(`paramModelFromModule: no module at "${path}"`);
  return module.kind;
}

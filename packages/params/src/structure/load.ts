/** The parameter model of a structure file. */
import { markScaleInvariantWeights } from '../model/graph';
import type { ModuleInfo, ParamInfo, ParamModel } from '../model/types';
import { validateStructure, type StructureModule } from './schema';
import { ParamsError } from '../errors';

/** The module's facts in the parameter model: kind, base kind, class and normalization evidence. */
function moduleInfo(m: StructureModule): ModuleInfo {
  const info: ModuleInfo = { path: m.path, kind: m.kind, params: [] };
  if (m.baseKind) info.baseKind = m.baseKind;
  if (m.classPath) info.classPath = m.classPath;
  if (m.normalization) info.normalization = m.normalization;
  return info;
}

/**
 * Reads a structure file (parsed JSON or its text; version 1 or 2) into a {@link ParamModel}: no
 * variables, one entry per distinct tensor (names given by `sameAs` become aliases), each
 * parameter carrying its module's normalization evidence and its own declaration, and
 * scale-invariant weights marked when the file has edges.
 */
export function paramModelFromStructure(input: unknown): ParamModel {
  let parsed = input;
  if (typeof input === 'string') {
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new ParamsError(`structure file is not JSON: ${(error as Error).message}`, { cause: error });
    }
  }
  const doc = validateStructure(parsed);
  const params: ParamInfo[] = [];
  const byName = new Map<string, ParamInfo>();
  const modules = doc.modules.map(moduleInfo);
  doc.modules.forEach((m, i) => {
    const module = modules[i];
    for (const p of m.params ?? []) {
      const name = m.path ? `${m.path}.${p.name}` : p.name;
      // validateStructure guarantees the target is an earlier, untied parameter of the same shape.
      if (p.sameAs !== undefined) {
        byName.get(p.sameAs)!.aliases.push(name);
        continue;
      }
      const info: ParamInfo = {
        name,
        aliases: [],
        shape: [...p.shape],
        size: p.shape.reduce((a, b) => a * b, 1),
        trainable: p.trainable ?? true,
        modulePath: m.path,
        moduleKind: m.kind,
        localName: p.name
      };
      if (module.baseKind) info.moduleBaseKind = module.baseKind;
      if (module.classPath) info.moduleClassPath = module.classPath;
      if (module.normalization) info.moduleNormalization = module.normalization;
      if (p.noWeightDecay !== undefined) info.noWeightDecay = p.noWeightDecay;
      params.push(info);
      byName.set(name, info);
      module.params.push(name);
    }
  });
  const edges = doc.edges ?? null;
  markScaleInvariantWeights(modules, params, edges);
  const model: ParamModel = {
    name: doc.model,
    source: 'structure',
    params,
    modules,
    edges: edges ? edges.map((e) => ({ ...e, via: [...e.via] })) : null
  };
  if (doc.export) model.export = doc.export;
  if (doc.declarations) model.declarations = doc.declarations;
  return model;
}

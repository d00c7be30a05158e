/** The parameter model of a structure file. */
import { markScaleInvariantWeights } from '../params/graph';
import type { ModuleInfo, ParamInfo, ParamModel } from '../params/types';
import { validateStructure } from './schema';

/**
 * Reads a structure file (parsed JSON or its text) into a {@link ParamModel}: no variables, one
 * entry per distinct tensor (names given by `sameAs` become aliases), scale-invariant weights
 * marked when the file has edges.
 */
export function paramModelFromStructure(input: unknown): ParamModel {
  let parsed = input;
  if (typeof input === 'string') {
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new Error(`structure file is not JSON: ${(error as Error).message}`);
    }
  }
  const doc = validateStructure(parsed);
  const params: ParamInfo[] = [];
  const byName = new Map<string, ParamInfo>();
  const modules: ModuleInfo[] = doc.modules.map((m) => {
    const info: ModuleInfo = { path: m.path, kind: m.kind, params: [] };
    if (m.baseKind) info.baseKind = m.baseKind;
    return info;
  });
  doc.modules.forEach((m, i) => {
    for (const p of m.params ?? []) {
      const name = m.path ? `${m.path}.${p.name}` : p.name;
      if (p.sameAs !== undefined && p.sameAs !== name) {
        const target = byName.get(p.sameAs);
        if (!target) throw new Error(`structure file: "${name}" is the same tensor as "${p.sameAs}", which is not listed before it`);
        target.aliases.push(name);
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
      if (m.baseKind) info.moduleBaseKind = m.baseKind;
      params.push(info);
      byName.set(name, info);
      modules[i].params.push(name);
    }
  });
  const edges = doc.edges ?? null;
  markScaleInvariantWeights(modules, params, edges);
  return { name: doc.model, source: 'structure', params, modules, edges: edges ? edges.map((e) => ({ ...e, via: [...e.via] })) : null };
}

/**
 * The structure file: a JSON description of a model's module tree without weights, written by
 * the Python exporter for any `torch.nn.Module`. Schema (version 2; version 1 is the same without
 * the fields marked v2):
 *
 * ```text
 * {
 *   "format": "paramscope-structure",       required, exactly this
 *   "version": 1 | 2,                        required
 *   "model": string,                         required, display name
 *   "generator"?: string,                    what wrote the file
 *   "export"?: {                             v2: how the file was made
 *     "route": "fx" | "hooks" | "none",      where the edges came from ("none": "edges" is null)
 *     "device"?: string, "notes"?: string[] },
 *   "declarations"?: {                       v2: what the model declares itself
 *     "noWeightDecay"?: string[] },          timm's model.no_weight_decay(), verbatim and sorted
 *   "modules": [                             required, parents before children, root path ""
 *     { "path": string,                      dotted module path, unique, no empty segment
 *       "kind": string,                      class name (Conv2d, BatchNorm2d, Bottleneck, …)
 *       "baseKind"?: string,                 nearest torch.nn class of a user-defined class
 *       "classPath"?: string,                v2: Python module and class ("torch.nn.modules.linear.Linear")
 *       "normalization"?: {                  v2: evidence, for every module that owns parameters
 *         "hierarchy"?: string,              the torch.nn normalization class it is or derives from
 *         "probe"?: { "scales": number[], "maxRelChange": number, "tolerance": number, "invariant": boolean }
 *                 | { "skipped": string },   output unchanged when the input is scaled, or why not measured
 *         "nameHint"?: string },             the class name when it looks like a normalization (weak)
 *       "params"?: [                         parameters the module owns directly
 *         { "name": string,                  local name (weight, bias, cls_token), no "."
 *           "shape": number[],               non-negative safe integers; product ≤ 2^53 − 1
 *           "trainable"?: boolean,           default true
 *           "sameAs"?: string,               full name of the first reference to this tensor (tied)
 *           "noWeightDecay"?: string }       v2: the model declares it decay-free; the text says where
 *       ] } ],
 *   "edges"?: [ { "from": string, "to": string, "via": string[] } ] | null
 * }
 * ```
 *
 * Edges are data flow out of parameterized modules (see `ModuleEdge`); `null` or absent means
 * the graph is unknown.
 */
import type { ExportInfo, ModelDeclarations, NormalizationEvidence } from '../model/types';
import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/** The schema versions this reader accepts. */
export const STRUCTURE_VERSIONS: readonly number[] = [1, 2];

/** One parameter entry of a structure file. */
export interface StructureParam {
  name: string;
  shape: number[];
  trainable?: boolean;
  sameAs?: string;
  noWeightDecay?: string;
}

/** One module entry of a structure file. */
export interface StructureModule {
  path: string;
  kind: string;
  baseKind?: string;
  classPath?: string;
  normalization?: NormalizationEvidence;
  params?: StructureParam[];
}

/** A structure file, as {@link validateStructure} accepts it. */
export interface StructureFile {
  format: 'paramscope-structure';
  version: 1 | 2;
  model: string;
  generator?: string;
  export?: ExportInfo;
  declarations?: ModelDeclarations;
  modules: StructureModule[];
  edges?: Array<{ from: string; to: string; via: string[] }> | null;
}

/** How many problems a {@link StructureFileError} lists; the rest are counted. */
export const MAX_REPORTED_PROBLEMS = 100;

/**
 * A structure file that does not match the schema. `problems` holds the first
 * {@link MAX_REPORTED_PROBLEMS}, each starting with its JSON path; `omitted` counts the rest.
 */
export class StructureFileError extends ParamsError {
  constructor(
    readonly problems: string[],
    readonly omitted = 0
  ) {
    const more = omitted > 0 ? `\n  … and ${omitted} more` : '';
    super(`invalid structure file:\n  ${problems.join('\n  ')}${more}`);
    this.name = 'StructureFileError';
  }
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects the problems of a document; the messages start with the JSON path (`$.modules[3].kind`). */
class Checker {
  readonly problems: string[] = [];
  count = 0;

  constructor(readonly version: number) {}

  fail(path: string, message: string): void {
    this.count += 1;
    if (this.problems.length < MAX_REPORTED_PROBLEMS) this.problems.push(`${path}: ${message}`);
  }

  string(obj: Record<string, Json>, key: string, path: string, optional = false): string | undefined {
    const value = obj[key];
    if (value === undefined && optional) return undefined;
    if (typeof value === 'string') return value;
    this.fail(`${path}.${key}`, `expected a string, got ${describeValue(value)}`);
    return undefined;
  }

  nonEmptyString(obj: Record<string, Json>, key: string, path: string, optional = false): string | undefined {
    const value = this.string(obj, key, path, optional);
    if (value === '') this.fail(`${path}.${key}`, 'must not be empty');
    return value;
  }

  array(obj: Record<string, Json>, key: string, path: string, optional = false): Json[] | undefined {
    const value = obj[key];
    if (value === undefined && optional) return undefined;
    if (Array.isArray(value)) return value;
    this.fail(`${path}.${key}`, `expected an array, got ${describeValue(value)}`);
    return undefined;
  }

  strings(obj: Record<string, Json>, key: string, path: string): void {
    this.array(obj, key, path, true)?.forEach((item, i) => {
      if (typeof item !== 'string') this.fail(`${path}.${key}[${i}]`, `expected a string, got ${describeValue(item)}`);
    });
  }

  /** `obj[key]` when it is a number that passes `test`; else a problem that says `what` was expected. */
  number(
    obj: Record<string, Json>,
    key: string,
    path: string,
    test: (x: number) => boolean,
    what: string
  ): number | undefined {
    const value = obj[key];
    if (typeof value === 'number' && test(value)) return value;
    this.fail(`${path}.${key}`, `expected ${what}, got ${describeValue(value)}`);
    return undefined;
  }

  /** Unknown keys are errors; a version 2 key in a version 1 file says so. */
  keys(obj: Record<string, Json>, v1: readonly string[], v2: readonly string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (v1.includes(key)) continue;
      if (!v2.includes(key)) this.fail(`${path}.${key}`, 'unknown field');
      else if (this.version === 1) this.fail(`${path}.${key}`, 'a version 2 field, but the file says version 1');
    }
  }

  object(value: Json, path: string): value is Record<string, Json> {
    if (isObject(value)) return true;
    this.fail(path, `expected an object, got ${describeValue(value)}`);
    return false;
  }
}

/**
 * Element count of a shape of safe integers, or `undefined`. Exact while ≤ 2^53 − 1; above, it is
 * still above (rounding is monotone), which is all the check needs.
 */
function elementCount(shape: readonly Json[]): number | undefined {
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || (d as number) < 0) return undefined;
    count *= d as number;
  }
  return count;
}

/** The exact product of a shape, for a message. */
function exactCount(shape: readonly number[]): bigint {
  return shape.reduce((count, d) => count * BigInt(d), 1n);
}

function checkParam(c: Checker, value: Json, path: string): void {
  if (!c.object(value, path)) return;
  c.keys(value, ['name', 'shape', 'trainable', 'sameAs'], ['noWeightDecay'], path);
  const name = c.string(value, 'name', path);
  if (name !== undefined && (name === '' || name.includes('.'))) {
    c.fail(`${path}.name`, `must be non-empty without ".", got ${describeValue(name)}`);
  }
  const shape = c.array(value, 'shape', path);
  shape?.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || (d as number) < 0) {
      c.fail(`${path}.shape[${i}]`, `expected a non-negative integer ≤ 2^53 − 1, got ${describeValue(d)}`);
    }
  });
  const count = shape && elementCount(shape);
  if (count !== undefined && count > Number.MAX_SAFE_INTEGER) {
    const exact = exactCount(shape as number[]);
    c.fail(`${path}.shape`, `[${shape!.join(', ')}] holds ${exact} elements, more than 2^53 − 1`);
  }
  if (value.trainable !== undefined && typeof value.trainable !== 'boolean') {
    c.fail(`${path}.trainable`, `expected a boolean, got ${describeValue(value.trainable)}`);
  }
  c.nonEmptyString(value, 'sameAs', path, true);
  c.nonEmptyString(value, 'noWeightDecay', path, true);
}

function checkProbe(c: Checker, value: Json, path: string): void {
  if (!c.object(value, path)) return;
  if ('skipped' in value) {
    c.keys(value, ['skipped'], [], path);
    c.nonEmptyString(value, 'skipped', path);
    return;
  }
  c.keys(value, ['scales', 'maxRelChange', 'tolerance', 'invariant'], [], path);
  const scales = c.array(value, 'scales', path);
  if (scales && scales.length === 0) c.fail(`${path}.scales`, 'expected at least one scale');
  scales?.forEach((s, i) => {
    if (typeof s !== 'number' || !Number.isFinite(s) || s <= 0) {
      c.fail(`${path}.scales[${i}]`, `expected a finite number > 0, got ${describeValue(s)}`);
    }
  });
  const change = c.number(value, 'maxRelChange', path, (x) => Number.isFinite(x) && x >= 0, 'a finite number ≥ 0');
  const tolerance = c.number(value, 'tolerance', path, (x) => Number.isFinite(x) && x > 0, 'a finite number > 0');
  if (typeof value.invariant !== 'boolean') {
    c.fail(`${path}.invariant`, `expected a boolean, got ${describeValue(value.invariant)}`);
  } else if (change !== undefined && tolerance !== undefined && value.invariant !== change <= tolerance) {
    const comparison = `maxRelChange ${change} ${change <= tolerance ? '≤' : '>'} tolerance ${tolerance}`;
    c.fail(`${path}.invariant`, `is ${value.invariant}, but ${comparison}`);
  }
}

function checkEvidence(c: Checker, value: Json, path: string): void {
  if (!c.object(value, path)) return;
  c.keys(value, ['hierarchy', 'probe', 'nameHint'], [], path);
  c.nonEmptyString(value, 'hierarchy', path, true);
  c.nonEmptyString(value, 'nameHint', path, true);
  if (value.probe !== undefined) checkProbe(c, value.probe, `${path}.probe`);
}

function checkModule(c: Checker, value: Json, path: string): void {
  if (!c.object(value, path)) return;
  c.keys(value, ['path', 'kind', 'baseKind', 'params'], ['classPath', 'normalization'], path);
  const modulePath = c.string(value, 'path', path);
  if (modulePath !== undefined && modulePath !== '' && modulePath.split('.').includes('')) {
    c.fail(`${path}.path`, `empty segment in ${describeValue(modulePath)}`);
  }
  c.nonEmptyString(value, 'kind', path);
  c.nonEmptyString(value, 'baseKind', path, true);
  c.nonEmptyString(value, 'classPath', path, true);
  if (value.normalization !== undefined) checkEvidence(c, value.normalization, `${path}.normalization`);
  c.array(value, 'params', path, true)?.forEach((p, i) => checkParam(c, p, `${path}.params[${i}]`));
}

function checkEdges(c: Checker, edges: Json): void {
  if (edges === undefined || edges === null) return;
  if (!Array.isArray(edges)) return c.fail('$.edges', `expected an array or null, got ${describeValue(edges)}`);
  edges.forEach((edge, i) => {
    const path = `$.edges[${i}]`;
    if (!c.object(edge, path)) return;
    c.keys(edge, ['from', 'to', 'via'], [], path);
    c.string(edge, 'from', path);
    c.string(edge, 'to', path);
    c.array(edge, 'via', path)?.forEach((op, j) => {
      if (typeof op !== 'string') c.fail(`${path}.via[${j}]`, `expected a string, got ${describeValue(op)}`);
    });
  });
}

const ROUTES = ['fx', 'hooks', 'none'];

function checkExport(c: Checker, value: Json, edges: Json): void {
  if (!c.object(value, '$.export')) return;
  c.keys(value, ['route', 'device', 'notes'], [], '$.export');
  const route = value.route;
  if (typeof route !== 'string' || !ROUTES.includes(route)) {
    c.fail('$.export.route', `expected one of "fx", "hooks", "none", got ${describeValue(route)}`);
  } else if (route === 'none' && Array.isArray(edges)) {
    c.fail('$.export.route', '"none" says the file has no edges, but $.edges is an array');
  } else if (route !== 'none' && !Array.isArray(edges)) {
    c.fail('$.edges', `expected the edges the "${route}" route found, got ${describeValue(edges)}`);
  }
  c.string(value, 'device', '$.export', true);
  c.strings(value, 'notes', '$.export');
}

function checkDeclarations(c: Checker, value: Json): void {
  if (!c.object(value, '$.declarations')) return;
  c.keys(value, ['noWeightDecay'], [], '$.declarations');
  c.strings(value, 'noWeightDecay', '$.declarations');
}

/** A parameter as listed in the file, with where it is listed (`$.modules[module].params[param]`). */
interface Listed {
  module: number;
  param: number;
  order: number;
  shape: number[];
  trainable: boolean;
  sameAs?: string;
}

function listedPath(listed: Listed): string {
  return `$.modules[${listed.module}].params[${listed.param}]`;
}

/** The first parameter a chain of `sameAs` ends at (cycles stop where they close). */
function chainEnd(start: Listed, byName: Map<string, Listed>): string {
  const seen = new Set<Listed>();
  let name = start.sameAs!;
  for (let next = byName.get(name); next?.sameAs !== undefined && !seen.has(next); next = byName.get(name)) {
    seen.add(next);
    name = next.sameAs;
  }
  return name;
}

/**
 * Ties: a `sameAs` names an earlier parameter that is not tied itself, with the same shape and
 * trainable flag (one tensor). A chain A ← B ← C is an error that names where it resolves (A).
 */
function checkTies(c: Checker, byName: Map<string, Listed>): void {
  for (const [name, listed] of byName) {
    if (listed.sameAs === undefined) continue;
    const where = `${listedPath(listed)}.sameAs`;
    const target = byName.get(listed.sameAs);
    const targetName = describeValue(listed.sameAs);
    if (!target) c.fail(where, `no parameter named ${targetName}`);
    else if (target === listed) c.fail(where, `${describeValue(name)} is tied to itself`);
    else if (target.order > listed.order) {
      c.fail(where, `${targetName} comes later (${listedPath(target)}); sameAs names the first reference to a tensor`);
    } else if (target.sameAs !== undefined) {
      const first = describeValue(chainEnd(listed, byName));
      c.fail(
        where,
        `${targetName} is itself tied to ${describeValue(target.sameAs)}: name the first parameter, ${first}`
      );
    } else if (target.shape.join(',') !== listed.shape.join(',')) {
      c.fail(where, `ties shape [${listed.shape.join(', ')}] to ${targetName} of shape [${target.shape.join(', ')}]`);
    } else if (target.trainable !== listed.trainable) {
      const flag = (trainable: boolean) => (trainable ? 'trainable' : 'frozen');
      c.fail(where, `ties a ${flag(listed.trainable)} name to ${targetName}, which is ${flag(target.trainable)}`);
    }
  }
}

/** Consistency across entries: unique paths, parents present, ties, edge ends, total size. */
function checkReferences(c: Checker, doc: StructureFile): void {
  const paths = new Map<string, number>();
  const byName = new Map<string, Listed>();
  let total = 0;
  doc.modules.forEach((m, i) => {
    const first = paths.get(m.path);
    const where = `$.modules[${i}]`;
    if (first !== undefined)
      c.fail(`${where}.path`, `duplicate module path ${describeValue(m.path)} (first at $.modules[${first}])`);
    else paths.set(m.path, i);
    if (m.path !== '' && !paths.has(m.path.includes('.') ? m.path.slice(0, m.path.lastIndexOf('.')) : '')) {
      c.fail(`$.modules[${i}].path`, `the parent of ${describeValue(m.path)} is not listed before it`);
    }
    const local = new Set<string>();
    m.params?.forEach((p, j) => {
      if (local.has(p.name)) {
        return c.fail(
          `${where}.params[${j}].name`,
          `parameter ${describeValue(p.name)} given twice in module ${describeValue(m.path)}`
        );
      }
      local.add(p.name);
      const name = m.path ? `${m.path}.${p.name}` : p.name;
      const trainable = p.trainable ?? true;
      byName.set(name, { module: i, param: j, order: byName.size, shape: p.shape, trainable, sameAs: p.sameAs });
      if (p.sameAs === undefined) total += elementCount(p.shape) ?? 0;
    });
  });
  if (doc.modules.length > 0 && doc.modules[0].path !== '')
    c.fail('$.modules[0].path', 'the first module must be the root, path ""');
  checkTies(c, byName);
  if (total > Number.MAX_SAFE_INTEGER) {
    const distinct = doc.modules.flatMap((m) => m.params ?? []).filter((p) => p.sameAs === undefined);
    const exact = distinct.reduce((sum, p) => sum + exactCount(p.shape), 0n);
    c.fail('$.modules', `the parameters hold ${exact} elements in all, more than 2^53 − 1`);
  }
  doc.edges?.forEach((e, i) => {
    if (!paths.has(e.from)) c.fail(`$.edges[${i}].from`, `no module ${describeValue(e.from)}`);
    if (!paths.has(e.to) && e.to !== 'output' && !e.to.startsWith('op:')) {
      c.fail(`$.edges[${i}].to`, `no module ${describeValue(e.to)} (nor "output" or "op:…")`);
    }
  });
}

/**
 * Checks that `doc` is a structure file (version 1 or 2) and returns it typed. Throws a
 * {@link StructureFileError} listing the problems, each with its JSON path and the offending value.
 */
export function validateStructure(doc: unknown): StructureFile {
  if (!isObject(doc)) throw new StructureFileError([`$: expected an object, got ${describeValue(doc)}`]);
  const version = typeof doc.version === 'number' && STRUCTURE_VERSIONS.includes(doc.version) ? doc.version : 2;
  const c = new Checker(version);
  c.keys(doc, ['format', 'version', 'model', 'generator', 'modules', 'edges'], ['export', 'declarations'], '$');
  if (doc.format !== 'paramscope-structure')
    c.fail('$.format', `expected "paramscope-structure", got ${describeValue(doc.format)}`);
  if (!STRUCTURE_VERSIONS.includes(doc.version as number)) {
    c.fail('$.version', `expected 1 or 2, got ${describeValue(doc.version)}`);
  }
  c.string(doc, 'model', '$');
  c.string(doc, 'generator', '$', true);
  if (doc.export !== undefined) checkExport(c, doc.export, doc.edges);
  if (doc.declarations !== undefined) checkDeclarations(c, doc.declarations);
  const modules = c.array(doc, 'modules', '$');
  modules?.forEach((m, i) => checkModule(c, m, `$.modules[${i}]`));
  if (modules && modules.length === 0) c.fail('$.modules', 'a model needs at least its root module');
  checkEdges(c, doc.edges);
  if (c.count === 0) checkReferences(c, doc as unknown as StructureFile);
  if (c.count > 0) throw new StructureFileError(c.problems, c.count - c.problems.length);
  return doc as unknown as StructureFile;
}

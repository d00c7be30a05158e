/**
 * The structure file: a JSON description of a model's module tree without weights, written by
 * `scripts/export_structure.py` for any `torch.nn.Module`. Schema (version 1):
 *
 * ```text
 * {
 *   "format": "paramscope-structure",       required, exactly this
 *   "version": 1,                            required
 *   "model": string,                         required, display name
 *   "generator"?: string,                    what wrote the file
 *   "modules": [                             required, parents before children, root path ""
 *     { "path": string,                      dotted module path, unique
 *       "kind": string,                      class name (Conv2d, BatchNorm2d, Bottleneck, …)
 *       "baseKind"?: string,                 nearest torch.nn class of a user-defined class
 *       "params"?: [                         parameters the module owns directly
 *         { "name": string,                  local name (weight, bias, cls_token), no "."
 *           "shape": number[],               non-negative integers
 *           "trainable"?: boolean,           default true
 *           "sameAs"?: string }              full name of the first reference to this tensor (tied)
 *       ] } ],
 *   "edges"?: [ { "from": string, "to": string, "via": string[] } ] | null
 * }
 * ```
 *
 * Edges are data flow out of parameterized modules (see `ModuleEdge`); `null` or absent means
 * the graph is unknown.
 */

/** One parameter entry of a structure file. */
export interface StructureParam {
  name: string;
  shape: number[];
  trainable?: boolean;
  sameAs?: string;
}

/** One module entry of a structure file. */
export interface StructureModule {
  path: string;
  kind: string;
  baseKind?: string;
  params?: StructureParam[];
}

/** A structure file, as {@link validateStructure} accepts it. */
export interface StructureFile {
  format: 'paramscope-structure';
  version: 1;
  model: string;
  generator?: string;
  modules: StructureModule[];
  edges?: Array<{ from: string; to: string; via: string[] }> | null;
}

/** A structure file that does not match the schema; `problems` name each JSON path. */
export class StructureFileError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid structure file:\n  ${problems.join('\n  ')}`);
    this.name = 'StructureFileError';
  }
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `"${value}"` : typeof value;
}

/** Collects every problem of a document; the messages start with the JSON path (`$.modules[3].kind`). */
class Checker {
  readonly problems: string[] = [];

  fail(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  string(obj: Record<string, Json>, key: string, path: string, optional = false): string | undefined {
    const value = obj[key];
    if (value === undefined && optional) return undefined;
    if (typeof value !== 'string') this.fail(`${path}.${key}`, `expected a string, got ${describe(value)}`);
    else return value;
    return undefined;
  }

  array(obj: Record<string, Json>, key: string, path: string, optional = false): Json[] | undefined {
    const value = obj[key];
    if (value === undefined && optional) return undefined;
    if (!Array.isArray(value)) this.fail(`${path}.${key}`, `expected an array, got ${describe(value)}`);
    else return value;
    return undefined;
  }

  unknownKeys(obj: Record<string, Json>, allowed: string[], path: string): void {
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) this.fail(`${path}.${key}`, 'unknown field');
  }
}

function checkParam(c: Checker, value: Json, path: string): void {
  if (!isObject(value)) return c.fail(path, `expected an object, got ${describe(value)}`);
  c.unknownKeys(value, ['name', 'shape', 'trainable', 'sameAs'], path);
  const name = c.string(value, 'name', path);
  if (name !== undefined && (name === '' || name.includes('.'))) c.fail(`${path}.name`, `must be non-empty without ".", got "${name}"`);
  const shape = c.array(value, 'shape', path);
  shape?.forEach((d, i) => {
    if (!Number.isInteger(d) || (d as number) < 0) c.fail(`${path}.shape[${i}]`, `expected a non-negative integer, got ${describe(d)}`);
  });
  if (value.trainable !== undefined && typeof value.trainable !== 'boolean') {
    c.fail(`${path}.trainable`, `expected a boolean, got ${describe(value.trainable)}`);
  }
  c.string(value, 'sameAs', path, true);
}

function checkModule(c: Checker, value: Json, path: string): void {
  if (!isObject(value)) return c.fail(path, `expected an object, got ${describe(value)}`);
  c.unknownKeys(value, ['path', 'kind', 'baseKind', 'params'], path);
  c.string(value, 'path', path);
  const kind = c.string(value, 'kind', path);
  if (kind === '') c.fail(`${path}.kind`, 'must not be empty');
  c.string(value, 'baseKind', path, true);
  c.array(value, 'params', path, true)?.forEach((p, i) => checkParam(c, p, `${path}.params[${i}]`));
}

function checkEdges(c: Checker, edges: Json): void {
  if (edges === undefined || edges === null) return;
  if (!Array.isArray(edges)) return c.fail('$.edges', `expected an array or null, got ${describe(edges)}`);
  edges.forEach((edge, i) => {
    const path = `$.edges[${i}]`;
    if (!isObject(edge)) return c.fail(path, `expected an object, got ${describe(edge)}`);
    c.unknownKeys(edge, ['from', 'to', 'via'], path);
    c.string(edge, 'from', path);
    c.string(edge, 'to', path);
    c.array(edge, 'via', path)?.forEach((op, j) => {
      if (typeof op !== 'string') c.fail(`${path}.via[${j}]`, `expected a string, got ${describe(op)}`);
    });
  });
}

/** Consistency across entries: unique paths, parents present, tied names that exist, edge ends. */
function checkReferences(c: Checker, doc: StructureFile): void {
  const paths = new Map<string, number>();
  const names = new Set<string>();
  doc.modules.forEach((m, i) => {
    if (paths.has(m.path)) c.fail(`$.modules[${i}].path`, `duplicate module path "${m.path}" (first at $.modules[${paths.get(m.path)}])`);
    else paths.set(m.path, i);
    if (m.path !== '' && !paths.has(m.path.includes('.') ? m.path.slice(0, m.path.lastIndexOf('.')) : '')) {
      c.fail(`$.modules[${i}].path`, `the parent of "${m.path}" is not listed before it`);
    }
    const local = new Set<string>();
    m.params?.forEach((p, j) => {
      if (local.has(p.name)) c.fail(`$.modules[${i}].params[${j}].name`, `parameter "${p.name}" given twice in module "${m.path}"`);
      local.add(p.name);
      names.add(m.path ? `${m.path}.${p.name}` : p.name);
    });
  });
  if (doc.modules.length > 0 && doc.modules[0].path !== '') c.fail('$.modules[0].path', 'the first module must be the root, path ""');
  doc.modules.forEach((m, i) =>
    m.params?.forEach((p, j) => {
      if (p.sameAs !== undefined && !names.has(p.sameAs)) c.fail(`$.modules[${i}].params[${j}].sameAs`, `no parameter named "${p.sameAs}"`);
    })
  );
  doc.edges?.forEach((e, i) => {
    if (!paths.has(e.from)) c.fail(`$.edges[${i}].from`, `no module "${e.from}"`);
    if (!paths.has(e.to) && e.to !== 'output' && !e.to.startsWith('op:')) c.fail(`$.edges[${i}].to`, `no module "${e.to}" (nor "output" or "op:…")`);
  });
}

/**
 * Checks that `doc` is a structure file and returns it typed. Throws a
 * {@link StructureFileError} listing every problem, each with its JSON path.
 */
export function validateStructure(doc: unknown): StructureFile {
  const c = new Checker();
  if (!isObject(doc)) throw new StructureFileError([`$: expected an object, got ${describe(doc)}`]);
  c.unknownKeys(doc, ['format', 'version', 'model', 'generator', 'modules', 'edges'], '$');
  if (doc.format !== 'paramscope-structure') c.fail('$.format', `expected "paramscope-structure", got ${describe(doc.format)}`);
  if (doc.version !== 1) c.fail('$.version', `expected 1, got ${describe(doc.version)}`);
  c.string(doc, 'model', '$');
  c.string(doc, 'generator', '$', true);
  const modules = c.array(doc, 'modules', '$');
  modules?.forEach((m, i) => checkModule(c, m, `$.modules[${i}]`));
  if (modules && modules.length === 0) c.fail('$.modules', 'a model needs at least its root module');
  checkEdges(c, doc.edges);
  if (c.problems.length === 0) checkReferences(c, doc as unknown as StructureFile);
  if (c.problems.length > 0) throw new StructureFileError(c.problems);
  return doc as unknown as StructureFile;
}

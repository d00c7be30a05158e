/**
 * The JSON Schema file (schema/snapshot.schema.json, for readers in other languages) against the
 * TypeScript validator: both accept every committed fixture — among them one the Python
 * `paramscope.inspect` produced — and agree on every mutation of a complete snapshot (each field
 * removed, given the wrong type, a negative or fractional count), so neither can change alone.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { describe, expect, it } from 'vitest';
import { validateSnapshot } from './validate';

const root = path.resolve(__dirname, '..');
const schema = JSON.parse(fs.readFileSync(path.join(root, 'schema', 'snapshot.schema.json'), 'utf8')) as object;
const schemaAccepts = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
const fixtureDir = path.join(root, 'fixtures');
const fixtures = fs.readdirSync(fixtureDir).filter((name) => name.endsWith('.snapshot.json'));
const readFixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(fixtureDir, name), 'utf8'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Mutation = { where: string; apply: (copy: Json) => void };

/** Every place in `value`, as a path of keys and indices. */
function places(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const children: Array<Array<string | number>> = [];
  if (Array.isArray(value)) value.forEach((v, k) => children.push(...places(v, [...at, k])));
  else if (value !== null && typeof value === 'object')
    for (const [key, v] of Object.entries(value)) children.push(...places(v, [...at, key]));
  return [at, ...children];
}

function parentOf(doc: Json, at: Array<string | number>): Record<string | number, Json> {
  return at.slice(0, -1).reduce<Json>((node, key) => (node as Record<string | number, Json>)[key], doc) as Record<
    string | number,
    Json
  >;
}

/** The wrong values tried at one place, by the kind of value there. */
function wrongValues(value: Json): Json[] {
  if (typeof value === 'number') return ['3', -1, 1.5, null, true];
  if (typeof value === 'string') return [3, null, ['x']];
  if (typeof value === 'boolean') return ['true', 0, null];
  if (value === null) return [{}, 'x', [1]];
  if (Array.isArray(value)) return [{}, 'x', null, ['x'], [-1]];
  return [[], 'x', null];
}

function mutations(doc: Json): Mutation[] {
  const list: Mutation[] = [];
  for (const at of places(doc)) {
    if (at.length === 0) continue;
    const where = `$${at.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;
    const key = at[at.length - 1];
    if (typeof key === 'string')
      list.push({ where: `${where} removed`, apply: (copy) => void delete parentOf(copy, at)[key] });
    const current = parentOf(doc, at)[key];
    for (const wrong of wrongValues(current)) {
      list.push({
        where: `${where} = ${JSON.stringify(wrong)}`,
        apply: (copy) => void (parentOf(copy, at)[key] = structuredClone(wrong))
      });
    }
  }
  return list;
}

describe('snapshot.schema.json', () => {
  it.each(fixtures)('accepts the committed fixture %s, as validateSnapshot does', (name) => {
    const fixture = readFixture(name);
    expect(validateSnapshot(fixture)).toMatchObject({ ok: true });
    expect(schemaAccepts(fixture), JSON.stringify(schemaAccepts.errors)).toBe(true);
  });

  it('includes a snapshot produced by the Python paramscope.inspect', () => {
    expect(fixtures).toContain('python-inspect.snapshot.json');
    const python = readFixture('python-inspect.snapshot.json') as { backend: string; entries: unknown[] };
    expect(python.backend).toMatch(/^PyTorch /);
    expect(python.entries.length).toBeGreaterThan(0);
  });

  it('agrees with validateSnapshot on every mutation of a complete snapshot', () => {
    const complete = readFixture('complete.snapshot.json') as Json;
    const disagreements: string[] = [];
    const all = mutations(complete);
    for (const mutation of all) {
      const copy = structuredClone(complete);
      mutation.apply(copy);
      const ts = validateSnapshot(copy).ok;
      const json = schemaAccepts(copy);
      if (ts !== json)
        disagreements.push(
          `${mutation.where}: validateSnapshot ${ts ? 'accepts' : 'rejects'}, ` +
            `the JSON Schema ${json ? 'accepts' : 'rejects'}`
        );
    }
    expect(all.length).toBeGreaterThan(300);
    expect(disagreements).toEqual([]);
  });

  it('is shipped: package.json exports it and lists it in files', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, unknown>;
      files: string[];
    };
    expect(manifest.exports['./schema/snapshot.schema.json']).toBe('./schema/snapshot.schema.json');
    expect(manifest.files).toContain('schema/*.json');
  });
});

/**
 * Node-only access to the structure fixtures of real PyTorch models that `@paramscope/core`
 * ships (`packages/core/fixtures/structures/*.json`, exported from torchvision by
 * `packages/core/scripts/export_structure.py`), and to what the document's Python recipes built
 * on them (`*.recipes.json`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { paramModelFromStructure, type ParamModel } from '@paramscope/core';
import { NotebookError } from './errors';

/** The recipes' groups as PyTorch built them: parameter names per recipe, decayed or not. */
export type ReferenceRecipeGroups = Record<string, { decay: string[]; noDecay: string[] }>;

/** The folder of the structure fixtures, found next to the installed `@paramscope/core`. */
export function structureFixtureDir(): string {
  const dir = join(dirname(require.resolve('@paramscope/core')), '..', 'fixtures', 'structures');
  if (!existsSync(dir))
    throw new NotebookError(`structure fixtures not found at ${dir}; is @paramscope/core built from this repository?`);
  return dir;
}

/** Names of the models with a structure fixture (`resnet18`, `mobilenet_v2`, …). */
export function structureFixtureNames(): string[] {
  return readdirSync(structureFixtureDir())
    .filter((file) => file.endsWith('.json') && !file.endsWith('.recipes.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

function readFixture(file: string): string {
  const path = join(structureFixtureDir(), file);
  if (!existsSync(path)) {
    throw new NotebookError(`no structure fixture ${file}; available models: ${structureFixtureNames().join(', ')}`);
  }
  return readFileSync(path, 'utf8');
}

/** The parameter model of a real PyTorch model (module tree, parameter names and shapes, graph edges; no weights). */
export function loadStructure(model: string): ParamModel {
  return paramModelFromStructure(readFixture(`${model}.json`));
}

/** The groups the document's four Python recipes built on `model` in PyTorch, by recipe name. */
export function loadReferenceRecipeGroups(model: string): ReferenceRecipeGroups {
  return JSON.parse(readFixture(`${model}.recipes.json`)) as ReferenceRecipeGroups;
}

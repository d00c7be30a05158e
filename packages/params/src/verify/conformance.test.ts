/**
 * The conformance vectors (test/conformance/vectors) must be what this implementation computes:
 * the Python package checks its grouping and verification against them, so a change here that
 * is not regenerated would let the two languages drift. Regenerate with
 * `npx tsc -b packages/params && node tools/conformance/generate.mjs`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildVectors, serializeVector, VECTORS_DIR } from '../../../../tools/conformance/cases';
import { paramModelFromStructure } from '../structure';
import { detectron2Rules, groupParams, groupsByRecipe, noWeightDecayRule, paramwiseCfgRules } from '../grouping';
import { verifyParamGroups } from './verify';

const repoRoot = path.resolve(__dirname, '../../../..');
const vectorsDir = path.join(repoRoot, VECTORS_DIR);
const REGENERATE =
  'the conformance vectors are out of date; ' +
  'run `npx tsc -b packages/params && node tools/conformance/generate.mjs` and commit test/conformance/vectors';

describe('conformance vectors', () => {
  const api = {
    paramModelFromStructure,
    groupParams,
    verifyParamGroups,
    groupsByRecipe,
    detectron2Rules,
    paramwiseCfgRules,
    noWeightDecayRule
  };
  const expected = buildVectors(api, repoRoot);
  const committed = fs.existsSync(vectorsDir)
    ? fs
        .readdirSync(vectorsDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

  it('has one committed vector per case', () => {
    expect(committed, REGENERATE).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.keys(expected).sort())('%s is what the implementation computes', (file) => {
    const target = path.join(vectorsDir, file);
    expect(fs.existsSync(target), `${file} is missing: ${REGENERATE}`).toBe(true);
    const current = JSON.parse(serializeVector(expected[file]));
    expect(JSON.parse(fs.readFileSync(target, 'utf8')), `${file}: ${REGENERATE}`).toEqual(current);
  });
});

/**
 * Data-driven over every real architecture in `packages/core/fixtures/structures/real/` (structure files of
 * version 2 from the Python exporter, with ground truth computed in PyTorch by another route):
 * the structural default equals the truth, its verification has no error, the recipe ports build
 * the original groups, and verification flags every tensor a recipe decays against the truth.
 */
import { describe, expect, it } from 'vitest';
import { realArchitectures, realRecipes, realStructure, realTruth } from '../../../core/fixtures/load-fixtures';
import { isNormalizationParam, type ParamGroup, type ParamModel } from '../model';
import { paramModelFromStructure } from '../structure';
import { verifyParamGroups } from '../verify';
import { groupParams, RECIPES, type RecipeName } from './index';

const ARCHITECTURES = Object.keys(realArchitectures());
const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];
const names = (group: ParamGroup) => group.params.map((p) => p.name);

function load(arch: string): { model: ParamModel; truth: ReturnType<typeof realTruth> } {
  return { model: paramModelFromStructure(realStructure(arch)), truth: realTruth(arch) };
}

describe('real architectures', () => {
  it('are at least 12, with the ones the issue names', () => {
    expect(ARCHITECTURES.length).toBeGreaterThanOrEqual(12);
    for (const arch of [
      'bert',
      'gpt2',
      't5',
      'llama',
      'gemma',
      'vit',
      'swin',
      'convnext',
      'resnet_frozen_bn',
      'mobilenetv3'
    ]) {
      expect(ARCHITECTURES).toContain(arch);
    }
  });

  it.each(ARCHITECTURES)('%s: the structural default equals the ground truth; verification finds no error', (arch) => {
    const { model, truth } = load(arch);
    const index = realArchitectures()[arch];
    expect(model.params.map((p) => p.name).sort()).toEqual(Object.keys(truth.params).sort());
    expect(Object.fromEntries(model.params.flatMap((p) => p.aliases.map((a) => [a, p.name])))).toEqual(truth.aliases);
    const { groups, skipped, warnings } = groupParams(model);
    const placed = new Map(
      groups.flatMap((g) => g.params.map((p) => [p.name, g.weightDecay === 0 ? 'no decay' : 'decay']))
    );
    const expected = new Map(
      Object.entries(truth.params).map(([name, t]) => [name, t.frozen ? 'frozen' : t.noDecay ? 'no decay' : 'decay'])
    );
    for (const s of skipped) placed.set(s.param.name, 'frozen');
    expect(Object.fromEntries(placed)).toEqual(Object.fromEntries(expected));
    expect([model.params.length, [...placed.values()].filter((v) => v === 'no decay').length, skipped.length]).toEqual([
      index.tensors,
      index.noDecay,
      index.frozen
    ]);
    expect(warnings).toEqual([]);
    const report = verifyParamGroups(model, groups);
    expect(report.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(report.verdict).toBe('ok');
  });

  it.each(ARCHITECTURES)(
    '%s: the recipe ports build the original groups; verification flags each wrongly decayed tensor',
    (arch) => {
      const { model, truth } = load(arch);
      const original = realRecipes(arch);
      // 6.2 lists a tied tensor under each module's own name; a ParamInfo carries the canonical one.
      const canonical = (list: string[]) => list.map((n) => truth.aliases[n] ?? n);
      for (const recipe of RECIPE_NAMES) {
        const groups = RECIPES[recipe](model);
        const expected = { decay: canonical(original[recipe].decay), noDecay: canonical(original[recipe].noDecay) };
        expect({ recipe, decay: names(groups[0]), noDecay: names(groups[1]) }).toEqual({ recipe, ...expected });
        const report = verifyParamGroups(model, groups);
        const decayed = new Set(groups.filter((g) => g.weightDecay > 0).flatMap(names));
        const wrong = model.params.filter(
          (p) => !truth.params[p.name].frozen && truth.params[p.name].noDecay && decayed.has(p.name)
        );
        for (const p of wrong) {
          const found = report.findings
            .filter((f) => f.severity !== 'info' && f.params.includes(p.name))
            .map((f) => f.code);
          const expectedCode = isNormalizationParam(p) ? 'norm-param-decayed' : expect.any(String);
          expect({ recipe, param: p.name, found: found[0] }).toEqual({ recipe, param: p.name, found: expectedCode });
        }
        if (wrong.length > 0) expect(report.ok).toBe(false);
      }
    }
  );

  it('a module named <img src=x onerror=alert(1)> is data: its name and reasons carry it verbatim', () => {
    const { model } = load('rmsnorm_custom');
    const name = '<img src=x onerror=alert(1)>';
    const evil = model.params.filter((p) => p.modulePath === name);
    expect(evil.map((p) => p.name)).toEqual([`${name}.weight`, `${name}.bias`]);
    const { groups } = groupParams(model);
    expect(groups.find((g) => g.params.includes(evil[1]))!.reasons![`${name}.bias`]).toBe('bias of Linear: no decay');
    expect(
      verifyParamGroups(model, [{ params: model.params.filter((p) => p.trainable), weightDecay: 0.1 }]).findings.some(
        (f) => f.message.startsWith(`${name}.bias`)
      )
    ).toBe(true);
  });
});

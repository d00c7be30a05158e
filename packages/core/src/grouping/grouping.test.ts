import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, recipeFixture, structureFixture, type FixtureModel } from '../../fixtures/load-fixtures';
import { resnet18, resnet50 } from '../nn';
import {
  paramModelFromModule,
  paramModelFromStructure,
  verifyParamGroups,
  type ParamGroup,
  type ParamInfo,
  type ParamModel,
  detectron2Rules,
  groupParams,
  groupsByModuleType,
  groupsByNameHeuristic,
  groupsByRecipe,
  groupsForAdamW,
  groupsForLars,
  noWeightDecayRule,
  paramwiseCfgRules,
  RECIPES,
  type GroupingRule
} from '../index';

const names = (group: ParamGroup) => group.params.map((p) => p.name);
const fixture = (name: FixtureModel) => paramModelFromStructure(structureFixture(name));

let nnModels: Record<'resnet18' | 'resnet50', ParamModel>;
beforeAll(async () => {
  await tf.setBackend('cpu');
  const r18 = resnet18();
  const r50 = resnet50();
  nnModels = {
    resnet18: paramModelFromModule(r18, { sampleInput: tf.zeros([2, 32, 32, 3]) }),
    resnet50: paramModelFromModule(r50, { sampleInput: tf.zeros([2, 32, 32, 3]) })
  };
  for (const p of [...nnModels.resnet18.params, ...nnModels.resnet50.params]) delete p.variable;
  r18.dispose();
  r50.dispose();
}, 120_000);

describe('the document recipes, ported', () => {
  it.each(FIXTURE_MODELS)('build exactly the groups the Python originals built on %s', (name) => {
    const model = fixture(name);
    const expected = recipeFixture(name);
    for (const key of Object.keys(RECIPES) as Array<keyof typeof RECIPES>) {
      const [decay, noDecay] = RECIPES[key](model);
      expect({ key, decay: names(decay), noDecay: names(noDecay) }).toEqual({ key, ...expected[key] });
    }
  });

  it.each([
    [
      'resnet18',
      41,
      21,
      ['layer2.0.downsample.1.weight', 'layer3.0.downsample.1.weight', 'layer4.0.downsample.1.weight']
    ],
    [
      'resnet50',
      107,
      54,
      [
        'layer1.0.downsample.1.weight',
        'layer2.0.downsample.1.weight',
        'layer3.0.downsample.1.weight',
        'layer4.0.downsample.1.weight'
      ]
    ]
  ] as const)(
    'on nn %s the name tests decay %i tensors and miss the downsample BatchNorm weights',
    (model, noDecayCount, decayCount, missed) => {
      const m = nnModels[model];
      const bnWeights = m.params.filter((p) => p.moduleKind === 'BatchNorm2d');
      for (const recipe of [groupsByNameHeuristic, groupsForLars, groupsForAdamW]) {
        const [decay, noDecay] = recipe(m);
        expect(noDecay.params.length).toBe(noDecayCount - missed.length);
        expect(decay.params.length).toBe(decayCount + missed.length);
        expect(bnWeights.filter((p) => decay.params.includes(p)).map((p) => p.name)).toEqual(missed);
        expect(decay.reasons![missed[0]]).toMatch(/none of/);
      }
      const [decay, noDecay] = groupsByModuleType(m);
      expect(decay.params.length).toBe(decayCount);
      expect(noDecay.params.length).toBe(noDecayCount);
      expect(noDecay.reasons![missed[0]]).toBe('6.2 module type: owned by a BatchNorm2d');
    }
  );

  it('keeps each recipe’s hyperparameters and blind spots', () => {
    const m = nnModels.resnet18;
    expect(groupsByNameHeuristic(m).map((g) => [g.weightDecay, g.lr])).toEqual([
      [1e-4, 0.1],
      [0, 0.1]
    ]);
    expect(groupsForLars(m).map((g) => [g.weightDecay, g.layerAdaptation, g.lr])).toEqual([
      [1e-6, true, undefined],
      [0, false, undefined]
    ]);
    expect(groupsForAdamW(m, { weightDecay: 0.05 }).map((g) => [g.weightDecay, g.lr])).toEqual([
      [0.05, 1e-3],
      [0, 1e-3]
    ]);
    // LARS (6.3) does not skip frozen parameters; 6.1 does.
    const frozen: ParamModel = { ...m, params: m.params.map((p, i) => ({ ...p, trainable: i !== 0 })) };
    expect(names(groupsForLars(frozen)[0])).toContain('conv1.weight');
    expect(names(groupsByNameHeuristic(frozen)[0])).not.toContain('conv1.weight');
    // Without "lars", 6.3 keeps biases in the adapted group.
    expect(names(groupsForLars(m, { optimizerName: 'sgd' })[0])).toContain('fc.bias');
  });

  it('6.2 lists a tied tensor once per module that registers it', () => {
    const model = paramModelFromStructure({
      format: 'paramscope-structure',
      version: 1,
      model: 'tied',
      modules: [
        { path: '', kind: 'Net' },
        { path: 'embed', kind: 'Embedding', params: [{ name: 'weight', shape: [10, 4] }] },
        { path: 'head', kind: 'Linear', params: [{ name: 'weight', shape: [10, 4], sameAs: 'embed.weight' }] }
      ]
    });
    expect(groupsByModuleType(model)[0].params.length).toBe(2);
    expect(groupsByNameHeuristic(model)[0].params.length).toBe(1);
  });

  it('rejects unknown recipes and bad hyperparameters by name', () => {
    expect(() => groupsByRecipe('sgd', nnModels.resnet18)).toThrow(
      'unknown recipe "sgd"; known recipes: nameHeuristic, moduleType, lars, adamw'
    );
    expect(() => groupsByNameHeuristic(nnModels.resnet18, { lr: -1 })).toThrow(
      'groupsByNameHeuristic: lr must be a finite number ≥ 0, got -1'
    );
    expect(() => groupsForLars(nnModels.resnet18, { weightDecay: Number.NaN })).toThrow(
      /groupsForLars: weightDecay .* NaN/
    );
    expect(groupsByRecipe('adamw', nnModels.resnet18)[0].weightDecay).toBe(1e-2);
  });
});

describe('the structural default', () => {
  it.each(FIXTURE_MODELS)('agrees with module-type ground truth (6.2 run in PyTorch) on %s', (name) => {
    const { groups, skipped, warnings } = groupParams(fixture(name));
    const truth = recipeFixture(name).moduleType;
    const noDecay = groups.filter((g) => g.weightDecay === 0).flatMap(names);
    const decay = groups.filter((g) => g.weightDecay > 0).flatMap(names);
    expect(new Set(noDecay)).toEqual(new Set(truth.noDecay));
    expect(new Set(decay)).toEqual(new Set(truth.decay));
    expect(skipped).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('gives reasons by module kind, and can also exclude weights that feed normalization', () => {
    const m = nnModels.resnet50;
    const [decay, noDecay] = groupParams(m).groups;
    expect(noDecay.reasons!['layer1.0.downsample.1.weight']).toBe(
      'BatchNorm2d: torch.nn normalization class → no decay'
    );
    expect(noDecay.reasons!['fc.bias']).toBe('bias of Linear: no decay');
    expect(decay.reasons!['conv1.weight']).toBe('Conv2d weight: weight decay');
    const strict = groupParams(m, { excludeScaleInvariant: true }).groups;
    expect(strict.map((g) => [g.label, g.params.length])).toEqual([
      ['no_decay', 160],
      ['decay', 1]
    ]);
    expect(strict[1].params[0].name).toBe('fc.weight');
    expect(strict[0].reasons!['layer1.0.downsample.0.weight']).toBe(
      'feeds layer1.0.downsample.1 (scale-invariant): no decay'
    );
    const unknown = groupParams(fixture('resnet18').params.length ? { ...m, edges: null } : m, {
      excludeScaleInvariant: true
    });
    expect(unknown.warnings).toEqual([
      'excludeScaleInvariant: the module graph is unknown, so no weight is known to feed normalization'
    ]);
  });

  it('applies timm, detectron2 and MMEngine rules, recording each', () => {
    const vit = fixture('vit_b_16');
    const timm = groupParams(vit, {
      weightDecay: 0.05,
      rules: [noWeightDecayRule(['class_token', 'encoder.pos_embedding'])]
    });
    const nd = timm.groups.find((g) => g.label === 'no_decay')!;
    expect(names(nd)).toContain('class_token');
    expect(nd.reasons!['class_token']).toBe(
      'VisionTransformer class_token: weight decay; rule 0 (no_weight_decay list): weightDecay 0'
    );
    expect(timm.groups.every((g) => g.weightDecay === 0 || g.weightDecay === 0.05)).toBe(true);

    const r18 = nnModels.resnet18;
    const d2 = groupParams(r18, {
      baseline: 'decay-all',
      lr: 0.02,
      weightDecay: 1e-4,
      rules: detectron2Rules({ weightDecayNorm: 0, biasLrFactor: 2, weightDecayBias: 1e-4 })
    });
    const fcBias = d2.groups.find((g) => g.params.some((p) => p.name === 'fc.bias'))!;
    expect([fcBias.lr, fcBias.weightDecay]).toEqual([0.04, 1e-4]);
    const bnGroup = d2.groups.find((g) => g.params.some((p) => p.name === 'bn1.weight'))!;
    expect([bnGroup.lr, bnGroup.weightDecay]).toEqual([0.02, 0]);
    // A BatchNorm's bias is a bias too: detectron2 gives it bias lr and bias decay.
    expect(d2.groups.find((g) => g.params.some((p) => p.name === 'bn1.bias'))!.lr).toBe(0.04);

    const mm = groupParams(r18, {
      baseline: 'decay-all',
      lr: 0.1,
      weightDecay: 1e-4,
      rules: paramwiseCfgRules({
        norm_decay_mult: 0,
        bias_lr_mult: 2,
        custom_keys: { layer4: { lr_mult: 0.1 }, 'layer4.1': { decay_mult: 0 } }
      })
    });
    const place = (n: string) => mm.groups.find((g) => g.params.some((p) => p.name === n))!;
    expect([place('bn1.weight').lr, place('bn1.weight').weightDecay]).toEqual([0.1, 0]);
    expect([place('fc.bias').lr, place('fc.bias').weightDecay]).toEqual([0.2, 1e-4]);
    // The longest custom key wins and replaces the norm multiplier, as in MMEngine.
    expect(place('layer4.0.bn1.weight').lr).toBeCloseTo(0.01);
    expect(place('layer4.0.bn1.weight').weightDecay).toBe(1e-4);
    expect([place('layer4.1.conv1.weight').lr, place('layer4.1.conv1.weight').weightDecay]).toEqual([0.1, 0]);
  });

  it('skips frozen parameters and rule-skipped ones, places tied ones once, carries custom keys', () => {
    const m: ParamModel = {
      ...nnModels.resnet18,
      params: nnModels.resnet18.params.map((p) => ({ ...p, trainable: !p.name.startsWith('layer1.') }))
    };
    const { groups, skipped } = groupParams(m, {
      rules: [
        { name: 'layer2.*', skip: true },
        { moduleKind: 'Linear', hyperparameters: { layerAdaptation: false }, label: 'head' }
      ]
    });
    expect(skipped.filter((s) => s.reason.startsWith('frozen')).length).toBe(12);
    expect(skipped.filter((s) => s.reason.includes('rule 0')).length).toBe(15);
    const head = groups.find((g) => g.label === 'head')!;
    expect(names(head)).toEqual(['fc.weight']);
    expect(head.layerAdaptation).toBe(false);
    expect(groups.flatMap(names).length).toBe(62 - 27);
  });

  it('names bad rules and options, and warns about rules that match nothing', () => {
    const m = nnModels.resnet18;
    expect(() => groupParams(m, { weightDecay: -1 })).toThrow(
      'groupParams: weightDecay must be a finite number ≥ 0, got -1'
    );
    expect(() => groupParams(m, { lr: Number.NaN })).toThrow('groupParams: lr must be a finite number ≥ 0, got NaN');
    expect(() => groupParams(m, { rules: [{ name: 'fc.*', weight_decay: 0 } as GroupingRule] })).toThrow(
      'rule 0: unknown field "weight_decay"; did you mean "weightDecay"?'
    );
    expect(() => groupParams(m, { rules: [{ description: 'head', lr: -0.1 }] })).toThrow(
      'rule 0 ("head"): lr must be a finite number ≥ 0, got -0.1'
    );
    expect(() => groupParams(m, { rules: [{ lrMultiplier: 2 }] })).toThrow(
      'rule 0 (every parameter): lrMultiplier needs options.lr'
    );
    expect(() => groupParams(m, { baseline: 'none' as 'structural' })).toThrow(/unknown baseline "none"/);
    expect(() => paramwiseCfgRules({ dcn_decay_mult: 0 } as never)).toThrow(
      'paramwise_cfg: unsupported key "dcn_decay_mult"'
    );
    const { warnings } = groupParams(m, { rules: [{ name: 'head.*', weightDecay: 0 }] });
    expect(warnings).toEqual(['rule 0 (name "head.*") matches no parameter']);
    const twice: ParamModel = { ...m, params: [...m.params, { ...m.params[0], aliases: [] }] };
    expect(() => groupParams(twice)).toThrow('model "ResNet": parameter "conv1.weight" is given twice');
    expect(() => groupsForAdamW(twice)).toThrow(/"conv1.weight" is given twice/);
    const empty: ParamModel = {
      name: 'empty',
      source: 'structure',
      params: [],
      modules: [{ path: '', kind: 'Net', params: [] }],
      edges: null
    };
    expect(groupParams(empty).warnings).toEqual(['model "empty" has no parameters']);
  });
});

/** A random module tree: kinds, local names, frozen flags and tied tensors. */
const KINDS = ['Linear', 'Conv2d', 'BatchNorm2d', 'LayerNorm', 'GroupNorm', 'Embedding', 'MyNorm', 'Block'];
const arbModel = fc
  .array(
    fc.record({
      kind: fc.constantFrom(...KINDS),
      baseKind: fc.option(fc.constantFrom('LayerNorm', 'Linear'), { nil: undefined }),
      locals: fc.uniqueArray(fc.constantFrom('weight', 'bias', 'in_proj_bias', 'scale', 'bn'), {
        minLength: 0,
        maxLength: 3
      }),
      frozen: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      tieTo: fc.option(fc.nat(), { nil: undefined })
    }),
    { minLength: 1, maxLength: 12 }
  )
  .map((specs): ParamModel => {
    const params: ParamInfo[] = [];
    const modules = [{ path: '', kind: 'Root', params: [] as string[] }];
    specs.forEach((spec, i) => {
      const path = `m${i}`;
      modules.push({ path, kind: spec.kind, params: [] });
      spec.locals.forEach((local, j) => {
        const name = `${path}.${local}`;
        if (spec.tieTo !== undefined && params.length > 0 && j === 0) {
          params[spec.tieTo % params.length].aliases.push(name);
          return;
        }
        const p: ParamInfo = {
          name,
          aliases: [],
          shape: [2],
          size: 2,
          trainable: !spec.frozen[j],
          modulePath: path,
          moduleKind: spec.kind,
          localName: local
        };
        if (spec.baseKind) p.moduleBaseKind = spec.baseKind;
        params.push(p);
        modules[i + 1].params.push(name);
      });
    });
    return { name: 'random', source: 'structure', params, modules, edges: null };
  });
const arbRule: fc.Arbitrary<GroupingRule> = fc.record(
  {
    name: fc.constantFrom('m1.*', '*.bias', 'm*', 'nothing'),
    moduleKind: fc.constantFrom(...KINDS),
    normalization: fc.boolean(),
    weightDecay: fc.constantFrom(0, 1e-4, 0.05),
    lr: fc.constantFrom(0.1, 0.01),
    skip: fc.boolean(),
    hyperparameters: fc.record({ momentum: fc.constantFrom(0.9, 0.5) }),
    label: fc.constantFrom('a', 'b')
  },
  { requiredKeys: [] }
);

describe('property: whatever the rules, every trainable parameter lands in exactly one group', () => {
  it('holds on random module trees', () => {
    fc.assert(
      fc.property(arbModel, fc.array(arbRule, { maxLength: 4 }), fc.boolean(), (model, rules, decayAll) => {
        const { groups, skipped } = groupParams(model, {
          rules,
          lr: 0.1,
          baseline: decayAll ? 'decay-all' : 'structural'
        });
        const placed = groups.flatMap((g) => g.params);
        expect(new Set(placed).size).toBe(placed.length);
        for (const p of model.params) {
          const inGroups = placed.filter((q) => q === p).length;
          const wasSkipped = skipped.some((s) => s.param === p);
          expect(inGroups + (wasSkipped ? 1 : 0)).toBe(1);
          if (!p.trainable) expect(wasSkipped).toBe(true);
          if (inGroups) expect(groups.find((g) => g.params.includes(p))!.reasons![p.name]).toBeTruthy();
        }
        if (!decayAll && rules.length === 0) {
          for (const g of groups)
            for (const p of g.params) {
              const norm =
                ['BatchNorm2d', 'LayerNorm', 'GroupNorm'].includes(p.moduleKind) || p.moduleBaseKind === 'LayerNorm';
              const bias = p.localName === 'bias' || p.localName.endsWith('_bias');
              // MyNorm and Block are of unknown kind unless a base kind names a class: timm's ndim ≤ 1 rule.
              const unknownKind = ['MyNorm', 'Block'].includes(p.moduleKind) && p.moduleBaseKind === undefined;
              expect(g.weightDecay === 0).toBe(norm || bias || unknownKind);
            }
        }
      }),
      { numRuns: 300 }
    );
  });
});

describe('property: the same on random nn module trees (frozen and shared modules)', () => {
  const arbLayer = fc.record({
    kind: fc.constantFrom('linear', 'linearNoBias', 'bn', 'ln', 'relu'),
    frozen: fc.boolean(),
    shareWith: fc.option(fc.nat(), { nil: undefined })
  });
  it('holds for nn.Sequential trees built at random', async () => {
    const nnLib = await import('../nn');
    fc.assert(
      fc.property(
        fc.array(arbLayer, { minLength: 1, maxLength: 8 }),
        fc.array(arbRule, { maxLength: 3 }),
        (layers, rules) => {
          const built: InstanceType<typeof nnLib.Module>[] = [];
          for (const spec of layers) {
            const shared =
              spec.shareWith !== undefined && built.length > 0 ? built[spec.shareWith % built.length] : undefined;
            const layer =
              shared ??
              (spec.kind === 'linear'
                ? new nnLib.Linear(3, 3)
                : spec.kind === 'linearNoBias'
                  ? new nnLib.Linear(3, 3, { bias: false })
                  : spec.kind === 'bn'
                    ? new nnLib.BatchNorm1d(3)
                    : spec.kind === 'ln'
                      ? new nnLib.LayerNorm(3)
                      : new nnLib.ReLU());
            if (!shared && spec.frozen) layer.requiresGrad(false);
            built.push(layer);
          }
          const net = new nnLib.Sequential(new nnLib.Sequential(...built.slice(0, 4)), ...built.slice(4));
          try {
            const model = paramModelFromModule(net);
            const { groups, skipped } = groupParams(model, { rules, lr: 0.1 });
            const placed = groups.flatMap((g) => g.params.map((p) => p.variable));
            expect(new Set(placed).size).toBe(placed.length);
            for (const variable of net.parameters()) {
              const times = placed.filter((v) => v === variable).length;
              const wasSkipped = skipped.some((s) => s.param.variable === variable);
              expect(times + (wasSkipped ? 1 : 0)).toBe(1);
              if (!variable.trainable) expect(times).toBe(0);
            }
            expect(
              verifyParamGroups(model, groups).findings.filter(
                (f) => f.code === 'duplicate' || f.code === 'unknown-param'
              )
            ).toEqual([]);
          } finally {
            net.dispose();
          }
        }
      ),
      { numRuns: 100 }
    );
  });
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, structureFixture } from '../../fixtures/load-fixtures';
import {
  groupParams,
  paramModelFromModule,
  paramModelFromStructure,
  StructureFileError,
  validateStructure,
  type StructureFile
} from '../index';
import { resnet18, resnet50 } from '../nn';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const minimal = (): StructureFile => ({
  format: 'paramscope-structure',
  version: 1,
  model: 'tiny',
  modules: [
    { path: '', kind: 'Sequential' },
    { path: '0', kind: 'Linear', params: [{ name: 'weight', shape: [4, 3] }] },
    {
      path: '1',
      kind: 'BatchNorm1d',
      params: [
        { name: 'weight', shape: [4] },
        { name: 'bias', shape: [4], trainable: false }
      ]
    },
    { path: '2', kind: 'Linear', params: [{ name: 'weight', shape: [4, 3], sameAs: '0.weight' }] }
  ],
  edges: [{ from: '0', to: '1', via: [] }]
});

function problems(doc: unknown): string[] {
  try {
    validateStructure(doc);
  } catch (error) {
    expect(error).toBeInstanceOf(StructureFileError);
    return (error as StructureFileError).problems;
  }
  return [];
}

describe('structure files', () => {
  it('load: tied tensors once with aliases, frozen flags, scale-invariant weights from edges', () => {
    const model = paramModelFromStructure(JSON.stringify(minimal()));
    expect(model.params.map((p) => p.name)).toEqual(['0.weight', '1.weight', '1.bias']);
    expect(model.params[0].aliases).toEqual(['2.weight']);
    expect(model.params[2].trainable).toBe(false);
    expect(model.params[0].feedsNormalization).toBe(true);
    expect(model.params[0].normalizedBy).toBe('1');
    expect(model.params[1].feedsNormalization).toBe(false);
  });

  it('errors name the JSON path of every problem and quote the offending value', () => {
    const doc = minimal() as unknown as Record<string, unknown>;
    const modules = doc.modules as Array<Record<string, unknown>>;
    modules[1].params = [{ name: 'weight', shape: [4, -3, 1.5] }];
    modules[2].kind = 7;
    (modules[2].params as Array<Record<string, unknown>>)[0].trainable = 'x';
    doc.version = 3;
    expect(problems(doc)).toEqual([
      '$.version: expected 1 or 2, got 3',
      '$.modules[1].params[0].shape[1]: expected a non-negative integer ≤ 2^53 − 1, got -3',
      '$.modules[1].params[0].shape[2]: expected a non-negative integer ≤ 2^53 − 1, got 1.5',
      '$.modules[2].kind: expected a string, got 7',
      '$.modules[2].params[0].trainable: expected a boolean, got "x"'
    ]);
    expect(() => paramModelFromStructure('{oops')).toThrow(/not JSON/);
    expect(problems([])).toEqual(['$: expected an object, got []']);
    expect(problems({ ...minimal(), model: undefined })).toEqual(['$.model: expected a string, got nothing']);
  });

  it('rejects element counts that are not exact in a double: over 2^53 − 1, or not finite', () => {
    const doc = minimal();
    doc.modules[1].params![0].shape = [2 ** 53, 1];
    doc.modules[2].params![0].shape = [Number.POSITIVE_INFINITY];
    doc.modules[2].params![1].shape = [Number.NaN];
    doc.modules[3].params = [{ name: 'weight', shape: [2 ** 30, 2 ** 30] }];
    expect(problems(doc)).toEqual([
      '$.modules[1].params[0].shape[0]: expected a non-negative integer ≤ 2^53 − 1, got 9007199254740992',
      '$.modules[2].params[0].shape[0]: expected a non-negative integer ≤ 2^53 − 1, got Infinity',
      '$.modules[2].params[1].shape[0]: expected a non-negative integer ≤ 2^53 − 1, got NaN',
      '$.modules[3].params[0].shape: [1073741824, 1073741824] holds 1152921504606846976 elements, more than 2^53 − 1'
    ]);
    // Each tensor fits, the model does not; a zero dimension makes any product exact.
    const total = minimal();
    total.modules[3].params = [
      { name: 'weight', shape: [2 ** 26, 2 ** 26] },
      { name: 'bias', shape: [2 ** 26, 2 ** 26] }
    ];
    expect(problems(total)).toEqual([
      '$.modules: the parameters hold 9007199254741012 elements in all, more than 2^53 − 1'
    ]);
    total.modules[3].params = [{ name: 'weight', shape: [2 ** 40, 2 ** 40, 0] }];
    expect(problems(total)).toEqual([]);
  });

  it('catches dangling references, duplicates and unknown fields', () => {
    const doc = minimal();
    doc.modules[3].params![0].sameAs = 'nope.weight';
    doc.modules.push({ path: '0', kind: 'Linear' });
    doc.edges!.push({ from: '9', to: '1', via: [] });
    (doc as unknown as Record<string, unknown>).weights = [];
    expect(problems(doc)).toEqual(['$.weights: unknown field']);
    delete (doc as unknown as Record<string, unknown>).weights;
    expect(problems(doc)).toEqual([
      '$.modules[4].path: duplicate module path "0" (first at $.modules[1])',
      '$.modules[3].params[0].sameAs: no parameter named "nope.weight"',
      '$.edges[1].from: no module "9"'
    ]);
    const twice = minimal();
    twice.modules[1].params!.push({ name: 'weight', shape: [1] });
    expect(problems(twice)).toEqual(['$.modules[1].params[1].name: parameter "weight" given twice in module "0"']);
  });

  it('ties: a sameAs names an earlier, untied parameter of the same shape and trainable flag', () => {
    const tie = (module: number, sameAs: string, shape = [4, 3], trainable?: boolean) => {
      const doc = minimal();
      doc.modules[module].params = [
        { name: 'weight', shape, sameAs, ...(trainable === undefined ? {} : { trainable }) }
      ];
      return doc;
    };
    expect(problems(tie(3, '0.weight', [3, 4]))).toEqual([
      '$.modules[3].params[0].sameAs: ties shape [3, 4] to "0.weight" of shape [4, 3]'
    ]);
    expect(problems(tie(3, '0.weight', [4, 3], false))).toEqual([
      '$.modules[3].params[0].sameAs: ties a frozen name to "0.weight", which is trainable'
    ]);
    expect(problems(tie(3, '2.weight'))).toEqual(['$.modules[3].params[0].sameAs: "2.weight" is tied to itself']);
    const later = minimal();
    later.modules[1].params![0].sameAs = '2.weight';
    delete later.modules[3].params![0].sameAs;
    expect(problems(later)).toEqual([
      '$.modules[1].params[0].sameAs: "2.weight" comes later ($.modules[3].params[0]); ' +
        'sameAs names the first reference to a tensor'
    ]);
    // A chain 0.weight ← 2.weight ← 3.weight: the error says where it resolves.
    const chain = minimal();
    chain.modules.push({ path: '3', kind: 'Linear', params: [{ name: 'weight', shape: [4, 3], sameAs: '2.weight' }] });
    expect(problems(chain)).toEqual([
      '$.modules[4].params[0].sameAs: "2.weight" is itself tied to "0.weight": name the first parameter, "0.weight"'
    ]);
  });

  it('rejects empty path segments, quoting the path', () => {
    for (const path of ['a..b', '.a', 'a.']) {
      const doc = minimal();
      doc.modules.push({ path, kind: 'Linear' });
      expect(problems(doc)).toEqual([`$.modules[4].path: empty segment in "${path}"`]);
    }
  });

  it('reports the first 100 problems and counts the rest', () => {
    const doc = minimal();
    doc.modules[1].params = Array.from({ length: 130 }, (_, i) => ({ name: `w${i}`, shape: [-1] }));
    let error: StructureFileError | undefined;
    try {
      validateStructure(doc);
    } catch (caught) {
      error = caught as StructureFileError;
    }
    expect(error!.problems.length).toBe(100);
    expect(error!.omitted).toBe(30);
    expect(error!.problems[99]).toBe(
      '$.modules[1].params[99].shape[0]: expected a non-negative integer ≤ 2^53 − 1, got -1'
    );
    expect(error!.message.endsWith('\n  … and 30 more')).toBe(true);
  });

  it('version 2: loads the export route, declarations, class paths and evidence into the model', () => {
    const doc = {
      ...minimal(),
      version: 2,
      generator: 'paramscope 0.1.0 (torch 2.13.0)',
      export: { route: 'fx', device: 'meta', notes: ['probes ran on one small real instance per class'] },
      declarations: { noWeightDecay: ['0.weight'] }
    } as StructureFile;
    doc.modules[0].params = [{ name: 'scale', shape: [], noWeightDecay: "model.no_weight_decay() lists 'scale'" }];
    doc.modules[1].classPath = 'torch.nn.modules.linear.Linear';
    doc.modules[1].normalization = { probe: { skipped: 'meta device: no real instance could be built' } };
    doc.modules[2].normalization = {
      hierarchy: 'BatchNorm1d',
      probe: { scales: [0.5, 4], maxRelChange: 1e-7, tolerance: 1e-3, invariant: true },
      nameHint: 'BatchNorm1d'
    };
    const model = paramModelFromStructure(doc);
    expect(model.export).toEqual(doc.export);
    expect(model.declarations).toEqual({ noWeightDecay: ['0.weight'] });
    expect(model.modules[1]).toMatchObject({
      classPath: 'torch.nn.modules.linear.Linear',
      normalization: doc.modules[1].normalization
    });
    const [scale, weight, bnWeight] = model.params;
    expect(scale.noWeightDecay).toBe("model.no_weight_decay() lists 'scale'");
    expect(weight.moduleClassPath).toBe('torch.nn.modules.linear.Linear');
    expect(bnWeight.moduleNormalization).toBe(doc.modules[2].normalization);
    expect(weight.feedsNormalization).toBe(true);
  });

  it('version 2 fields: checked, and refused in a version 1 file', () => {
    const v1 = minimal() as unknown as Record<string, unknown>;
    v1.export = { route: 'fx' };
    (v1.modules as Array<Record<string, unknown>>)[1].classPath = 'torch.nn.modules.linear.Linear';
    expect(problems(v1)).toEqual([
      '$.export: a version 2 field, but the file says version 1',
      '$.modules[1].classPath: a version 2 field, but the file says version 1'
    ]);
    const doc = {
      ...minimal(),
      version: 2,
      export: { route: 'trace' },
      declarations: { noWeightDecay: [3] }
    } as unknown as StructureFile;
    doc.modules[1].normalization = {
      probe: { scales: [0.5, -4], maxRelChange: 0.5, tolerance: 1e-3, invariant: true },
      colour: 'red'
    } as never;
    doc.modules[2].normalization = { probe: { skipped: '' } };
    doc.modules[2].params![0].noWeightDecay = 7 as never;
    expect(problems(doc)).toEqual([
      '$.export.route: expected one of "fx", "hooks", "none", got "trace"',
      '$.declarations.noWeightDecay[0]: expected a string, got 3',
      '$.modules[1].normalization.colour: unknown field',
      '$.modules[1].normalization.probe.scales[1]: expected a finite number > 0, got -4',
      '$.modules[1].normalization.probe.invariant: is true, but maxRelChange 0.5 > tolerance 0.001',
      '$.modules[2].normalization.probe.skipped: must not be empty',
      '$.modules[2].params[0].noWeightDecay: expected a string, got 7'
    ]);
    const noEdges = { ...minimal(), version: 2, export: { route: 'none' } } as StructureFile;
    expect(problems(noEdges)).toEqual(['$.export.route: "none" says the file has no edges, but $.edges is an array']);
    expect(problems({ ...noEdges, edges: null })).toEqual([]);
    expect(problems({ ...noEdges, export: { route: 'hooks' }, edges: null })).toEqual([
      '$.edges: expected the edges the "hooks" route found, got null'
    ]);
  });

  it('text from the model is data: a module named <img src=x onerror=alert(1)> loads, groups and is quoted', () => {
    const name = '<img src=x onerror=alert(1)>';
    const doc = { ...minimal(), version: 2, edges: null } as StructureFile;
    doc.modules.push({
      path: name,
      kind: name,
      classPath: `evil.${name}`,
      normalization: { nameHint: name },
      params: [{ name: 'weight', shape: [4] }]
    });
    const model = paramModelFromStructure(doc);
    const evil = model.params.find((p) => p.modulePath === name)!;
    expect([evil.name, evil.moduleKind]).toEqual([`${name}.weight`, name]);
    const { groups, warnings } = groupParams(model);
    expect(groups.find((g) => g.weightDecay === 0)!.reasons![`${name}.weight`]).toMatch(
      /^<img src=x onerror=alert\(1\)> weight: <img/
    );
    expect(warnings[0]).toContain(name);
    doc.modules[4].path = `${name}..x`;
    expect(problems(doc)).toEqual([`$.modules[4].path: empty segment in "${name}..x"`]);
  });

  // ResNet and MobileNet convolutions feed BatchNorm directly. ViT's LayerNorms follow residual
  // additions, and ConvNeXt's convolutions have biases that a LayerNorm does not cancel: there no
  // weight is scale-invariant.
  it.each([
    ['resnet18', 20],
    ['resnet50', 53],
    ['mobilenet_v2', 52],
    ['vit_b_16', 0],
    ['convnext_tiny', 0]
  ] as const)('the %s fixture validates, has a graph and %i scale-invariant weights', (name, invariant) => {
    expect(FIXTURE_MODELS).toContain(name);
    const model = paramModelFromStructure(structureFixture(name));
    expect(model.edges).not.toBeNull();
    expect(model.params.filter((p) => p.feedsNormalization).length).toBe(invariant);
    for (const p of model.params.filter((q) => q.feedsNormalization)) expect(p.moduleKind).toBe('Conv2d');
  });
});

describe('nn builders match torchvision', () => {
  it.each([
    ['resnet18', resnet18, 62, 11_689_512],
    ['resnet50', resnet50, 161, 25_557_032]
  ] as const)(
    '%s: same names, shapes, kinds and scale-invariant weights as the torchvision fixture',
    (name, build, count, total) => {
      const net = build();
      const ours = paramModelFromModule(net, { sampleInput: tf.zeros([2, 32, 32, 3]) });
      const theirs = paramModelFromStructure(structureFixture(name));
      net.dispose();
      const view = (m: typeof ours) =>
        m.params.map((p) => `${p.name} ${p.shape.join('x')} ${p.moduleKind} ${p.feedsNormalization}`);
      expect(view(ours)).toEqual(view(theirs));
      expect(ours.params.length).toBe(count);
      expect(ours.params.reduce((s, p) => s + p.size, 0)).toBe(total);
      // Every conv feeds a BatchNorm; the classifier does not.
      expect(ours.params.filter((p) => p.feedsNormalization).length).toBe(
        ours.params.filter((p) => p.moduleKind === 'Conv2d').length
      );
    },
    120_000
  );
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_MODELS, structureFixture } from '../../fixtures/load-fixtures';
import { paramModelFromStructure, StructureFileError, validateStructure } from './index';
import type { StructureFile } from './schema';
import { paramModelFromModule } from '../params';
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
    { path: '1', kind: 'BatchNorm1d', params: [{ name: 'weight', shape: [4] }, { name: 'bias', shape: [4], trainable: false }] },
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

  it('errors name the JSON path of every problem', () => {
    const doc = minimal() as unknown as Record<string, unknown>;
    const modules = doc.modules as Array<Record<string, unknown>>;
    modules[1].params = [{ name: 'weight', shape: [4, -3] }];
    modules[2].kind = 7;
    doc.version = 2;
    expect(problems(doc)).toEqual([
      '$.version: expected 1, got number',
      '$.modules[1].params[0].shape[1]: expected a non-negative integer, got number',
      '$.modules[2].kind: expected a string, got number'
    ]);
    expect(() => paramModelFromStructure('{oops')).toThrow(/not JSON/);
    expect(problems([])).toEqual(['$: expected an object, got an array']);
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
      '$.edges[0].from: no module "9"'.replace('[0]', '[1]')
    ]);
    const twice = minimal();
    twice.modules[1].params!.push({ name: 'weight', shape: [1] });
    expect(problems(twice)).toEqual(['$.modules[1].params[1].name: parameter "weight" given twice in module "0"']);
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
  ] as const)('%s: same names, shapes, kinds and scale-invariant weights as the torchvision fixture', (name, build, count, total) => {
    const net = build();
    const ours = paramModelFromModule(net, { sampleInput: tf.zeros([2, 32, 32, 3]) });
    const theirs = paramModelFromStructure(structureFixture(name));
    net.dispose();
    const view = (m: typeof ours) => m.params.map((p) => `${p.name} ${p.shape.join('x')} ${p.moduleKind} ${p.feedsNormalization}`);
    expect(view(ours)).toEqual(view(theirs));
    expect(ours.params.length).toBe(count);
    expect(ours.params.reduce((s, p) => s + p.size, 0)).toBe(total);
    // Every conv feeds a BatchNorm; the classifier does not.
    expect(ours.params.filter((p) => p.feedsNormalization).length).toBe(ours.params.filter((p) => p.moduleKind === 'Conv2d').length);
  }, 120_000);
});

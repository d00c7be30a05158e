import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { structureFixture } from '../../fixtures/load-fixtures';
import { bnMlp } from '../nn';
import {
  documentVerifyParamGroups,
  groupParams,
  groupsByModuleType,
  groupsForAdamW,
  paramModelFromModule,
  paramModelFromStructure,
  ParamGroupsError,
  verifyParamGroups,
  type ParamModel
} from '../index';

let r50: ParamModel;
beforeAll(async () => {
  await tf.setBackend('cpu');
  r50 = paramModelFromStructure(structureFixture('resnet50'));
});

const codes = (report: ReturnType<typeof verifyParamGroups>) =>
  report.findings.map((f) => `${f.severity} ${f.code} ${f.params.join(',')} [${f.groups}]`);

describe('verifyParamGroups', () => {
  it('section 7’s own check passes ResNet-50 with decay on downsample.1; this one fails it, naming the param', () => {
    const groups = groupsForAdamW(r50);
    expect(() => documentVerifyParamGroups(r50, groups)).not.toThrow();
    const report = verifyParamGroups(r50, groups);
    expect(report.ok).toBe(false);
    const decayed = report.findings.filter((f) => f.code === 'norm-param-decayed');
    expect(decayed.map((f) => f.params[0])).toEqual([1, 2, 3, 4].map((i) => `layer${i}.0.downsample.1.weight`));
    expect(decayed[0].message).toBe(
      'layer1.0.downsample.1.weight (BatchNorm2d weight) has weight decay 0.01 in group 0; ' +
        'BatchNorm2d: torch.nn normalization class'
    );
    expect(() => verifyParamGroups(r50, groups, { strict: true })).toThrow(ParamGroupsError);
    expect(() => verifyParamGroups(r50, groups, { strict: true })).toThrow(/layer4\.0\.downsample\.1\.weight/);
  });

  it('passes the structural default and the module-type recipe, with per-group totals', () => {
    const report = verifyParamGroups(r50, groupParams(r50).groups, { strict: true });
    expect([report.ok, report.verdict]).toEqual([true, 'ok']);
    expect(report.findings.every((f) => f.code === 'scale-invariant-decayed' && f.severity === 'info')).toBe(true);
    expect(report.findings.length).toBe(53);
    expect(report.groups.map((g) => [g.label, g.weightDecay, g.tensorCount])).toEqual([
      ['decay', 1e-4, 54],
      ['no_decay', 0, 107]
    ]);
    expect(report.groups.reduce((s, g) => s + g.elementCount, 0)).toBe(25_557_032);
    expect(report.model).toEqual({ name: 'resnet50', tensorCount: 161, elementCount: 25_557_032, trainableCount: 161 });
    expect(verifyParamGroups(r50, groupsByModuleType(r50)).ok).toBe(true);
  });

  it('ok: no error, no warning; verdict says which; strict throws on errors, with "warnings" on warnings too', () => {
    const { groups } = groupParams(r50);
    const biasDecayed = groups.map((g) => ({ ...g, params: [...g.params] }));
    const fcBias = biasDecayed[1].params.findIndex((p) => p.name === 'fc.bias');
    biasDecayed[0].params.push(...biasDecayed[1].params.splice(fcBias, 1));
    const report = verifyParamGroups(r50, biasDecayed, { strict: true });
    expect(report.findings.filter((f) => f.severity !== 'info').map((f) => f.code)).toEqual(['bias-decayed']);
    expect([report.ok, report.verdict]).toEqual([false, 'warnings']);
    expect(() => verifyParamGroups(r50, biasDecayed, { strict: 'errors' })).not.toThrow();
    expect(() => verifyParamGroups(r50, biasDecayed, { strict: 'warnings' })).toThrow(
      `parameter groups of model "${r50.name}" failed verification (1 warning):\n` +
        '  warning bias-decayed: fc.bias (bias of Linear) has weight decay 0.0001 in group 0'
    );
    // Information findings alone leave the verdict ok.
    expect(verifyParamGroups(r50, groups, { strict: 'warnings' }).verdict).toBe('ok');
  });

  it('reports missing, duplicate, unknown, frozen, bias and bad hyperparameters', () => {
    const model: ParamModel = {
      ...r50,
      params: r50.params.map((p) => ({ ...p, trainable: p.name !== 'conv1.weight' }))
    };
    const byName = (n: string) => model.params.find((p) => p.name === n)!;
    const groups = [
      { params: [byName('conv1.weight'), byName('fc.weight'), byName('fc.weight')], weightDecay: 1e-4 },
      { params: [byName('fc.weight'), { name: 'head.weight' }, byName('fc.bias')], weightDecay: 0.1, lr: -1 },
      { params: [], weightDecay: Number.NaN }
    ];
    const report = verifyParamGroups(model, groups);
    const found = codes(report);
    expect(found.slice(0, 8)).toEqual([
      'warning frozen-in-group conv1.weight [0]',
      'info scale-invariant-decayed conv1.weight [0]',
      'error duplicate fc.weight [0]',
      'error invalid-hyperparameter  [1]',
      'error unknown-param head.weight [1]',
      'warning bias-decayed fc.bias [1]',
      'error invalid-hyperparameter  [2]',
      'warning empty-group  [2]'
    ]);
    expect(found[8]).toBe('error duplicate fc.weight [0,1]');
    expect(found.filter((f) => f.startsWith('error missing')).length).toBe(161 - 3);
    expect(report.findings.find((f) => f.code === 'unknown-param')!.message).toBe(
      'group 1: head.weight is not a parameter of model "resnet50"'
    );
    expect(report.findings[3].message).toBe('group 1: lr must be a finite number ≥ 0, got -1');
  });

  it('resolves variables of an nn model and reads an optimizer’s paramGroups and defaults', () => {
    const net = bnMlp([3, 4, 2]);
    const model = paramModelFromModule(net);
    const vars = net.parameters();
    const optimizer = { paramGroups: [{ params: vars }], defaults: { weightDecay: 0.01 } };
    const report = verifyParamGroups(net, optimizer);
    expect(codes(report)).toEqual([
      'error norm-param-decayed 1.weight [0]',
      'error norm-param-decayed 1.bias [0]',
      'warning bias-decayed 3.bias [0]'
    ]);
    const stranger = tf.variable(tf.zeros([1]));
    expect(codes(verifyParamGroups(model, [{ params: [...vars, stranger], weightDecay: 0 }]))).toEqual([
      `error unknown-param variable "${stranger.name}" [0]`
    ]);
    stranger.dispose();
    net.dispose();
  });

  it('an empty model is an error', () => {
    const empty: ParamModel = {
      name: 'empty',
      source: 'structure',
      params: [],
      modules: [{ path: '', kind: 'Net', params: [] }],
      edges: null
    };
    expect(codes(verifyParamGroups(empty, []))).toEqual(['error empty-model  []']);
  });
});

describe('with the optimizers', () => {
  it('verifies an SGD built from a recipe’s groups, and one built from the structural default', async () => {
    const { SGD } = await import('../optim');
    const { resnet18 } = await import('../nn');
    const net = resnet18({ numClasses: 4 });
    const model = paramModelFromModule(net);
    const fromRecipe = new SGD(groupsForAdamW(model), { lr: 0.1 });
    const report = verifyParamGroups(net, fromRecipe);
    expect(report.findings.filter((f) => f.code === 'norm-param-decayed').map((f) => f.params[0])).toEqual([
      'layer2.0.downsample.1.weight',
      'layer3.0.downsample.1.weight',
      'layer4.0.downsample.1.weight'
    ]);
    const structural = new SGD(groupParams(model).groups, { lr: 0.1 });
    expect(verifyParamGroups(net, structural, { strict: true }).groups.map((g) => g.tensorCount)).toEqual([21, 41]);
    net.dispose();
  }, 60_000);
});

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Module, Sequential } from '../nn';
import {
  formatMeasure,
  groupParams,
  groupsByModuleType,
  groupsByNameHeuristic,
  normalizationVerdict,
  paramModelFromModule,
  paramModelFromStructure,
  verifyParamGroups,
  type NormalizationVerdictKind,
  type ParamModel,
  type ScaleProbe,
  type StructureFile,
  type StructureModule
} from '../index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const invariant = (maxRelChange: number): ScaleProbe => ({
  scales: [0.5, 4],
  maxRelChange,
  tolerance: 1e-4,
  invariant: true
});
const variant = (maxRelChange: number): ScaleProbe => ({
  scales: [0.5, 4],
  maxRelChange,
  tolerance: 1e-4,
  invariant: false
});

function v2(modules: StructureModule[], extra: Partial<StructureFile> = {}): StructureFile {
  return {
    format: 'paramscope-structure',
    version: 2,
    model: 'zoo',
    export: { route: 'none' },
    modules,
    edges: null,
    ...extra
  };
}

/** One module per verdict, as the exporter writes them. */
const zoo = (): StructureFile =>
  v2([
    {
      path: '',
      kind: 'Zoo',
      classPath: 'tests.Zoo',
      normalization: { probe: { skipped: 'the root module is not probed' } },
      params: [{ name: 'pos_embed', shape: [1, 5, 8], noWeightDecay: "model.no_weight_decay() lists 'pos_embed'" }]
    },
    {
      path: 't5norm',
      kind: 'T5LayerNorm',
      classPath: 'transformers.models.t5.modeling_t5.T5LayerNorm',
      normalization: { probe: invariant(3e-7), nameHint: 'T5LayerNorm' },
      params: [{ name: 'weight', shape: [8] }]
    },
    {
      path: 'ln2d',
      kind: 'LayerNorm2d',
      baseKind: 'LayerNorm',
      classPath: 'torchvision.models.convnext.LayerNorm2d',
      normalization: { hierarchy: 'LayerNorm', probe: invariant(2e-7), nameHint: 'LayerNorm2d' },
      params: [
        { name: 'weight', shape: [8] },
        { name: 'bias', shape: [8] }
      ]
    },
    {
      path: 'bn',
      kind: 'BatchNorm2d',
      classPath: 'torch.nn.modules.batchnorm.BatchNorm2d',
      normalization: { hierarchy: 'BatchNorm2d', probe: invariant(1e-7), nameHint: 'BatchNorm2d' },
      params: [
        { name: 'weight', shape: [8] },
        { name: 'bias', shape: [8] }
      ]
    },
    {
      path: 'gn',
      kind: 'GroupNorm',
      classPath: 'torch.nn.modules.normalization.GroupNorm',
      normalization: { hierarchy: 'GroupNorm', probe: variant(0.2), nameHint: 'GroupNorm' },
      params: [{ name: 'weight', shape: [8] }]
    },
    {
      path: 'ada',
      kind: 'AdaNorm',
      classPath: 'tests.AdaNorm',
      normalization: { probe: variant(0.25), nameHint: 'AdaNorm' },
      params: [{ name: 'weight', shape: [8] }]
    },
    {
      path: 'gate',
      kind: 'Gate',
      classPath: 'tests.Gate',
      normalization: { probe: { skipped: 'never called in the example forward pass' } },
      params: [
        { name: 'scale', shape: [8] },
        { name: 'bias', shape: [8] }
      ]
    },
    {
      path: 'head',
      kind: 'Linear',
      classPath: 'torch.nn.modules.linear.Linear',
      normalization: { probe: { skipped: 'no example inputs given' } },
      params: [
        { name: 'weight', shape: [4, 8] },
        { name: 'bias', shape: [4] }
      ]
    }
  ]);

const placement = (model: ParamModel) => {
  const { groups, warnings } = groupParams(model, { weightDecay: 0.05 });
  const reasons = Object.assign({}, ...groups.map((g) => g.reasons));
  const decayed = new Set(groups.filter((g) => g.weightDecay > 0).flatMap((g) => g.params.map((p) => p.name)));
  return { groups, warnings, reasons: reasons as Record<string, string>, decayed };
};

describe('normalizationVerdict: one verdict per parameter, from every signal', () => {
  const model = paramModelFromStructure(zoo());
  const verdictOf = (name: string) => normalizationVerdict(model.params.find((p) => p.name === name)!);

  it.each([
    ['t5norm.weight', 'normalization', ['probe', 'name']],
    ['ln2d.weight', 'normalization', ['hierarchy', 'class', 'probe', 'name']],
    ['bn.weight', 'normalization', ['class', 'hierarchy', 'probe', 'name']],
    ['gn.weight', 'normalization', ['class', 'hierarchy', 'name']],
    ['pos_embed', 'declared', ['declaration']],
    ['gate.scale', 'unknown-kind', ['ndim']],
    ['gate.bias', 'ordinary', []],
    ['ada.weight', 'name-only', ['name']],
    ['head.weight', 'ordinary', []]
  ] as const)('%s: %s, signals %j', (name, verdict, signals) => {
    expect(verdictOf(name).verdict).toBe(verdict as NormalizationVerdictKind);
    expect(verdictOf(name).signals).toEqual(signals);
  });

  it('the structural default places each by its verdict, the reason naming the signal', () => {
    const { reasons, decayed } = placement(model);
    expect(reasons['t5norm.weight']).toBe(
      'T5LayerNorm: output unchanged when its input is scaled by 0.5 and 4 (max rel. change 3e-7): ' +
        'normalization → no decay'
    );
    expect(reasons['bn.weight']).toBe('BatchNorm2d: torch.nn normalization class → no decay');
    expect(reasons['ln2d.weight']).toBe('LayerNorm2d: subclass of torch.nn LayerNorm → no decay');
    expect(reasons['pos_embed']).toBe(
      "Zoo pos_embed: declared decay-free: model.no_weight_decay() lists 'pos_embed' → no decay"
    );
    expect(reasons['gate.scale']).toBe(
      'Gate scale: Gate is not a known class and its behaviour is unknown (behaviour probe skipped: never called in ' +
        "the example forward pass); 1-D → no decay (timm's ndim ≤ 1 rule)"
    );
    expect(reasons['gate.bias']).toBe('bias of Gate: no decay');
    expect(reasons['ada.weight']).toBe('AdaNorm weight: weight decay');
    expect([...decayed].sort()).toEqual(['ada.weight', 'head.weight']);
  });

  it('conflicting signals: the hierarchy decides, the reason gives the probe too', () => {
    expect(placement(model).reasons['gn.weight']).toBe(
      'GroupNorm: torch.nn normalization class → no decay (though the behaviour probe measured a relative output ' +
        'change of 0.2 > tolerance 1e-4 when its input was scaled by 0.5 and 4)'
    );
  });

  it('warns about the unknown kind and the name-only normalization, once per kind', () => {
    expect(placement(model).warnings).toEqual([
      'its class name AdaNorm looks like a normalization, but no strong signal says so (the behaviour probe measured ' +
        'a relative output change of 0.25 > tolerance 1e-4 when its input was scaled by 0.5 and 4): they keep weight ' +
        'decay (1 module, 1 parameter: ada.weight)',
      'Gate is not a known class and its behaviour is unknown (behaviour probe skipped: never called in the example ' +
        "forward pass): its parameters with ndim ≤ 1 go without weight decay by timm's rule (1 module, 1 parameter: " +
        'gate.scale); export the model with example inputs so that the behaviour probe can decide'
    ]);
  });

  it('verification: an error per strong normalization decayed, warnings for the weaker verdicts', () => {
    const everything = [{ params: model.params, weightDecay: 0.05 }];
    const report = verifyParamGroups(model, everything);
    const byParam = Object.fromEntries(report.findings.map((f) => [f.params[0], `${f.severity} ${f.code}`]));
    expect(byParam).toEqual({
      pos_embed: 'warning declared-no-decay-decayed',
      't5norm.weight': 'error norm-param-decayed',
      'ln2d.weight': 'error norm-param-decayed',
      'ln2d.bias': 'error norm-param-decayed',
      'bn.weight': 'error norm-param-decayed',
      'bn.bias': 'error norm-param-decayed',
      'gn.weight': 'error norm-param-decayed',
      'ada.weight': 'warning norm-name-only-decayed',
      'gate.scale': 'warning unknown-kind-1d-decayed',
      'gate.bias': 'warning bias-decayed',
      'head.bias': 'warning bias-decayed'
    });
    const message = (name: string) => report.findings.find((f) => f.params[0] === name)!.message;
    expect(message('t5norm.weight')).toBe(
      't5norm.weight (T5LayerNorm weight) has weight decay 0.05 in group 0; T5LayerNorm: output unchanged when its ' +
        'input is scaled by 0.5 and 4 (max rel. change 3e-7): normalization'
    );
    expect(message('pos_embed')).toBe(
      'pos_embed (Zoo pos_embed) has weight decay 0.05 in group 0, but the model declared decay-free: ' +
        "model.no_weight_decay() lists 'pos_embed'"
    );
    expect(message('gate.scale')).toMatch(
      /^gate\.scale \(Gate scale\) has weight decay 0\.05 in group 0: Gate is not a known class .*; timm's rule/
    );
    expect([report.ok, report.verdict]).toEqual([false, 'errors']);
  });

  it('the structural default verifies without errors; its warnings are the weak decisions', () => {
    const report = verifyParamGroups(model, placement(model).groups);
    expect(report.findings.map((f) => `${f.severity} ${f.code} ${f.params[0]}`)).toEqual([
      'warning norm-name-only-decayed ada.weight'
    ]);
    expect([report.ok, report.verdict]).toEqual([false, 'warnings']);
    expect(() => verifyParamGroups(model, placement(model).groups, { strict: true })).not.toThrow();
    expect(() => verifyParamGroups(model, placement(model).groups, { strict: 'warnings' })).toThrow(
      /failed verification \(1 warning\):\n {2}warning norm-name-only-decayed: ada\.weight/
    );
  });

  it('rules with normalization: true use the same verdict (the probe counts, the name alone does not)', () => {
    const { groups } = groupParams(model, { baseline: 'decay-all', rules: [{ normalization: true, weightDecay: 0 }] });
    const exempt = groups.filter((g) => g.weightDecay === 0).flatMap((g) => g.params.map((p) => p.name));
    expect(exempt).toEqual(['t5norm.weight', 'ln2d.weight', 'ln2d.bias', 'bn.weight', 'bn.bias', 'gn.weight']);
  });

  it('a version 1 file: class knowledge only, so a custom norm is of unknown kind with a name hint', () => {
    const v1: StructureFile = {
      format: 'paramscope-structure',
      version: 1,
      model: 't5-v1',
      modules: [
        { path: '', kind: 'T5Stack' },
        { path: 'final_layer_norm', kind: 'T5LayerNorm', params: [{ name: 'weight', shape: [8] }] }
      ]
    };
    const old = paramModelFromStructure(v1);
    const verdict = normalizationVerdict(old.params[0]);
    expect([verdict.verdict, verdict.signals]).toEqual(['unknown-kind', ['name', 'ndim']]);
    expect(verdict.evidence).toBe(
      'T5LayerNorm is not a known class and its behaviour is unknown (no behaviour probe); its class name ' +
        'T5LayerNorm looks like a normalization'
    );
  });

  it('formats measurements with two significant digits', () => {
    expect([3e-7, 2.61e-7, 0.123, 4, 0.5, 12345, 0].map(formatMeasure)).toEqual([
      '3e-7',
      '2.6e-7',
      '0.12',
      '4',
      '0.5',
      '1.2e4',
      '0'
    ]);
  });
});

/** A Llama-shaped model: RMSNorm classes that subclass nn.Module directly (no baseKind). */
function llama(probe: ScaleProbe | { skipped: string } | undefined): StructureFile {
  const norm = (path: string): StructureModule => ({
    path,
    kind: 'LlamaRMSNorm',
    classPath: 'transformers.models.llama.modeling_llama.LlamaRMSNorm',
    normalization: probe ? { probe, nameHint: 'LlamaRMSNorm' } : { nameHint: 'LlamaRMSNorm' },
    params: [{ name: 'weight', shape: [16] }]
  });
  const linear = (path: string, shape: number[]): StructureModule => ({
    path,
    kind: 'Linear',
    classPath: 'torch.nn.modules.linear.Linear',
    normalization: { probe: variant(0.9) },
    params: [{ name: 'weight', shape }]
  });
  const modules: StructureModule[] = [
    { path: '', kind: 'LlamaForCausalLM' },
    { path: 'model', kind: 'LlamaModel' },
    { path: 'model.embed_tokens', kind: 'Embedding', params: [{ name: 'weight', shape: [32, 16] }] },
    { path: 'model.layers', kind: 'ModuleList' }
  ];
  for (const i of [0, 1]) {
    const layer = `model.layers.${i}`;
    modules.push({ path: layer, kind: 'LlamaDecoderLayer' }, norm(`${layer}.input_layernorm`), {
      path: `${layer}.self_attn`,
      kind: 'LlamaAttention'
    });
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'o_proj'])
      modules.push(linear(`${layer}.self_attn.${proj}`, [16, 16]));
    modules.push(norm(`${layer}.post_attention_layernorm`), { path: `${layer}.mlp`, kind: 'LlamaMLP' });
    for (const proj of ['gate_proj', 'up_proj']) modules.push(linear(`${layer}.mlp.${proj}`, [32, 16]));
    modules.push(linear(`${layer}.mlp.down_proj`, [16, 32]));
  }
  modules.push(norm('model.norm'), linear('lm_head', [32, 16]));
  return v2(modules, { model: 'llama-tiny', export: { route: 'hooks' }, edges: [] });
}

const NORM_WEIGHTS = [
  'model.layers.0.input_layernorm.weight',
  'model.layers.0.post_attention_layernorm.weight',
  'model.layers.1.input_layernorm.weight',
  'model.layers.1.post_attention_layernorm.weight',
  'model.norm.weight'
];

describe('the headline regression: RMSNorm classes that no list names', () => {
  it('found by the probe: the default leaves every norm weight without decay; decaying them is an error', () => {
    const model = paramModelFromStructure(llama(invariant(3e-7)));
    const { groups, warnings, reasons } = placement(model);
    expect(groups.find((g) => g.weightDecay === 0)!.params.map((p) => p.name)).toEqual(NORM_WEIGHTS);
    expect(reasons['model.norm.weight']).toBe(
      'LlamaRMSNorm: output unchanged when its input is scaled by 0.5 and 4 (max rel. change 3e-7): ' +
        'normalization → no decay'
    );
    expect(warnings).toEqual([]);
    expect(verifyParamGroups(model, groups, { strict: 'warnings' }).verdict).toBe('ok');
    // Section 6.2 lists only the classic classes: it decays all five, and verification says so.
    const report = verifyParamGroups(model, groupsByModuleType(model));
    const errors = report.findings.filter((f) => f.severity === 'error');
    expect(errors.map((f) => `${f.code} ${f.params[0]}`)).toEqual(NORM_WEIGHTS.map((n) => `norm-param-decayed ${n}`));
    expect(errors[4].message).toMatch(/; LlamaRMSNorm: output unchanged when its input is scaled by 0\.5 and 4/);
    expect([report.ok, report.verdict]).toEqual([false, 'errors']);
    // The name test of 6.1 happens to catch these names.
    expect(verifyParamGroups(model, groupsByNameHeuristic(model)).verdict).toBe('ok');
  });

  it.each([
    ['the probe skipped (meta device)', { skipped: 'meta device: no real instance could be built' }],
    ['no probe at all', undefined]
  ] as const)(
    'with %s: timm’s rule keeps them out of decay, with a warning; decaying them is a warning',
    (_, probe) => {
      const model = paramModelFromStructure(llama(probe));
      const { groups, warnings } = placement(model);
      expect(groups.find((g) => g.weightDecay === 0)!.params.map((p) => p.name)).toEqual(NORM_WEIGHTS);
      expect(warnings.length).toBe(1);
      expect(warnings[0]).toMatch(
        /^LlamaRMSNorm is not a known class .*\(5 modules, 5 parameters: model\.layers\.0\.input_layernorm\.weight, /
      );
      const report = verifyParamGroups(model, groupsByModuleType(model));
      // 6.2 finds no normalization and no bias here: its no-decay group is empty.
      const expected = [...NORM_WEIGHTS.map(() => 'warning unknown-kind-1d-decayed'), 'warning empty-group'];
      expect(report.findings.map((f) => `${f.severity} ${f.code}`)).toEqual(expected);
      expect([report.ok, report.verdict]).toEqual([false, 'warnings']);
    }
  );
});

/** An RMSNorm written as a plain nn Module: a class this package does not know. */
class MyRMSNorm extends Module {
  readonly kind = 'MyRMSNorm';
  readonly weight: tf.Variable;
  constructor(features: number) {
    super();
    this.weight = this.registerParameter('weight', tf.variable(tf.ones([features]))) as tf.Variable;
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), this.weight));
  }
}

describe('nn modules: class knowledge, and timm’s rule for a class of unknown kind', () => {
  it('a custom norm module goes without decay by timm’s rule, with a warning; a known class as before', () => {
    const net = new Sequential(new Linear(4, 4), new MyRMSNorm(4), new Linear(4, 2, { bias: false }));
    const model = paramModelFromModule(net);
    const { groups, warnings } = groupParams(model);
    const exempt = groups.filter((g) => g.weightDecay === 0).flatMap((g) => g.params.map((p) => p.name));
    expect(exempt).toEqual(['0.bias', '1.weight']);
    expect(warnings).toEqual([
      'MyRMSNorm is not a known class and its behaviour is unknown (no behaviour probe); its class name MyRMSNorm ' +
        "looks like a normalization: its parameters with ndim ≤ 1 go without weight decay by timm's rule (1 module, " +
        '1 parameter: 1.weight); a rule such as { moduleKind: "MyRMSNorm", weightDecay: 0 } makes the choice explicit'
    ]);
    net.dispose();
  });
});

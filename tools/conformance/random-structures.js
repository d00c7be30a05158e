/**
 * Seeded random structure files (version 1 and 2) for the conformance suite: module trees with
 * normalizations of every evidence kind (torch.nn class, hierarchy, behaviour probe, name only,
 * unknown kind, a user class reusing a torch.nn name), biases, tied and frozen parameters,
 * declarations, random data-flow edges — every one a valid structure file.
 */
'use strict';

/** mulberry32: a small seeded generator of floats in [0, 1). */
function makeRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    subset: (items, p) => items.filter(() => next() < p)
  };
}

const SCALE_SETS = [[0.5, 4], [0.5, 2, 4], [2]];
// Invariant measurements, and others; 0.125 and 0.0125 test ties in two-digit rounding.
const SMALL_CHANGES = [0, 3e-7, 1.2e-6, 2.5e-4, 0.000999];
const LARGE_CHANGES = [3, 0.5, 0.125, 0.0125, 2.5e-3, 1.5e5, 0.01];
const SKIP_REASONS = ['no example inputs given', 'never called in the example forward pass', 'its output is zero'];

function probe(rng, invariant) {
  if (invariant === null) return { skipped: rng.pick(SKIP_REASONS) };
  const maxRelChange = rng.pick(invariant ? SMALL_CHANGES : LARGE_CHANGES);
  return { scales: rng.pick(SCALE_SETS), maxRelChange, tolerance: 1e-3, invariant };
}

/** `probeMode`: 'invariant', 'variant', 'skipped' or 'random' (any of the three). */
function evidence(rng, { hierarchy, nameHint, probeMode }) {
  const mode = probeMode === 'random' ? rng.pick(['invariant', 'variant', 'skipped']) : probeMode;
  const record = {};
  if (hierarchy) record.hierarchy = hierarchy;
  record.probe = probe(rng, mode === 'skipped' ? null : mode === 'invariant');
  if (nameHint) record.nameHint = nameHint;
  return record;
}

/**
 * Leaf modules by evidence kind: each returns `{kind, baseKind?, classPath, evidence, params}`
 * for a feature width `d`.
 */
const LEAVES = {
  linear: (rng, d) => ({
    kind: rng.pick(['Linear', 'Linear', 'NonDynamicallyQuantizableLinear']),
    classPath: 'torch.nn.modules.linear.Linear',
    evidence: { probeMode: rng.pick(['variant', 'skipped']) },
    params: [['weight', [d, d]], ...(rng.chance(0.6) ? [['bias', [d]]] : [])]
  }),
  conv: (rng, d) => ({
    kind: 'Conv2d',
    classPath: 'torch.nn.modules.conv.Conv2d',
    evidence: { probeMode: rng.pick(['variant', 'skipped']) },
    params: [['weight', [d, d, 3, 3]], ...(rng.chance(0.3) ? [['bias', [d]]] : [])]
  }),
  embedding: (rng, d) => ({
    kind: 'Embedding',
    classPath: 'torch.nn.modules.sparse.Embedding',
    evidence: { probeMode: 'skipped' },
    params: [['weight', [rng.int(10, 50), d]]]
  }),
  torchNorm: (rng, d) => {
    const kind = rng.pick(['BatchNorm2d', 'LayerNorm', 'GroupNorm', 'RMSNorm', 'BatchNorm1d', 'InstanceNorm2d']);
    // A probe that disagrees with class knowledge now and then (quoted, never deciding).
    return {
      kind,
      classPath: `torch.nn.modules.normalization.${kind}`,
      evidence: {
        hierarchy: kind,
        nameHint: kind,
        probeMode: rng.pick(['invariant', 'invariant', 'variant', 'skipped'])
      },
      params:
        kind === 'RMSNorm'
          ? [['weight', [d]]]
          : [
              ['weight', [d]],
              ['bias', [d]]
            ]
    };
  },
  torchvisionNorm: (rng, d) => ({
    kind: rng.pick(['LayerNorm2d', 'FrozenBatchNorm2d']),
    baseKind: 'LayerNorm',
    classPath: 'torchvision.ops.misc.LayerNorm2d',
    evidence: { hierarchy: 'LayerNorm', nameHint: 'LayerNorm2d', probeMode: 'random' },
    params: [
      ['weight', [d]],
      ['bias', [d]]
    ]
  }),
  subclassNorm: (rng, d) => ({
    kind: rng.pick(['DinoLayerNorm', 'Fp32GroupNorm', 'ChannelsFirstNorm']),
    baseKind: rng.pick(['LayerNorm', 'GroupNorm']),
    classPath: 'mypkg.layers.CustomNorm',
    evidence: { hierarchy: 'LayerNorm', probeMode: 'random' },
    params: [
      ['weight', [d]],
      ['bias', [d]]
    ]
  }),
  probedNorm: (rng, d) => {
    const kind = rng.pick(['T5LayerNorm', 'LlamaRMSNorm', 'GemmaRMSNorm', 'ScaleNormalizer']);
    return {
      kind,
      classPath: `transformers.models.x.modeling_x.${kind}`,
      evidence: { nameHint: /norm/i.test(kind) ? kind : undefined, probeMode: 'invariant' },
      params: [['weight', [d]]]
    };
  },
  nameOnlyNorm: (rng, d) => ({
    kind: rng.pick(['FancyNorm', 'AdaptiveNorm']),
    classPath: 'mypkg.layers.FancyNorm',
    evidence: { nameHint: 'FancyNorm', probeMode: 'variant' },
    params: [
      ['weight', [d]],
      ['bias', [d]]
    ]
  }),
  unknownKind: (rng, d) => {
    const kind = rng.pick(['ScaleShift', 'MysteryNorm', 'Affine']);
    return {
      kind,
      classPath: `mypkg.layers.${kind}`,
      evidence: { nameHint: /norm/i.test(kind) ? kind : undefined, probeMode: 'skipped' },
      params: [
        ['weight', [d]],
        ['bias', [d]],
        ...(rng.chance(0.4)
          ? [
              ['gain', [1]],
              ['proj', [d, d]]
            ]
          : [])
      ]
    };
  },
  // A user class that reuses a torch.nn name: its kind is not trusted.
  impostor: (rng, d) => ({
    kind: rng.pick(['LayerNorm', 'Linear']),
    classPath: 'mypkg.layers.Impostor',
    evidence: { probeMode: rng.pick(['skipped', 'variant']) },
    params: [
      ['weight', [d]],
      ['bias', [d]]
    ]
  }),
  layerScale: (rng, d) => ({
    kind: 'LayerScale',
    classPath: 'timm.layers.LayerScale',
    evidence: { probeMode: 'variant' },
    params: [['gamma', [d]]]
  }),
  attention: (rng, d) => ({
    kind: 'MultiheadAttention',
    classPath: 'torch.nn.modules.activation.MultiheadAttention',
    evidence: { probeMode: 'variant' },
    params: [
      ['in_proj_weight', [3 * d, d]],
      ['in_proj_bias', [3 * d]]
    ]
  })
};

const LEAF_WEIGHTS = [
  ['linear', 5],
  ['conv', 3],
  ['embedding', 1],
  ['torchNorm', 4],
  ['torchvisionNorm', 1],
  ['subclassNorm', 1],
  ['probedNorm', 2],
  ['nameOnlyNorm', 1],
  ['unknownKind', 2],
  ['impostor', 1],
  ['layerScale', 1],
  ['attention', 1]
];
const CONTAINERS = [
  ['Sequential', 'torch.nn.modules.container.Sequential'],
  ['ModuleList', 'torch.nn.modules.container.ModuleList'],
  ['Block', 'mypkg.model.Block']
];
const SEGMENTS = [
  'layers',
  'blocks',
  'bn1',
  'norm',
  'attn',
  'mlp',
  'downsample',
  'head',
  'stem',
  'proj',
  'fc',
  'ln_f',
  'gate'
];
const VIA_OPS = ['reshape', 'relu', 'pad', 'permute', 'flatten', 'maxpool', 'dropout', 'gelu', 'add', 'identity'];

function pickLeaf(rng) {
  const total = LEAF_WEIGHTS.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [name, w] of LEAF_WEIGHTS) {
    r -= w;
    if (r < 0) return name;
  }
  return 'linear';
}

/** The module entry of a leaf in a file of `version`. */
function leafEntry(rng, path, leaf, version) {
  const entry = { path, kind: leaf.kind };
  if (leaf.baseKind) entry.baseKind = leaf.baseKind;
  if (version === 2) {
    entry.classPath = leaf.classPath;
    entry.normalization = evidence(rng, leaf.evidence);
  }
  entry.params = leaf.params.map(([name, shape]) => ({ name, shape }));
  return entry;
}

/** A random module tree: containers with leaves, parents before children. */
function moduleTree(rng, version, d) {
  const modules = [];
  const root = { path: '', kind: rng.pick(['Net', 'VisionTransformer', 'TinyLM']) };
  if (version === 2) root.classPath = `mypkg.model.${root.kind}`;
  modules.push(root);
  if (rng.chance(0.4)) {
    // Root-level vectors and tokens (cls_token, pos_embed): a module of unknown kind owns them.
    root.params = [
      { name: 'cls_token', shape: [1, 1, d] },
      { name: 'pos_embed', shape: [1, 8, d] },
      { name: 'temperature', shape: [1] }
    ];
    if (version === 2) root.normalization = evidence(rng, { probeMode: rng.pick(['skipped', 'variant']) });
  }
  const branches = rng.int(1, 3);
  for (let b = 0; b < branches; b++) {
    const [kind, classPath] = rng.pick(CONTAINERS);
    const path = `${rng.pick(SEGMENTS)}${b}`;
    const container = { path, kind };
    if (version === 2) container.classPath = classPath;
    modules.push(container);
    const leaves = rng.int(1, 4);
    for (let i = 0; i < leaves; i++) {
      const name = kind === 'Block' ? `${rng.pick(SEGMENTS)}${i}` : String(i);
      modules.push(leafEntry(rng, `${path}.${name}`, LEAVES[pickLeaf(rng)](rng, d), version));
    }
  }
  return modules;
}

/** Freezes a few parameters and ties a few to an earlier untied one of the same shape. */
function freezeAndTie(rng, modules) {
  const seen = [];
  for (const m of modules) {
    for (const p of m.params ?? []) {
      const full = m.path ? `${m.path}.${p.name}` : p.name;
      const target = seen.find((s) => s.shape.join(',') === p.shape.join(',') && s.path !== m.path);
      if (target && rng.chance(0.12)) {
        p.sameAs = target.full;
        if (target.trainable === false) p.trainable = false;
        continue;
      }
      if (rng.chance(0.1)) p.trainable = false;
      seen.push({ full, shape: p.shape, path: m.path, trainable: p.trainable ?? true });
    }
  }
}

/** timm-style declarations on a few untied parameters (version 2 only). */
function declare(rng, doc) {
  const names = [];
  for (const m of doc.modules) {
    for (const p of m.params ?? []) {
      if (p.sameAs !== undefined || !rng.chance(0.08)) continue;
      const full = m.path ? `${m.path}.${p.name}` : p.name;
      p.noWeightDecay = rng.chance(0.5) ? `model.no_weight_decay() lists '${full}'` : 'param._no_weight_decay is True';
      names.push(full);
    }
  }
  if (names.length > 0) doc.declarations = { noWeightDecay: names.sort() };
}

/** Random data-flow edges out of modules that own parameters. */
function randomEdges(rng, modules) {
  const owners = modules.filter((m) => m.params);
  const edges = [];
  for (const m of owners) {
    const count = rng.int(0, 2);
    for (let i = 0; i < count; i++) {
      const roll = rng.next();
      const to = roll < 0.6 ? rng.pick(owners).path : roll < 0.8 ? 'output' : 'op:add';
      edges.push({ from: m.path, to, via: rng.subset(VIA_OPS, 0.2) });
    }
  }
  return edges;
}

/** One random, valid structure file. */
function randomStructure(seed) {
  const rng = makeRng(seed);
  const version = rng.chance(0.25) ? 1 : 2;
  const modules = moduleTree(rng, version, rng.pick([4, 8, 16]));
  freezeAndTie(rng, modules);
  const doc = { format: 'paramscope-structure', version, model: `random-${seed}` };
  const edges = rng.chance(0.25) ? null : randomEdges(rng, modules);
  if (version === 2) {
    doc.export = { route: edges === null ? 'none' : rng.pick(['fx', 'hooks']) };
    doc.modules = modules;
    declare(rng, doc);
  } else {
    doc.modules = modules;
  }
  if (edges !== null || version === 2) doc.edges = edges;
  return doc;
}

module.exports = { makeRng, randomStructure };

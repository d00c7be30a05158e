/**
 * The conformance suite's cases and their expected results, computed by the TypeScript
 * implementation handed in as `api` (the built `@paramscope/params` for the generator, its sources
 * for the vitest that checks the committed vectors are current). Every case is a structure file
 * with grouping runs (options → groups, reasons, skipped, warnings, or the error) and
 * verification runs (groups of names, or `groupsFrom`: those of a grouping run → report). The
 * Python package runs the same vectors.
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { makeRng, randomStructure } = require('./random-structures');

/** Where the vectors live, relative to the repository root. */
const VECTORS_DIR = 'test/conformance/vectors';
const RANDOM_CASES = 40;
const RANDOM_SEED = 17;
const RECIPES = ['nameHeuristic', 'moduleType', 'lars', 'adamw'];

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Every committed structure fixture: the real architectures (index.json) and torchvision's. */
function fixtureCases(repoRoot) {
  const dir = path.join(repoRoot, 'packages/core/fixtures/structures');
  const real = Object.keys(readJson(path.join(dir, 'real/index.json')).architectures).sort();
  const torchvision = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.recipes.json'))
    .sort();
  return [
    ...real.map((name) => ({ name: `real-${name}`, source: `packages/core/fixtures/structures/real/${name}.json` })),
    ...torchvision.map((f) => ({
      name: `torchvision-${f.slice(0, -5)}`,
      source: `packages/core/fixtures/structures/${f}`
    }))
  ].map((c) => ({ ...c, structure: readJson(path.join(repoRoot, c.source)) }));
}

const RESERVED = new Set(['params', 'weightDecay', 'lr', 'label', 'reasons']);

/** A group as plain data: names instead of parameter objects, extra keys under `hyperparameters`. */
function plainGroup(group) {
  const out = { label: group.label ?? null, weightDecay: group.weightDecay };
  if (group.lr !== undefined) out.lr = group.lr;
  const extra = Object.keys(group)
    .filter((k) => !RESERVED.has(k))
    .sort();
  out.hyperparameters = Object.fromEntries(extra.map((k) => [k, group[k]]));
  out.params = group.params.map((p) => p.name);
  out.reasons = group.reasons ?? {};
  return out;
}

function runGrouping(api, model, options) {
  try {
    const result = api.groupParams(model, options);
    return {
      groups: result.groups.map(plainGroup),
      skipped: result.skipped.map((s) => ({ param: s.param.name, reason: s.reason })),
      warnings: result.warnings
    };
  } catch (error) {
    return { error: error.message };
  }
}

/** Groups for verification: `{ params: names, weightDecay?, lr?, label? }`. */
function namesOf(groups) {
  return groups.map((g) => {
    const out = { params: g.params.map((p) => p.name) };
    for (const key of ['weightDecay', 'lr', 'label']) if (g[key] !== undefined && g[key] !== null) out[key] = g[key];
    return out;
  });
}

function runVerification(api, model, groups, options) {
  const asMembers = groups.map((g) => ({ ...g, params: g.params.map((name) => ({ name })) }));
  const report = api.verifyParamGroups(model, asMembers, options);
  return {
    ok: report.ok,
    verdict: report.verdict,
    findings: report.findings,
    groups: report.groups,
    model: report.model
  };
}

/** Some name of the model to aim a rule at: a module path prefix, a fragment, a local name. */
function ruleTargets(rng, model) {
  const params = model.params;
  const some =
    params.length > 0
      ? rng.pick(params)
      : { name: 'x.weight', modulePath: 'x', localName: 'weight', moduleKind: 'Linear' };
  const prefix = some.modulePath.split('.')[0] || some.name;
  return { prefix, fragment: some.name.slice(0, Math.max(2, Math.floor(some.name.length / 2))), some };
}

/** The option sets of one case: the default, two translators, hand-written rules, and a random pick. */
function optionSets(api, rng, model) {
  const { prefix, fragment, some } = ruleTargets(rng, model);
  const declared = model.declarations?.noWeightDecay ?? [some.name];
  return [
    { options: {} },
    { options: { weightDecay: 0.05, lr: 0.001, excludeScaleInvariant: true } },
    {
      translator: { detectron2: { weightDecayNorm: 0, biasLrFactor: 2 } },
      options: {
        baseline: 'decay-all',
        weightDecay: 1e-4,
        lr: 0.02,
        rules: api.detectron2Rules({ weightDecayNorm: 0, biasLrFactor: 2 })
      }
    },
    {
      translator: {
        paramwiseCfg: {
          norm_decay_mult: 0,
          bias_decay_mult: 0,
          custom_keys: { [fragment]: { lr_mult: 10 }, [prefix]: { decay_mult: 0.5 } }
        }
      },
      options: {
        baseline: 'decay-all',
        lr: 0.1,
        rules: api.paramwiseCfgRules({
          norm_decay_mult: 0,
          bias_decay_mult: 0,
          custom_keys: { [fragment]: { lr_mult: 10 }, [prefix]: { decay_mult: 0.5 } }
        })
      }
    },
    {
      translator: { noWeightDecay: declared },
      options: {
        weightDecay: 0.1,
        lr: 0.1,
        rules: [
          { name: `${prefix}.*`, lrMultiplier: 0.1 },
          { moduleKind: ['Linear', 'Conv2d'], hyperparameters: { momentum: 0.95, betas: [0.9, 0.999] } },
          { feedsNormalization: true, weightDecay: 0, label: 'scale_invariant' },
          { localName: some.localName, normalization: false, description: 'by local name', weightDecayMultiplier: 3 },
          { nameContains: 'nothing-matches-this', skip: true },
          api.noWeightDecayRule(declared)
        ]
      }
    },
    rng.chance(0.5)
      ? {
          options: {
            excludeScaleInvariant: true,
            rules: [
              { name: some.name, skip: true },
              { normalization: true, lr: 0.5, hyperparameters: { layerAdaptation: false } }
            ]
          }
        }
      : { options: { rules: [{ localName: 'bias', lrMultiplier: 2 }] } } // an error: lrMultiplier without lr
  ];
}

/** Random groups of names with mistakes: decayed norms, missing, duplicated, unknown, frozen, aliases. */
function randomGroups(rng, model, structural) {
  const groups = namesOf(structural.map((g) => ({ ...g, params: g.params.map((name) => ({ name })) })));
  if (groups.length === 0) groups.push({ params: [], weightDecay: 0.01 });
  const all = () => groups.flatMap((g) => g.params);
  const target = () => rng.pick(groups);
  for (const name of all()) {
    const roll = rng.next();
    const home = groups.find((g) => g.params.includes(name));
    if (roll < 0.1)
      home.params.splice(home.params.indexOf(name), 1); // missing
    else if (roll < 0.2 && home !== target())
      target().params.push(name); // in two groups
    else if (roll < 0.25)
      home.params.push(name); // twice in one group
    else if (roll < 0.45 && groups.length > 1) {
      home.params.splice(home.params.indexOf(name), 1);
      target().params.push(name); // moved: decayed norms and biases, undecayed weights
    }
  }
  for (const p of model.params) {
    if (!p.trainable && rng.chance(0.5)) target().params.push(p.name); // frozen in a group
    if (p.aliases.length > 0 && rng.chance(0.5)) target().params.push(rng.pick(p.aliases)); // by another name
  }
  if (rng.chance(0.5)) target().params.push('ghost.weight');
  if (rng.chance(0.3)) groups.push({ params: [], weightDecay: 0.01, label: 'empty' });
  if (rng.chance(0.3)) delete target().weightDecay; // falls back to the default
  if (rng.chance(0.15)) target().lr = -0.1;
  if (rng.chance(0.1)) target().weightDecay = -1e-4;
  if (rng.chance(0.2)) groups.push({ params: all().slice(0, 2), weightDecay: 0.5, label: 'again' });
  return groups;
}

/** The vector of one case. */
function buildVector(api, rng, testCase, randomGroupings) {
  const model = api.paramModelFromStructure(testCase.structure);
  const grouping = optionSets(api, rng, model).map((set) => ({
    ...set,
    expected: runGrouping(api, model, set.options)
  }));
  const verification = [];
  grouping.forEach((run, index) => {
    // The translators' groups add findings of kinds the others already cover.
    if (run.expected.error || run.translator?.detectron2 || run.translator?.paramwiseCfg) return;
    // The groups are the run's own (`groupsFrom`), not repeated, to keep the vectors small.
    const groups = namesOf(run.expected.groups.map((g) => ({ ...g, params: g.params.map((name) => ({ name })) })));
    verification.push({
      source: `grouping ${index}`,
      groupsFrom: index,
      expected: runVerification(api, model, groups, {})
    });
  });
  for (const recipe of RECIPES) {
    const groups = namesOf(api.groupsByRecipe(recipe, model, {}));
    verification.push({ source: `recipe ${recipe}`, groups, expected: runVerification(api, model, groups, {}) });
  }
  const structural = grouping[0].expected.groups ?? [];
  for (let i = 0; i < randomGroupings; i++) {
    const groups = randomGroups(rng, model, structural);
    const options = rng.chance(0.3) ? { defaultWeightDecay: 0.02 } : {};
    verification.push({
      source: `random ${i}`,
      groups,
      options,
      expected: runVerification(api, model, groups, options)
    });
  }
  return { case: testCase.name, source: testCase.source, structure: testCase.structure, grouping, verification };
}

/**
 * Every vector, by file name: the fixtures (with one random grouping each),
 * {@link RANDOM_CASES} random models (with two) and a model without parameters, all from fixed seeds.
 */
function buildVectors(api, repoRoot) {
  const cases = fixtureCases(repoRoot).map((c) => ({ ...c, randomGroupings: 1 }));
  for (let i = 0; i < RANDOM_CASES; i++) {
    const seed = RANDOM_SEED * 1000 + i;
    cases.push({
      name: `random-${String(i).padStart(3, '0')}`,
      source: `tools/conformance/random-structures.js seed ${seed}`,
      structure: randomStructure(seed),
      randomGroupings: 2
    });
  }
  // A model without parameters: the grouping's warning and the verification's empty-model error.
  const empty = {
    format: 'paramscope-structure',
    version: 2,
    model: 'empty',
    modules: [{ path: '', kind: 'Identity' }],
    edges: []
  };
  cases.push({ name: 'edge-empty-model', source: 'tools/conformance/cases.js', structure: empty, randomGroupings: 1 });
  const files = {};
  // Each case's stream is seeded by its name, so adding a fixture leaves the other vectors as they are.
  for (const c of cases)
    files[`${c.name}.json`] = buildVector(api, makeRng(RANDOM_SEED ^ nameHash(c.name)), c, c.randomGroupings);
  return files;
}

/** FNV-1a over the UTF-16 code units of `name`: a stable 32-bit seed per case. */
function nameHash(name) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A vector as committed: compact JSON with one run per line, stable across runs. */
function serializeVector(vector) {
  const runs = (items) => `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]`;
  const head = JSON.stringify({ case: vector.case, source: vector.source, structure: vector.structure }).slice(0, -1);
  return `${head},\n"grouping": ${runs(vector.grouping)},\n"verification": ${runs(vector.verification)}}\n`;
}

module.exports = { VECTORS_DIR, buildVectors, serializeVector };

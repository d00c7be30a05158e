import type { ParamModel } from '@paramscope/core';
import { SNAPSHOT_MIME_TYPE, validateSnapshot, type Snapshot } from '@paramscope/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setDisplaySink, type MimeBundle } from '../display';
import type { GroupLike, MemberLike, TensorLike } from './describe';
import { InspectorRegistry } from './registry';

const written: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];
beforeEach(() => setDisplaySink({ write: (bundle, displayId, update) => written.push({ bundle, displayId, update }) }));
afterEach(() => {
  written.length = 0;
  setDisplaySink(undefined);
});

/** A tensor whose norm is known: values are `value` repeated. */
function tensor(shape: number[], value = 1) {
  const size = shape.reduce((a, b) => a * b, 1);
  return {
    shape,
    size,
    trainable: true,
    norm: () => ({ dataSync: () => [Math.sqrt(size) * Math.abs(value)], dispose: () => undefined })
  };
}

function param(name: string, shape: number[], moduleKind: string, extra: object = {}) {
  return {
    name,
    aliases: [],
    shape,
    size: shape.reduce((a, b) => a * b, 1),
    trainable: true,
    modulePath: name.slice(0, name.lastIndexOf('.')),
    moduleKind,
    localName: name.slice(name.lastIndexOf('.') + 1),
    variable: tensor(shape, 2),
    ...extra
  };
}

const conv = param('conv1.weight', [4, 3, 3, 3], 'Conv2d', { feedsNormalization: true, normalizedBy: 'bn1' });
const gamma = param('bn1.weight', [4], 'BatchNorm2d');
const beta = param('bn1.bias', [4], 'BatchNorm2d');
const model = {
  name: 'tiny',
  source: 'nn',
  params: [conv, gamma, beta],
  modules: [],
  graphKnown: true
} as unknown as ParamModel;

class SGD {
  paramGroups: GroupLike[];
  constructor(groups: Array<Record<string, unknown> & { params: MemberLike[] }>) {
    this.paramGroups = groups.map(
      (g) =>
        ({
          lr: 0.1,
          momentum: 0.9,
          weightDecay: 0,
          ...g,
          params: g.params.map((p) => ({
            name: (p as { name: string }).name,
            variable: (p as { variable: TensorLike }).variable,
            source: p
          }))
        }) as unknown as GroupLike
    ); // fake tensors stand in for tf.Variable
  }
  step() {
    return true;
  }
  diagnostics() {
    return [{ name: 'conv1.weight', groupIndex: 0, gradNorm: 0.5, effectiveLr: 0.123 }];
  }
}

function lastSnapshot(): Snapshot {
  const result = validateSnapshot(written.at(-1)?.bundle[SNAPSHOT_MIME_TYPE]);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.snapshot;
}

describe('InspectorRegistry', () => {
  it('shows an inspected optimizer inline: groups, members, norms and diagnostics, valid against the schema', () => {
    const registry = new InspectorRegistry();
    const optimizer = new SGD([
      { params: [conv, gamma], weightDecay: 1e-4, label: 'decay', reasons: { 'conv1.weight': 'conv weight' } },
      { params: [beta] }
    ]);
    const registration = registry.register(optimizer, { model, verify: false });
    registry.displayInline([registration.id]);
    expect(written).toHaveLength(1);
    expect(written[0].update).toBe(false);
    const snapshot = lastSnapshot();
    expect(snapshot.focus).toEqual([registration.id]);
    expect(snapshot.sequence).toBe(1);
    const [entry] = snapshot.entries;
    expect(entry).toMatchObject({
      label: 'SGD on tiny',
      source: 'optimizer',
      optimizer: 'SGD',
      model: { name: 'tiny', tensorCount: 3, elementCount: 116 }
    });
    expect(entry.groups[0]).toMatchObject({
      index: 0,
      label: 'decay',
      tensorCount: 2,
      elementCount: 112,
      hyperparameters: { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }
    });
    expect(entry.groups[0].params[0]).toMatchObject({
      name: 'conv1.weight',
      shape: [4, 3, 3, 3],
      size: 108,
      moduleKind: 'Conv2d',
      reason: 'conv weight',
      scaleInvariant: true,
      normalizedBy: 'bn1',
      weightNorm: Math.sqrt(108) * 2,
      gradNorm: 0.5,
      effectiveLr: 0.123
    });
    expect(entry.groups[0].params[1]).toMatchObject({
      name: 'bn1.weight',
      reason: 'listed in group 0 (decay)',
      weightNorm: 4
    });
    expect(written[0].bundle['text/plain']).toContain(
      'group 0 (decay): 2 tensors, 112 values; lr=0.1, momentum=0.9, weightDecay=0.0001'
    );
  });

  it('turns the verifier’s report into findings, and a failing verifier into an error finding', () => {
    const registry = new InspectorRegistry();
    const groups = [
      { params: [conv, gamma], weightDecay: 1e-4 },
      { params: [beta], weightDecay: 0 }
    ];
    registry.register(groups, {
      model,
      label: 'recipe',
      verify: () => ({
        findings: [
          {
            severity: 'error',
            code: 'norm-param-decayed',
            message: 'bn1.weight has decay',
            param: 'bn1.weight',
            group: 0
          }
        ]
      })
    });
    registry.register([...groups], {
      label: 'broken',
      verify: () => {
        throw new Error('no model');
      }
    });
    registry.publishSnapshot();
    const [recipe, broken] = lastSnapshot().entries;
    expect(recipe.source).toBe('grouping');
    expect(recipe.findings).toEqual([
      {
        severity: 'error',
        code: 'norm-param-decayed',
        message: 'bn1.weight has decay',
        params: ['bn1.weight'],
        groups: [0]
      }
    ]);
    expect(broken.findings[0]).toMatchObject({
      severity: 'error',
      code: 'verify-failed',
      message: 'Verification failed: no model'
    });
  });

  it('replaces an entry with the same label, so re-running a cell updates it', () => {
    const registry = new InspectorRegistry();
    const first = registry.register(new SGD([{ params: [conv, gamma, beta], weightDecay: 1e-4 }]), {
      model,
      verify: false
    });
    const second = registry.register(new SGD([{ params: [conv], weightDecay: 1e-4 }, { params: [gamma, beta] }]), {
      model,
      verify: false
    });
    expect(second.id).toBe(first.id);
    expect(registry.entries).toHaveLength(1);
    expect(registry.unregister('SGD on tiny')).toBe(true);
    expect(registry.entries).toHaveLength(0);
  });

  it('publishes to the panel after a cell only when something changed, as a display update', () => {
    const registry = new InspectorRegistry();
    registry.afterCell();
    expect(written).toHaveLength(1); // the first publication: an empty registry tells the panel paramscope is loaded
    expect(written[0]).toMatchObject({ update: true, displayId: `paramscope-inspector-${registry.sessionId}` });
    registry.afterCell();
    expect(written).toHaveLength(1);
    const optimizer = new SGD([{ params: [conv, gamma, beta], weightDecay: 1e-4 }]);
    registry.register(optimizer, { model, verify: false });
    registry.afterCell();
    expect(written).toHaveLength(2);
    optimizer.paramGroups[0].weightDecay = 0;
    registry.afterCell();
    expect(written).toHaveLength(3);
    expect(lastSnapshot().entries[0].groups[0].hyperparameters.weightDecay).toBe(0);
    expect(lastSnapshot().sequence).toBe(3);
  });

  it('does not republish after a cell when only tensor values changed (norms, gradient norms, η/‖W‖²)', () => {
    const registry = new InspectorRegistry();
    let value = 2;
    const weight = {
      ...param('conv1.weight', [4, 3, 3, 3], 'Conv2d', { feedsNormalization: true }),
      variable: { shape: [4, 3, 3, 3], norm: () => ({ dataSync: () => [value], dispose: () => undefined }) }
    };
    const optimizer = new SGD([{ params: [weight, gamma], weightDecay: 1e-4 }, { params: [beta] }]);
    registry.displayInline([registry.register(optimizer, { model, verify: false }).id]);
    expect(lastSnapshot().entries[0].groups[0].params[0]).toMatchObject({
      weightNorm: 2,
      gradNorm: 0.5,
      effectiveLr: 0.123
    });
    registry.afterCell();
    expect(written).toHaveLength(1);
    value = 3;
    registry.afterCell();
    expect(written).toHaveLength(1);
    registry.publishSnapshot();
    expect(lastSnapshot().entries[0].groups[0].params[0].weightNorm).toBe(3);
    registry.afterCell();
    expect(written).toHaveLength(2);
    optimizer.paramGroups[1].lr = 0.01;
    registry.afterCell();
    expect(written).toHaveLength(3);
  });

  it('keeps names from the kernel as they are, and says which member is malformed', () => {
    const registry = new InspectorRegistry();
    const xss = '<img src=x onerror=alert(1)>';
    registry.register([{ params: [param(xss, [2], 'Linear')] }], { verify: false });
    registry.publishSnapshot();
    expect(lastSnapshot().entries[0].groups[0].params[0].name).toBe(xss);
    expect(() => registry.register([{ params: [{ name: 'w' }] }] as never).id && registry.publishSnapshot()).toThrow(
      "paramscope inspect: parameter 'w' (group 0, params[0]) has no shape"
    );
    expect(() => registry.register({} as never)).toThrow(/expected an optimizer/);
  });
});

/**
 * Hand-built snapshots for the extension's tests: torchvision's ResNet-50 parameter list (161
 * tensors, real names and shapes) with a mistaken grouping, and a synthetic model of any size.
 */
import { SNAPSHOT_SCHEMA_VERSION, type ParamSnapshot, type Snapshot } from '@paramscope/protocol';

function param(name: string, shape: number[], moduleKind: string, reason: string): ParamSnapshot {
  return {
    name,
    shape,
    size: shape.reduce((a, b) => a * b, 1),
    moduleKind,
    modulePath: name.slice(0, name.lastIndexOf('.')),
    trainable: true,
    reason,
    weightNorm: 1 + (name.length % 7) / 10
  };
}

/** ResNet-50's parameters in `named_parameters()` order. */
export function resnet50Params(): ParamSnapshot[] {
  const params: ParamSnapshot[] = [];
  const conv = (name: string, shape: number[]) =>
    params.push({ ...param(`${name}.weight`, shape, 'Conv2d', 'conv weight'), scaleInvariant: true });
  const bn = (name: string, c: number) => {
    params.push(
      param(`${name}.weight`, [c], 'BatchNorm2d', 'norm weight'),
      param(`${name}.bias`, [c], 'BatchNorm2d', 'norm bias')
    );
  };
  conv('conv1', [64, 3, 7, 7]);
  bn('bn1', 64);
  let inplanes = 64;
  [3, 4, 6, 3].forEach((blocks, stage) => {
    const width = 64 * 2 ** stage;
    for (let b = 0; b < blocks; b++) {
      const p = `layer${stage + 1}.${b}`;
      conv(`${p}.conv1`, [width, inplanes, 1, 1]);
      bn(`${p}.bn1`, width);
      conv(`${p}.conv2`, [width, width, 3, 3]);
      bn(`${p}.bn2`, width);
      conv(`${p}.conv3`, [width * 4, width, 1, 1]);
      bn(`${p}.bn3`, width * 4);
      if (b === 0) {
        conv(`${p}.downsample.0`, [width * 4, inplanes, 1, 1]);
        bn(`${p}.downsample.1`, width * 4);
      }
      inplanes = width * 4;
    }
  });
  params.push(param('fc.weight', [1000, 2048], 'Linear', 'linear weight'), param('fc.bias', [1000], 'Linear', 'bias'));
  return params;
}

/**
 * A snapshot of an SGD optimizer over `params` in two groups (decay / no decay); `mistake` names a
 * parameter that wrongly sits in the decay group, with the finding that says so.
 */
export function twoGroupSnapshot(
  params: ParamSnapshot[],
  options: { mistake?: string; sequence?: number; sessionId?: string } = {}
): Snapshot {
  const noDecay = (p: ParamSnapshot) =>
    (p.moduleKind === 'BatchNorm2d' || p.name.endsWith('.bias')) && p.name !== options.mistake;
  const decay = params.filter((p) => !noDecay(p));
  const rest = params.filter(noDecay);
  const sum = (ps: ParamSnapshot[]) => ps.reduce((s, p) => s + p.size, 0);
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    sessionId: options.sessionId ?? 'session-a',
    sequence: options.sequence ?? 1,
    createdAt: '2026-11-25T07:00:00.000Z',
    backend: 'wasm',
    entries: [
      {
        id: 'entry-1',
        label: 'SGD on resnet50',
        source: 'optimizer',
        optimizer: 'SGD',
        step: 0,
        model: { name: 'resnet50', tensorCount: params.length, elementCount: sum(params) },
        groups: [
          {
            index: 0,
            label: 'decay',
            hyperparameters: { lr: 0.1, weightDecay: 1e-4, momentum: 0.9 },
            tensorCount: decay.length,
            elementCount: sum(decay),
            params: decay
          },
          {
            index: 1,
            label: 'no_decay',
            hyperparameters: { lr: 0.1, weightDecay: 0, momentum: 0.9 },
            tensorCount: rest.length,
            elementCount: sum(rest),
            params: rest
          }
        ],
        findings: options.mistake
          ? [
              {
                severity: 'error',
                code: 'norm-param-decayed',
                message: `${options.mistake} is a BatchNorm2d parameter with weight decay 0.0001`,
                params: [options.mistake],
                groups: [0]
              }
            ]
          : []
      }
    ]
  };
}

/** A synthetic model with `count` tensors in one group. */
export function syntheticParams(count: number): ParamSnapshot[] {
  return Array.from({ length: count }, (_, k) =>
    k % 2 === 0
      ? param(`blocks.${k >> 1}.linear.weight`, [16, 16], 'Linear', 'weight')
      : param(`blocks.${k >> 1}.norm.weight`, [16], 'LayerNorm', 'norm weight')
  );
}

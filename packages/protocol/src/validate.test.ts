import { describe, expect, it } from 'vitest';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from './snapshot';
import { formatIssues, validateSnapshot } from './validate';

function snapshot(): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    sessionId: 'kernel-1',
    sequence: 3,
    createdAt: '2026-11-25T00:00:00.000Z',
    backend: 'wasm',
    focus: ['opt-1'],
    entries: [
      {
        id: 'opt-1',
        label: 'SGD on resnet18',
        source: 'optimizer',
        optimizer: 'SGD',
        step: 10,
        model: { name: 'resnet18', tensorCount: 2, elementCount: 1792 },
        groups: [
          {
            index: 0,
            label: 'decay',
            hyperparameters: {
              lr: 0.1,
              weightDecay: 1e-4,
              nesterov: false,
              betas: [0.9, 0.999],
              name: 'a',
              extra: null
            },
            tensorCount: 1,
            elementCount: 1728,
            params: [
              {
                name: 'conv1.weight',
                shape: [64, 3, 3, 3],
                size: 1728,
                moduleKind: 'Conv2d',
                modulePath: 'conv1',
                trainable: true,
                reason: 'default: weight',
                scaleInvariant: true,
                normalizedBy: 'bn1',
                weightNorm: 4.2,
                gradNorm: null
              }
            ]
          }
        ],
        findings: [
          {
            severity: 'error',
            code: 'norm-param-decayed',
            message: 'bn1.weight has decay',
            params: ['bn1.weight'],
            groups: [0]
          }
        ],
        history: { steps: [0, 1], series: [{ name: 'conv1.weight', group: 0, values: [1, null] }] },
        watched: true
      }
    ]
  };
}

describe('validateSnapshot', () => {
  it('accepts a complete snapshot, as an object or as JSON text', () => {
    expect(validateSnapshot(snapshot())).toEqual({ ok: true, snapshot: snapshot() });
    expect(validateSnapshot(JSON.stringify(snapshot())).ok).toBe(true);
  });

  it('names the path of every wrong field', () => {
    const bad = snapshot() as unknown as {
      entries: Array<{ groups: Array<{ params: Array<Record<string, unknown>> }> }>;
    };
    bad.entries[0].groups[0].params[0].shape = [64, -3];
    delete bad.entries[0].groups[0].params[0].reason;
    const result = validateSnapshot(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([
      { path: '$.entries[0].groups[0].params[0].shape[1]', message: 'expected a non-negative integer, got -3' },
      { path: '$.entries[0].groups[0].params[0].reason', message: 'missing required field' }
    ]);
  });

  it('rejects non-finite numbers, bad enums and hyperparameters of the wrong type', () => {
    const bad = snapshot() as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    bad.entries[0].findings[0].severity = 'fatal';
    bad.entries[0].groups[0].hyperparameters.lr = { value: 1 };
    bad.entries[0].model.elementCount = Number.POSITIVE_INFINITY;
    bad.entries[0].watched = 'yes';
    bad.focus = [1];
    bad.entries[0].groups[0].params[0].normalizedBy = 3;
    const result = validateSnapshot(bad);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toEqual([
      '$.entries[0].model.elementCount',
      '$.entries[0].groups[0].hyperparameters.lr',
      '$.entries[0].groups[0].params[0].normalizedBy',
      '$.entries[0].findings[0].severity',
      '$.entries[0].watched',
      '$.focus[0]'
    ]);
    expect(result.issues[3].message).toContain('"error", "warning", "info"');
  });

  it('explains a newer schema version and invalid JSON', () => {
    const newer = validateSnapshot({ ...snapshot(), schemaVersion: 2 });
    expect(newer.ok).toBe(false);
    if (!newer.ok) expect(newer.issues[0].message).toMatch(/newer than this reader/);
    const broken = validateSnapshot('{"schemaVersion": 1,');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.issues[0].message).toMatch(/^not valid JSON/);
    expect(validateSnapshot(null)).toEqual({
      ok: false,
      issues: [{ path: '$', message: 'expected an object, got null' }]
    });
  });
});

describe('formatIssues', () => {
  it('shows at most the limit and counts the rest', () => {
    const issues = Array.from({ length: 7 }, (_, k) => ({ path: `$.a[${k}]`, message: 'bad' }));
    const text = formatIssues(issues, 2);
    expect(text.split('\n')).toEqual(['$.a[0]: bad', '$.a[1]: bad', '… and 5 more']);
  });
});

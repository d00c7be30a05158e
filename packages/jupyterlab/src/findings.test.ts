import type { Finding } from '@paramscope/protocol';
import { describe, expect, it } from 'vitest';
import { resnet50Params, twoGroupSnapshot } from '../test-utils/snapshots';
import { entryTotals, findingMatches, severityByParam, sortFindings } from './findings';

const finding = (severity: Finding['severity'], code: string, param: string): Finding => ({
  severity,
  code,
  message: `${param}: ${code}`,
  params: [param],
  groups: [0]
});

describe('findings', () => {
  it('puts errors first, then warnings, and folds notes by code with a topic line', () => {
    const { alerts, notes } = sortFindings([
      finding('info', 'scale-invariant-decayed', 'conv1.weight'),
      finding('warning', 'bias-decayed', 'fc.bias'),
      finding('info', 'scale-invariant-decayed', 'layer1.0.conv1.weight'),
      finding('error', 'norm-param-decayed', 'bn1.weight'),
      finding('info', 'some-new-code', 'x')
    ]);
    expect(alerts.map((f) => f.severity)).toEqual(['error', 'warning']);
    expect(notes.map((n) => n.title)).toEqual([
      '2 notes: weights that feed a normalization layer',
      '1 note: some new code'
    ]);
  });

  it('filters findings by message, parameter name and module kind', () => {
    const bn = finding('error', 'norm-param-decayed', 'bn1.weight');
    const kindOf = (name: string) => (name.startsWith('bn') ? 'BatchNorm2d' : 'Conv2d');
    expect(findingMatches(bn, { text: 'BN1', kind: '' }, kindOf)).toBe(true);
    expect(findingMatches(bn, { text: 'norm-param', kind: '' }, kindOf)).toBe(true);
    expect(findingMatches(bn, { text: 'conv', kind: '' }, kindOf)).toBe(false);
    expect(findingMatches(bn, { text: '', kind: 'Conv2d' }, kindOf)).toBe(false);
    expect(findingMatches(bn, { text: '', kind: 'BatchNorm2d' }, kindOf)).toBe(true);
  });

  it('marks each parameter with its most severe finding', () => {
    const worst = severityByParam([finding('info', 'a', 'w'), finding('error', 'b', 'w'), finding('info', 'c', 'v')]);
    expect(Object.fromEntries(worst)).toEqual({ w: 'error', v: 'info' });
  });

  it('counts findings and the tensors and values with and without decay', () => {
    const entry = twoGroupSnapshot(resnet50Params(), { mistake: 'layer1.0.downsample.1.weight' }).entries[0];
    const totals = entryTotals(entry);
    expect(totals).toMatchObject({ errors: 1, warnings: 0, notes: 0 });
    expect(totals.decayed.tensors).toBe(55);
    expect(totals.notDecayed.tensors).toBe(106);
    expect(totals.decayed.values + totals.notDecayed.values).toBe(entry.model.elementCount);
  });
});

import { SNAPSHOT_MIME_TYPE } from '@paramscope/protocol';
import { describe, expect, it } from 'vitest';
import { resnet50Params, twoGroupSnapshot } from '../test-utils/snapshots';
import { snapshotRendererFactory } from './snapshot-renderer';

const XSS = '<img src=x onerror=alert(1)>';

function render(value: unknown) {
  const renderer = snapshotRendererFactory.createRenderer({
    mimeType: SNAPSHOT_MIME_TYPE,
    sanitizer: {} as never,
    resolver: null,
    linkHandler: null,
    latexTypesetter: null
  });
  return renderer
    .renderModel({
      data: { [SNAPSHOT_MIME_TYPE]: value },
      metadata: {},
      trusted: false,
      setData: () => undefined
    } as never)
    .then(() => renderer.node);
}

describe('SnapshotRenderer', () => {
  it('shows each entry with its findings and one row per group', async () => {
    const node = await render(twoGroupSnapshot(resnet50Params(), { mistake: 'layer1.0.downsample.1.weight' }));
    expect(node.querySelector('.jp-Paramscope-entryTitle')?.textContent).toBe(
      'SGD on resnet50 · SGD · step 0 · resnet50: 161 tensors, 25.6M values'
    );
    const finding = node.querySelector('.jp-Paramscope-finding');
    expect(finding?.getAttribute('data-severity')).toBe('error');
    expect(finding?.textContent).toContain('layer1.0.downsample.1.weight is a BatchNorm2d parameter with weight decay');
    const rows = [...node.querySelectorAll('.jp-Paramscope-groupsTable tbody tr')].map((tr) => tr.textContent);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('0 (decay)');
    expect(rows[0]).toContain('lr 0.1, weight decay 1e-4, momentum 0.9');
    expect(rows[1]).toContain('BatchNorm2d ×105, Linear ×1');
  });

  it('sums findings and decay up per entry and folds notes in a details element', async () => {
    const snapshot = twoGroupSnapshot(resnet50Params(), { mistake: 'layer1.0.downsample.1.weight' });
    snapshot.entries[0].findings.push({
      severity: 'info',
      code: 'scale-invariant-decayed',
      message: 'conv1.weight feeds bn1',
      params: ['conv1.weight'],
      groups: [0]
    });
    const node = await render(snapshot);
    expect(node.querySelector('.jp-Paramscope-entrySummary')?.textContent).toMatch(
      /^1 error0 warnings1 notedecay: 55 tensors, [\d.]+M values · no decay: 106 tensors/
    );
    expect(node.querySelector('.jp-Paramscope-notes summary')?.textContent).toBe(
      '1 note: weights that feed a normalization layer'
    );
    expect(node.querySelector('.jp-Paramscope-findings > li')?.getAttribute('data-severity')).toBe('error');
  });

  it('renders kernel strings as text, never as markup', async () => {
    const [conv] = resnet50Params();
    const snapshot = twoGroupSnapshot([{ ...conv, name: XSS, moduleKind: XSS }], { mistake: XSS });
    snapshot.entries[0].label = XSS;
    snapshot.entries[0].findings[0].message = XSS;
    const node = await render(snapshot);
    expect(node.querySelector('img')).toBeNull();
    expect(node.textContent).toContain(XSS);
    expect(node.querySelector('.jp-Paramscope-findingMessage')?.textContent).toBe(XSS);
  });

  it('shows only the focused entries when the snapshot names them', async () => {
    const snapshot = twoGroupSnapshot(resnet50Params());
    snapshot.entries.push({ ...snapshot.entries[0], id: 'entry-2', label: 'AdamW on resnet50' });
    snapshot.focus = ['entry-2'];
    const node = await render(snapshot);
    expect([...node.querySelectorAll('.jp-Paramscope-entryTitle')].map((n) => n.textContent?.split(' · ')[0])).toEqual([
      'AdamW on resnet50'
    ]);
  });

  it('explains an unreadable snapshot with the path of each problem', async () => {
    const snapshot = twoGroupSnapshot(resnet50Params()) as unknown as {
      entries: Array<{ groups: Array<{ params: Array<Record<string, unknown>> }> }>;
    };
    snapshot.entries[0].groups[1].params[2].shape = 'sixty-four';
    const node = await render(snapshot);
    expect(node.classList.contains('jp-ParamscopeSnapshot-error')).toBe(true);
    expect(node.textContent).toContain('$.entries[0].groups[1].params[2].shape: expected an array, got "sixty-four"');
  });
});

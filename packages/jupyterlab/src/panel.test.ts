import { Widget } from '@lumino/widgets';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resnet50Params, syntheticParams, twoGroupSnapshot } from '../test-utils/snapshots';
import { InspectorPanel } from './panel';
import { InspectorModel } from './panel-model';

vi.mock('plotly.js-dist-min', () => ({ default: { react: vi.fn(async () => undefined), purge: vi.fn() } }));

const XSS = '<img src=x onerror=alert(1)>';
const MISTAKE = 'layer1.0.downsample.1.weight';

function setUp(snapshot = twoGroupSnapshot(resnet50Params(), { mistake: MISTAKE })) {
  const model = new InspectorModel();
  model.setNotebook('a.ipynb');
  model.setKernelState('idle');
  const onRefresh = vi.fn();
  const panel = new InspectorPanel({ model, onRefresh });
  Widget.attach(panel, document.body);
  model.receive(snapshot, 'kernel', performance.now());
  panel.render();
  const rows = () => [...panel.node.querySelectorAll<HTMLElement>('.jp-Paramscope-row')];
  return { model, panel, onRefresh, rows };
}

afterEach(() => {
  document.body.replaceChildren();
});

describe('InspectorPanel', () => {
  it('shows findings, groups and the first page of rows, and counts what is hidden', () => {
    const { panel, rows } = setUp();
    expect(panel.node.querySelector('.jp-Paramscope-headline')?.textContent).toMatch(/^Snapshot #1 \(wasm\)/);
    expect(panel.node.querySelector('.jp-Paramscope-finding')?.textContent).toContain(MISTAKE);
    const toggles = [...panel.node.querySelectorAll('.jp-Paramscope-groupToggle')].map((t) => t.textContent);
    expect(toggles[0]).toContain('Group 0 · decay');
    expect(toggles[0]).toContain('lr 0.1, weight decay 1e-4, momentum 0.9');
    // 55 in the decay group, 106 in no_decay: 50 rows each before "show more".
    expect(rows()).toHaveLength(100);
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe('Showing 100 of 161 parameter rows · 61 behind "show more"');
    expect(rows().find((r) => r.dataset.param === MISTAKE)?.classList.contains('jp-mod-flagged')).toBe(true);
    expect(panel.lastRenderMs).toBeGreaterThanOrEqual(0);
  });

  it('filters by text and kind, collapses groups and pages with "show more"', () => {
    const { model, panel, rows } = setUp();
    const input = panel.node.querySelector<HTMLInputElement>('.jp-Paramscope-filter')!;
    input.value = 'downsample';
    input.dispatchEvent(new Event('input'));
    panel.render();
    // The decay group: 4 downsample convs and the mistaken BN weight, in model order.
    expect(rows().map((r) => r.dataset.param).slice(0, 5)).toEqual([
      'layer1.0.downsample.0.weight', MISTAKE, 'layer2.0.downsample.0.weight', 'layer3.0.downsample.0.weight', 'layer4.0.downsample.0.weight'
    ]);
    expect(rows()).toHaveLength(12);
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe('Showing 12 of 161 parameter rows · 149 hidden by the filter');

    const kind = panel.node.querySelector<HTMLSelectElement>('.jp-Paramscope-kind')!;
    expect([...kind.options].map((o) => o.value)).toEqual(['', 'BatchNorm2d', 'Conv2d', 'Linear']);
    kind.value = 'Conv2d';
    kind.dispatchEvent(new Event('change'));
    panel.render();
    expect(rows()).toHaveLength(4);

    model.setFilter({ text: '', kind: '' });
    panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-groupToggle')!.click();
    panel.render();
    expect(panel.node.querySelector('.jp-Paramscope-groupToggle')?.getAttribute('aria-expanded')).toBe('false');
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe('Showing 50 of 161 parameter rows · 55 in collapsed groups · 56 behind "show more"');

    panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-showMore')!.click();
    panel.render();
    expect(rows()).toHaveLength(100);
  });

  it('takes a finding’s parameter link to its row, even beyond the page', () => {
    const { panel, rows } = setUp();
    const link = [...panel.node.querySelectorAll<HTMLButtonElement>('.jp-Paramscope-paramLink')].find((b) => b.textContent === MISTAKE)!;
    link.click();
    panel.render();
    const row = rows().find((r) => r.dataset.param === MISTAKE)!;
    expect(row.classList.contains('jp-mod-revealed')).toBe(true);
    expect(document.activeElement).toBe(row);
  });

  it('moves focus between rows with the arrow keys', () => {
    const { panel, rows } = setUp();
    const [first, second] = rows();
    first.focus();
    first.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement).toBe(second);
    second.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowUp', bubbles: true }));
    expect(document.activeElement).toBe(first);
    first.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    expect(document.activeElement).toBe(panel.node.querySelector('.jp-Paramscope-groupToggle'));
  });

  it('lists errors before notes, folds notes by code and paints only rows with errors or warnings', () => {
    const snapshot = twoGroupSnapshot(resnet50Params(), { mistake: MISTAKE });
    const entry = snapshot.entries[0];
    const notes = entry.groups[0].params.filter((p) => p.scaleInvariant).slice(0, 17);
    entry.findings.unshift(
      ...notes.map((p) => ({ severity: 'info' as const, code: 'scale-invariant-decayed', message: `${p.name} feeds a norm`, params: [p.name], groups: [0] }))
    );
    const { model, panel, rows } = setUp(snapshot);
    const items = [...panel.node.querySelectorAll('.jp-Paramscope-findings > li')];
    expect(items.map((li) => li.getAttribute('data-severity') ?? li.className)).toEqual(['error', 'jp-Paramscope-notes']);
    const toggle = panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-notesToggle')!;
    expect(toggle.textContent).toContain('17 notes: weights that feed a normalization layer');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    toggle.click();
    panel.render();
    expect(panel.node.querySelectorAll('.jp-Paramscope-noteList .jp-Paramscope-finding')).toHaveLength(17);
    expect(panel.node.querySelector('.jp-Paramscope-entrySummary')?.textContent).toContain('1 error0 warnings17 notes');

    const noted = rows().find((r) => r.dataset.param === notes[0].name)!;
    expect(noted.dataset.severity).toBe('info');
    expect(noted.querySelector('.jp-Paramscope-srOnly')?.textContent).toBe(' (info finding)');
    const toggleOfGroup0 = panel.node.querySelector('.jp-Paramscope-groupToggle')!;
    const controlled = document.getElementById(toggleOfGroup0.getAttribute('aria-controls')!);
    expect(controlled?.getAttribute('aria-label')).toBe('Members of group 0');
    expect(noted.classList.contains('jp-mod-flagged')).toBe(false);
    expect(rows().filter((r) => r.classList.contains('jp-mod-flagged')).map((r) => r.dataset.param)).toEqual([MISTAKE]);

    // The filter applies to findings: only the error names a downsample BatchNorm.
    model.setFilter({ text: 'downsample.1' });
    panel.render();
    expect(panel.node.querySelectorAll('.jp-Paramscope-findings > li')).toHaveLength(1);
    model.setFilter({ text: 'fc.' });
    panel.render();
    expect(panel.node.querySelector('.jp-Paramscope-findings')).toBeNull();
    expect(panel.node.textContent).toContain('18 of 18 findings hidden by the filter.');
  });

  it('copies corrected groups for an optimizer with errors and says what it copied', () => {
    const copyText = vi.fn();
    const model = new InspectorModel();
    model.setNotebook('a.ipynb');
    model.setKernelState('idle');
    model.setKernelLanguage('python');
    const panel = new InspectorPanel({ model, onRefresh: vi.fn(), copyText });
    Widget.attach(panel, document.body);
    model.receive(twoGroupSnapshot(resnet50Params(), { mistake: MISTAKE }), 'kernel', performance.now());
    panel.render();
    panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-copyFix')!.click();
    panel.render();
    expect(copyText.mock.calls[0][0]).toContain('paramscope.group_params(model, weight_decay=0.0001)');
    expect(panel.node.querySelector('.jp-Paramscope-copyStatus')?.textContent).toMatch(/^Copied PyTorch code/);
    model.receive(twoGroupSnapshot(resnet50Params(), { sequence: 2 }), 'kernel', performance.now());
    panel.render();
    expect(panel.node.querySelector('.jp-Paramscope-copyFix')).toBeNull();
  });

  it('renders names from the kernel as text', () => {
    const [conv] = resnet50Params();
    const { panel, rows } = setUp(twoGroupSnapshot([{ ...conv, name: XSS, reason: XSS, moduleKind: XSS }], { mistake: XSS }));
    expect(panel.node.querySelector('img')).toBeNull();
    expect(rows()[0].querySelector('.jp-Paramscope-name span')?.textContent).toBe(XSS);
    expect(panel.node.querySelector('.jp-Paramscope-paramLink')?.textContent).toBe(XSS);
  });

  it('keeps 10,000 tensors to one page of rows and marks stale data', () => {
    const { model, panel, rows } = setUp(twoGroupSnapshot(syntheticParams(10_000)));
    expect(rows()).toHaveLength(50);
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe('Showing 50 of 10000 parameter rows · 9950 behind "show more"');
    model.markStale('the kernel restarted');
    panel.render();
    expect(panel.node.classList.contains('jp-mod-stale')).toBe(true);
    expect(panel.node.querySelector('.jp-Paramscope-headline')?.textContent).toMatch(/^Stale: the kernel restarted/);
  });

  it('shows an unreadable snapshot’s reasons and calls back on Refresh', () => {
    const { model, panel, onRefresh } = setUp();
    model.receive({ schemaVersion: 1 }, 'kernel', 0);
    panel.render();
    expect(panel.node.querySelector('.jp-Paramscope-error')?.textContent).toContain('$.sessionId: missing required field');
    panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-refresh')!.click();
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });
});

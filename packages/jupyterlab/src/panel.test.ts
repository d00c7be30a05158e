import { Widget } from '@lumino/widgets';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resnet50Params, syntheticParams, twoGroupSnapshot } from '../test-utils/snapshots';
import { InspectorPanel } from './panel';
import { InspectorModel } from './panel-model';

vi.mock('plotly.js-dist-min', () => ({ default: { react: vi.fn(async () => undefined), purge: vi.fn() } }));

const XSS = '<img src=x onerror=alert(1)>';
const MISTAKE = 'layer1.0.downsample.1.weight';

/** The view-state key of group `index` of the panel's first entry. */
function groupKeyOf(panel: InspectorPanel, index: number): string {
  return panel.node.querySelectorAll('.jp-Paramscope-group')[index].getAttribute('data-nav')!.slice(2);
}

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
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe(
      'Showing 100 of 161 parameter rows · 61 behind "show more"'
    );
    expect(
      rows()
        .find((r) => r.dataset.param === MISTAKE)
        ?.classList.contains('jp-mod-flagged')
    ).toBe(true);
    expect(panel.lastRenderMs).toBeGreaterThanOrEqual(0);
  });

  it('filters by text and kind, collapses groups and pages with "show more"', () => {
    const { model, panel, rows } = setUp();
    const input = panel.node.querySelector<HTMLInputElement>('.jp-Paramscope-filter')!;
    input.value = 'downsample';
    input.dispatchEvent(new Event('input'));
    panel.render();
    // The decay group: 4 downsample convs and the mistaken BN weight, in model order.
    expect(
      rows()
        .map((r) => r.dataset.param)
        .slice(0, 5)
    ).toEqual([
      'layer1.0.downsample.0.weight',
      MISTAKE,
      'layer2.0.downsample.0.weight',
      'layer3.0.downsample.0.weight',
      'layer4.0.downsample.0.weight'
    ]);
    expect(rows()).toHaveLength(12);
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe(
      'Showing 12 of 161 parameter rows · 149 hidden by the filter'
    );

    const kind = panel.node.querySelector<HTMLSelectElement>('.jp-Paramscope-kind')!;
    expect([...kind.options].map((o) => o.value)).toEqual(['', 'BatchNorm2d', 'Conv2d', 'Linear']);
    kind.value = 'Conv2d';
    kind.dispatchEvent(new Event('change'));
    panel.render();
    expect(rows()).toHaveLength(4);

    model.setFilter({ text: '', kind: '' });
    panel.node.querySelector<HTMLElement>('.jp-Paramscope-groupToggle')!.click();
    panel.render();
    expect(panel.node.querySelector('.jp-Paramscope-group')?.getAttribute('aria-expanded')).toBe('false');
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe(
      'Showing 50 of 161 parameter rows · 55 in collapsed groups · 56 behind "show more"'
    );

    panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-showMore')!.click();
    panel.render();
    expect(rows()).toHaveLength(100);
  });

  it('takes a finding’s parameter link to its row, even beyond the page', () => {
    const { panel, rows } = setUp();
    const link = [...panel.node.querySelectorAll<HTMLButtonElement>('.jp-Paramscope-paramLink')].find(
      (b) => b.textContent === MISTAKE
    )!;
    link.click();
    panel.render();
    const row = rows().find((r) => r.dataset.param === MISTAKE)!;
    expect(row.classList.contains('jp-mod-revealed')).toBe(true);
    expect(document.activeElement).toBe(row);
  });

  it('is an ARIA tree: optimizer, groups and members with levels, sizes and positions', () => {
    const { panel, rows } = setUp();
    const tree = panel.node.querySelector('[role="tree"]')!;
    expect(tree.getAttribute('aria-label')).toBe('Optimizers, parameter groups and members');
    const entry = tree.querySelector<HTMLElement>(':scope > [role="treeitem"]')!;
    expect([
      entry.getAttribute('aria-level'),
      entry.getAttribute('aria-posinset'),
      entry.getAttribute('aria-setsize')
    ]).toEqual(['1', '1', '1']);
    expect(entry.getAttribute('aria-expanded')).toBe('true');
    // Named by its content: the header (title and summary); all else is in its group, which
    // browsers leave out of the name. No aria-label that could differ from what is shown.
    const [header, body] = [...entry.children];
    expect(header.textContent).toMatch(/^▾SGD on resnet50 · SGD.*1 error0 warnings0 notesdecay: /);
    expect(body.getAttribute('role')).toBe('group');
    expect(body.querySelector(':scope > .jp-Paramscope-findings')).not.toBeNull();
    // (Nor on its groups: Chromium would put that into the item's name.)
    expect(
      tree.querySelectorAll('[role="treeitem"][aria-label], [role="group"][aria-label], [aria-labelledby]')
    ).toHaveLength(0);

    const groups = [...body.querySelectorAll(':scope > [role="treeitem"]')];
    expect(
      groups.map((g) => [g.getAttribute('aria-level'), g.getAttribute('aria-posinset'), g.getAttribute('aria-setsize')])
    ).toEqual([
      ['2', '1', '2'],
      ['2', '2', '2']
    ]);
    expect(groups[0].children[0].textContent).toBe(
      '▾Group 0 · decaylr 0.1, weight decay 1e-4, momentum 0.955 tensors, 25.5M values'
    );
    const members = groups[0].querySelector(':scope > [role="group"]')!;
    expect(members.getAttribute('role')).toBe('group');
    // "show more" is a button in the members' group, out of the group item's name.
    expect(members.querySelector(':scope > button.jp-Paramscope-showMore')?.textContent).toBe(
      'Show 5 more (5 not shown)'
    );

    const mistake = rows().find((r) => r.dataset.param === MISTAKE)!;
    expect(mistake.getAttribute('role')).toBe('treeitem');
    expect(mistake.getAttribute('aria-level')).toBe('3');
    expect(mistake.hasAttribute('aria-expanded')).toBe(false);
    // Position among the 55 members, not among the 50 rows on the page.
    expect(mistake.getAttribute('aria-setsize')).toBe('55');
    expect(Number(mistake.getAttribute('aria-posinset'))).toBeGreaterThan(1);
    expect(mistake.textContent).toMatch(new RegExp(`^${MISTAKE.replace(/\./g, '\\.')} \\(error finding\\)`));

    // Roving tabindex: one tab stop, the first item until another is focused.
    const stops = () => [...tree.querySelectorAll('[role="treeitem"][tabindex="0"]')];
    expect(stops()).toEqual([entry]);
    expect(tree.querySelectorAll('[role="treeitem"]:not([tabindex="-1"]):not([tabindex="0"])')).toHaveLength(0);
    mistake.focus();
    expect(stops()).toEqual([mistake]);
    panel.render();
    expect(stops().map((n) => (n as HTMLElement).dataset.param)).toEqual([MISTAKE]);
  });

  it('moves with tree keys: Up/Down, Right enters/expands, Left collapses/climbs, Home/End, Enter/Space toggle', () => {
    const { panel, model } = setUp();
    const press = (key: string) => {
      const target = document.activeElement as HTMLElement;
      const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true });
      target.dispatchEvent(event);
      panel.render(); // what the model's `changed` does in the app (a posted update)
      return event.defaultPrevented;
    };
    const focused = () => {
      const node = document.activeElement as HTMLElement;
      return (
        node.dataset.param ??
        node.getAttribute('data-nav')!.slice(0, 1) + ':' + (node.getAttribute('aria-posinset') ?? '')
      );
    };
    const entry = panel.node.querySelector<HTMLElement>('.jp-Paramscope-entry')!;
    entry.focus();
    expect(press('ArrowDown')).toBe(true);
    expect(focused()).toBe('g:1');
    press('ArrowDown');
    expect(focused()).toBe('conv1.weight');
    press('ArrowDown');
    expect(focused()).toBe('layer1.0.conv1.weight');
    press('ArrowUp');
    expect(focused()).toBe('conv1.weight');
    // Left on a member: its group. Left again: collapses it (focus stays), then Right expands it.
    press('ArrowLeft');
    expect(focused()).toBe('g:1');
    press('ArrowLeft');
    expect(focused()).toBe('g:1');
    const group0 = () => panel.node.querySelector('.jp-Paramscope-group')!;
    expect(group0().getAttribute('aria-expanded')).toBe('false');
    expect(group0().querySelector('[role="treeitem"]')).toBeNull();
    // Down from a collapsed group skips its members.
    press('ArrowDown');
    expect(focused()).toBe('g:2');
    press('ArrowUp');
    press('ArrowRight');
    expect(group0().getAttribute('aria-expanded')).toBe('true');
    expect(focused()).toBe('g:1');
    press('ArrowRight');
    expect(focused()).toBe('conv1.weight');
    // Right and Enter on a member (no children) do nothing.
    press('ArrowRight');
    press('Enter');
    expect(focused()).toBe('conv1.weight');
    // Enter and Space toggle a group.
    press('ArrowLeft');
    press('Enter');
    expect(group0().getAttribute('aria-expanded')).toBe('false');
    press(' ');
    expect(group0().getAttribute('aria-expanded')).toBe('true');
    // End: the last row of the last group's page; Home: the optimizer.
    press('End');
    expect((document.activeElement as HTMLElement).dataset.param).toBe(
      [...panel.node.querySelectorAll<HTMLElement>('.jp-Paramscope-row')].at(-1)!.dataset.param
    );
    press('Home');
    expect(document.activeElement).toBe(panel.node.querySelector('.jp-Paramscope-entry'));
    // Left on the optimizer collapses it to its title and summary; Left again stays (no parent).
    press('ArrowLeft');
    expect(panel.node.querySelector('.jp-Paramscope-entry')?.getAttribute('aria-expanded')).toBe('false');
    expect(panel.node.querySelectorAll('.jp-Paramscope-group, .jp-Paramscope-findings')).toHaveLength(0);
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe(
      'Showing 0 of 161 parameter rows · 161 in collapsed groups'
    );
    press('ArrowLeft');
    expect(document.activeElement).toBe(panel.node.querySelector('.jp-Paramscope-entry'));
    press('ArrowRight');
    expect(panel.node.querySelectorAll('.jp-Paramscope-group')).toHaveLength(2);
    // Keys the tree does not use pass through.
    expect(press('a')).toBe(false);
    // A collapsed group's row that had focus hands it to its group.
    const row = panel.node.querySelector<HTMLElement>('.jp-Paramscope-row')!;
    row.focus();
    model.toggleGroup(groupKeyOf(panel, 0));
    panel.render();
    expect(document.activeElement).toBe(group0());
    expect(group0().getAttribute('tabindex')).toBe('0');
  });

  it('lets a finding’s parameter link move focus into the tree with the keyboard', () => {
    const { panel } = setUp();
    const link = [...panel.node.querySelectorAll<HTMLButtonElement>('.jp-Paramscope-paramLink')].find(
      (b) => b.textContent === MISTAKE
    )!;
    expect(link.tagName).toBe('BUTTON');
    expect(panel.node.querySelector('.jp-Paramscope-findings')?.getAttribute('aria-label')).toBe(
      'Verification findings'
    );
    // The item reads "error: <message>" (the colon is for screen readers).
    expect(panel.node.querySelector('.jp-Paramscope-finding')?.textContent).toBe(
      `error: ${MISTAKE} is a BatchNorm2d parameter with weight decay 0.0001${MISTAKE}`
    );
    // The name in the message may break after its dots (a narrow sidebar), never inside a word.
    const inMessage = panel.node.querySelector('.jp-Paramscope-findingMessage .jp-Paramscope-msgName')!;
    expect(inMessage.textContent).toBe(MISTAKE);
    expect(inMessage.querySelectorAll('wbr')).toHaveLength(4);
    link.focus();
    link.click(); // Enter or Space on a button
    panel.render();
    const row = document.activeElement as HTMLElement;
    expect(row.dataset.param).toBe(MISTAKE);
    expect(row.getAttribute('tabindex')).toBe('0');
    row.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowLeft', bubbles: true }));
    expect(document.activeElement).toBe(panel.node.querySelector('.jp-Paramscope-group'));
  });

  it('keeps focus on a finding’s parameter link when the panel re-renders (a kernel state change)', () => {
    const { panel } = setUp();
    const link = () =>
      [...panel.node.querySelectorAll<HTMLButtonElement>('.jp-Paramscope-paramLink')].find(
        (b) => b.textContent === MISTAKE
      )!;
    const before = link();
    before.focus();
    panel.render(); // rebuilds the tree, as a kernel going busy or idle does
    expect(before.isConnected).toBe(false);
    expect(document.activeElement).toBe(link());
  });

  it('lists errors before notes, folds notes by code and paints only rows with errors or warnings', () => {
    const snapshot = twoGroupSnapshot(resnet50Params(), { mistake: MISTAKE });
    const entry = snapshot.entries[0];
    const notes = entry.groups[0].params.filter((p) => p.scaleInvariant).slice(0, 17);
    entry.findings.unshift(
      ...notes.map((p) => ({
        severity: 'info' as const,
        code: 'scale-invariant-decayed',
        message: `${p.name} feeds a norm`,
        params: [p.name],
        groups: [0]
      }))
    );
    const { model, panel, rows } = setUp(snapshot);
    const items = [...panel.node.querySelectorAll('.jp-Paramscope-findings > li')];
    expect(items.map((li) => li.getAttribute('data-severity') ?? li.className)).toEqual([
      'error',
      'jp-Paramscope-notes'
    ]);
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
    expect(noted.classList.contains('jp-mod-flagged')).toBe(false);
    expect(
      rows()
        .filter((r) => r.classList.contains('jp-mod-flagged'))
        .map((r) => r.dataset.param)
    ).toEqual([MISTAKE]);

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
    const { panel, rows } = setUp(
      twoGroupSnapshot([{ ...conv, name: XSS, reason: XSS, moduleKind: XSS }], { mistake: XSS })
    );
    expect(panel.node.querySelector('img')).toBeNull();
    expect(rows()[0].querySelector('.jp-Paramscope-name span')?.textContent).toBe(XSS);
    expect(panel.node.querySelector('.jp-Paramscope-paramLink')?.textContent).toBe(XSS);
  });

  it('keeps 10,000 tensors to one page of rows and marks stale data', () => {
    const { model, panel, rows } = setUp(twoGroupSnapshot(syntheticParams(10_000)));
    expect(rows()).toHaveLength(50);
    expect(panel.node.querySelector('.jp-Paramscope-tally')?.textContent).toBe(
      'Showing 50 of 10000 parameter rows · 9950 behind "show more"'
    );
    model.markStale('the kernel restarted');
    panel.render();
    expect(panel.node.classList.contains('jp-mod-stale')).toBe(true);
    expect(panel.node.querySelector('.jp-Paramscope-headline')?.textContent).toMatch(/^Stale: the kernel restarted/);
  });

  it('shows an unreadable snapshot’s reasons and calls back on Refresh', () => {
    const { model, panel, onRefresh } = setUp();
    model.receive({ schemaVersion: 1 }, 'kernel', 0);
    panel.render();
    expect(panel.node.querySelector('.jp-Paramscope-error')?.textContent).toContain(
      '$.sessionId: missing required field'
    );
    panel.node.querySelector<HTMLButtonElement>('.jp-Paramscope-refresh')!.click();
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });
});

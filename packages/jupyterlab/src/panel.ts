/**
 * The sidebar widget: renders an {@link InspectorModel} as a headline, filter controls and an ARIA
 * tree: optimizer or grouping (level 1; its summary, findings and chart inside) → parameter group
 * (level 2) → member rows (level 3, paged). One tab stop (roving tabindex); the keys of the WAI-ARIA
 * tree pattern, as in JupyterLab's debugger variables tree: Up/Down, Right expands or enters,
 * Left collapses or goes to the parent, Home/End, Enter/Space toggles.
 *
 * A tree in both layouts, not a treegrid in the wide one: the wide layout only lines a row's facts
 * up beside its name; the facts differ per row (norms only for watched runs) and nothing in them
 * is operable, so cell-by-cell navigation would add key presses and no information.
 */
import { Widget } from '@lumino/widgets';
import {
  formatIssues,
  type FindingSeverity,
  type GroupSnapshot,
  type ParamSnapshot,
  type SnapshotEntry
} from '@paramscope/protocol';
import { h } from './dom';
import { findingMatches, severityByParam } from './findings';
import { correctedGroupsCode, fixLanguage } from './fix-code';
import { formatCount, formatNumber, formatShape, hyperparameterPairs } from './format';
import { HistoryChart } from './history-chart';
import { entryKey, groupKey, type InspectorModel } from './panel-model';
import { paramNameNode } from './param-name';
import { groupRows, moduleKinds } from './rows';
import { entryTitle, findingsList, summaryLine } from './snapshot-table';

/** What the panel asks of its host. */
export interface InspectorPanelOptions {
  model: InspectorModel;
  /** Called when the user presses Refresh. */
  onRefresh: () => void;
  /** Puts text on the system clipboard (JupyterLab's `Clipboard.copyToSystem` in the app). */
  copyText?: (text: string) => void;
}

/** Totals over everything the snapshot holds, for the "what is hidden" line. */
interface Tally {
  total: number;
  shown: number;
  hiddenByFilter: number;
  collapsed: number;
  notShown: number;
}

/** The Parameter groups sidebar panel. */
export class InspectorPanel extends Widget {
  /** Milliseconds from the last snapshot's arrival to its rows in the DOM. */
  lastRenderMs: number | undefined;

  private readonly model: InspectorModel;
  private readonly copyText: (text: string) => void;
  /** What the last "Copy corrected groups" copied, by entry id, for the confirmation line. */
  private readonly copied = new Map<string, string>();
  private readonly headlineNode = h('div', {
    className: 'jp-Paramscope-headline',
    attrs: { role: 'status', 'aria-live': 'polite' }
  });
  private readonly noticeNode = h('div', { className: 'jp-Paramscope-notices' });
  private readonly filterInput = h('input', {
    className: 'jp-Paramscope-filter jp-mod-styled',
    attrs: {
      type: 'search',
      placeholder: 'Filter…',
      title: 'Filter by name, alias or module kind',
      'aria-label': 'Filter parameters by name or kind'
    }
  });
  private readonly kindSelect = h('select', {
    className: 'jp-Paramscope-kind jp-mod-styled',
    attrs: { 'aria-label': 'Module kind' }
  });
  private readonly tallyNode = h('div', { className: 'jp-Paramscope-tally', attrs: { 'aria-live': 'polite' } });
  private readonly contentNode = h('div', { className: 'jp-Paramscope-content' });
  /** Optimizers → groups → rows; rebuilt on every render. */
  private treeNode: HTMLElement | undefined;
  /** `data-nav` key of the tree's tab stop (the item focused last), kept across renders. */
  private currentNav: string | undefined;
  private readonly charts = new Map<string, HistoryChart>();
  private renderedSnapshot: unknown;
  private focusedReveal: unknown;
  private kindsKey = '';

  constructor(options: InspectorPanelOptions) {
    super();
    this.model = options.model;
    this.copyText = options.copyText ?? ((text) => void navigator.clipboard?.writeText(text));
    this.addClass('jp-Paramscope-panel');
    const refresh = h('button', {
      className: 'jp-Paramscope-refresh jp-mod-styled',
      text: 'Refresh',
      title: 'Ask the kernel for a fresh snapshot (runs one short request)',
      attrs: { type: 'button' }
    });
    refresh.addEventListener('click', () => options.onRefresh());
    this.filterInput.addEventListener('input', () => this.model.setFilter({ text: this.filterInput.value }));
    this.kindSelect.addEventListener('change', () => this.model.setFilter({ kind: this.kindSelect.value }));
    this.contentNode.addEventListener('keydown', (event) => this.onKeyDown(event));
    this.contentNode.addEventListener('focusin', (event) => {
      const item = event.target as HTMLElement;
      if (item.getAttribute('role') === 'treeitem') this.setTabStop(item);
    });
    this.node.append(
      h('div', { className: 'jp-Paramscope-header' }, [
        h('h2', { className: 'jp-Paramscope-title', text: 'Parameter groups' }),
        refresh
      ]),
      this.headlineNode,
      this.noticeNode,
      h('div', { className: 'jp-Paramscope-controls' }, [this.filterInput, this.kindSelect]),
      this.tallyNode,
      this.contentNode
    );
    this.model.changed.connect(() => this.update(), this);
    this.update();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    for (const chart of this.charts.values()) chart.dispose();
    this.model.changed.disconnect(this.update, this);
    super.dispose();
  }

  protected override onResize(): void {
    for (const chart of this.charts.values()) chart.resize();
  }

  protected override onUpdateRequest(): void {
    this.render();
  }

  /** Rebuilds everything but the filter controls (which keep focus and caret). */
  render(): void {
    const model = this.model;
    const headline = model.headline();
    this.headlineNode.textContent = headline.text;
    this.headlineNode.dataset.level = headline.level;
    this.node.dataset.kernelState = model.kernelState;
    this.node.classList.toggle(
      'jp-mod-stale',
      model.staleReason !== undefined || model.kernelState === 'restarting' || model.kernelState === 'dead'
    );
    this.renderNotices();
    if (this.filterInput.value !== model.filter.text) this.filterInput.value = model.filter.text;
    this.renderKinds();

    // Focus and the tab stop survive the rebuild: the same item, else its nearest ancestor left
    // (a row of a group just collapsed), else the first item.
    const active = document.activeElement as HTMLElement | null;
    const focusChain = active && this.contentNode.contains(active) ? this.navChain(active) : undefined;
    const stopChain = this.navChain(this.navItem(this.currentNav));
    const tally: Tally = { total: 0, shown: 0, hiddenByFilter: 0, collapsed: 0, notShown: 0 };
    const entries = model.snapshot?.entries ?? [];
    this.treeNode = entries.length
      ? h(
          'div',
          {
            className: 'jp-Paramscope-tree',
            attrs: { role: 'tree', 'aria-label': 'Optimizers, parameter groups and members' }
          },
          entries.map((entry, i) => this.renderEntry(entry, i, entries.length, tally))
        )
      : undefined;
    this.contentNode.replaceChildren(...(this.treeNode ? [this.treeNode] : []));
    this.dropChartsExcept(new Set(entries.map((e) => e.id)));
    this.renderTally(tally);
    this.setTabStop(this.firstNavItem(stopChain) ?? this.treeItems()[0]);
    if (active && focusChain) {
      // A node kept across renders (a chart's toggle) keeps its focus; a rebuilt one is found by key.
      if (active.isConnected && this.contentNode.contains(active)) active.focus();
      else this.firstNavItem(focusChain)?.focus();
    }
    this.scrollToRevealed();

    if (model.snapshot && model.snapshot !== this.renderedSnapshot && model.receivedAt !== undefined) {
      this.renderedSnapshot = model.snapshot;
      this.lastRenderMs = performance.now() - model.receivedAt;
      this.node.dataset.renderMs = this.lastRenderMs.toFixed(1);
      this.node.dataset.sequence = String(model.snapshot.sequence);
      // The next frame: after style, layout and paint of the new rows. Until then no figure,
      // so that a reader never takes the previous snapshot's for this one's.
      delete this.node.dataset.frameMs;
      const receivedAt = model.receivedAt;
      requestAnimationFrame(() => (this.node.dataset.frameMs = (performance.now() - receivedAt).toFixed(1)));
    }
  }

  private renderNotices(): void {
    const model = this.model;
    const notices: HTMLElement[] = [];
    if (model.error) {
      const from = model.error.origin === 'kernel' ? 'from the kernel' : "in the notebook's outputs";
      notices.push(
        h('div', { className: 'jp-Paramscope-error', attrs: { role: 'alert' } }, [
          h('strong', {
            text: `Cannot read a snapshot ${from}${model.snapshot ? ' (showing the last readable one)' : ''}:`
          }),
          h('pre', { text: formatIssues(model.error.issues) })
        ])
      );
    }
    if (model.pending) {
      notices.push(
        h('div', {
          className: 'jp-Paramscope-pending',
          text: `Snapshot #${model.pending.sequence} arrived; auto-refresh is off. Press Refresh to show it.`
        })
      );
    }
    this.noticeNode.replaceChildren(...notices);
  }

  private renderKinds(): void {
    const kinds = moduleKinds((this.model.snapshot?.entries ?? []).flatMap((e) => e.groups));
    const key = kinds.join('\u0000');
    if (key !== this.kindsKey) {
      this.kindsKey = key;
      this.kindSelect.replaceChildren(
        h('option', { text: 'All kinds', attrs: { value: '' } }),
        ...kinds.map((kind) => h('option', { text: kind, attrs: { value: kind } }))
      );
    }
    this.kindSelect.value = kinds.includes(this.model.filter.kind) ? this.model.filter.kind : '';
  }

  private renderTally(tally: Tally): void {
    if (tally.total === 0) {
      this.tallyNode.textContent = '';
      return;
    }
    const hidden: string[] = [];
    if (tally.hiddenByFilter) hidden.push(`${tally.hiddenByFilter} hidden by the filter`);
    if (tally.collapsed) hidden.push(`${tally.collapsed} in collapsed groups`);
    if (tally.notShown) hidden.push(`${tally.notShown} behind "show more"`);
    const hiddenText = hidden.length ? ` · ${hidden.join(' · ')}` : '';
    this.tallyNode.textContent = `Showing ${tally.shown} of ${tally.total} parameter rows${hiddenText}`;
  }

  /** An optimizer or grouping: a level-1 tree item; its summary is its description. */
  private renderEntry(entry: SnapshotEntry, index: number, count: number, tally: Tally): HTMLElement {
    const key = entryKey(entry.id);
    const collapsed = this.model.collapsed.has(key);
    const header = h('div', { className: 'jp-Paramscope-entryHeader' }, [
      h('h3', { className: 'jp-Paramscope-entryTitle' }, [
        h('span', { className: 'jp-Paramscope-caret', text: collapsed ? '▸' : '▾', attrs: { 'aria-hidden': 'true' } }),
        h('span', { text: entryTitle(entry) })
      ]),
      summaryLine(entry)
    ]);
    header.addEventListener('click', () => this.model.toggleGroup(key));
    // Named by its content: the header. Everything under it is in its role=group (`body`), which
    // browsers leave out of the name.
    const item = h(
      'div',
      {
        className: 'jp-Paramscope-entry',
        attrs: {
          role: 'treeitem',
          'aria-level': '1',
          'aria-setsize': String(count),
          'aria-posinset': String(index + 1),
          'aria-expanded': String(!collapsed),
          tabindex: '-1',
          'data-nav': `e:${key}`
        }
      },
      [header]
    );
    if (collapsed) {
      for (const group of entry.groups) {
        const view = groupRows(group, this.model.filter, 0);
        tally.total += group.params.length;
        tally.collapsed += view.matched;
        tally.hiddenByFilter += view.hiddenByFilter;
      }
      return item;
    }
    const kinds = new Map(entry.groups.flatMap((g) => g.params.map((p) => [p.name, p.moduleKind] as const)));
    const findings = entry.findings.filter((f) => findingMatches(f, this.model.filter, (name) => kinds.get(name)));
    const hiddenFindings = entry.findings.length - findings.length;
    // No label on the groups: Chromium puts a group's label into the name of the item above it.
    const body = h('div', { className: 'jp-Paramscope-entryBody', attrs: { role: 'group' } });
    item.appendChild(body);
    body.append(
      ...[
        this.fixAction(entry),
        findings.length > 0 || hiddenFindings === 0
          ? findingsList(findings, {
              onParam: (name) => this.model.reveal(entry.id, name),
              notesExpanded: (code) => this.model.expandedNotes.has(`${entry.id}\u0000${code}`),
              onToggleNotes: (code) => this.model.toggleNotes(entry.id, code),
              idPrefix: `jp-Paramscope-${this.id}-${entry.id}`,
              navPrefix: `l:${entry.id}\u0000`
            })
          : null,
        hiddenFindings > 0
          ? h('p', {
              className: 'jp-Paramscope-empty',
              text: `${hiddenFindings} of ${entry.findings.length} findings hidden by the filter.`
            })
          : null
      ].filter((node): node is HTMLElement => node !== null)
    );
    if (entry.history && entry.history.steps.length > 0 && this.model.settings.showChart) {
      let chart = this.charts.get(entry.id);
      if (!chart) this.charts.set(entry.id, (chart = new HistoryChart()));
      body.appendChild(chart.node);
      // The entry's title is right above: a short chart title fits a 250 px sidebar.
      void chart.draw(entry.history, 'Weight norms over steps');
    }
    const severities = severityByParam(entry.findings);
    body.append(...entry.groups.map((group, i) => this.renderGroup(entry, group, i, severities, tally)));
    return item;
  }

  /** "Copy corrected groups" for an optimizer with errors, and what it copied. */
  private fixAction(entry: SnapshotEntry): HTMLElement | null {
    if (entry.source !== 'optimizer' || !entry.findings.some((f) => f.severity === 'error')) return null;
    const language = fixLanguage(this.model.kernelLanguage, this.model.snapshot?.backend);
    const languageName = language === 'python' ? 'PyTorch' : 'TypeScript';
    const button = h('button', {
      className: 'jp-Paramscope-copyFix jp-mod-styled',
      text: 'Copy corrected groups',
      title: `Copy ${languageName} code that rebuilds this optimizer on paramscope's structural default groups`,
      attrs: { type: 'button', 'data-nav': `c:${entry.id}` }
    });
    button.addEventListener('click', () => {
      this.copyText(correctedGroupsCode(entry, language));
      this.copied.set(entry.id, `Copied ${languageName} code: paste it into a cell after the model's and run it.`);
      this.update();
    });
    const status = h('span', { className: 'jp-Paramscope-copyStatus', text: this.copied.get(entry.id) ?? '' });
    status.setAttribute('role', 'status');
    return h('div', { className: 'jp-Paramscope-fix' }, [button, status]);
  }

  /** A parameter group: a level-2 tree item, named by its line (name, hyperparameters, sizes). */
  private renderGroup(
    entry: SnapshotEntry,
    group: GroupSnapshot,
    position: number,
    severities: Map<string, FindingSeverity>,
    tally: Tally
  ): HTMLElement {
    const key = groupKey(entry.id, group.index);
    const collapsed = this.model.collapsed.has(key);
    const revealed = this.model.revealed?.entryId === entry.id ? this.model.revealed.name : undefined;
    const view = groupRows(group, this.model.filter, this.model.rowLimit(key), revealed);
    tally.total += group.params.length;
    tally.hiddenByFilter += view.hiddenByFilter;

    const hyper = hyperparameterPairs(group.hyperparameters)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    const label = h('div', { className: 'jp-Paramscope-groupToggle' }, [
      h('span', { className: 'jp-Paramscope-caret', text: collapsed ? '▸' : '▾', attrs: { 'aria-hidden': 'true' } }),
      h('span', {
        className: 'jp-Paramscope-groupName',
        text: `Group ${group.index}${group.label ? ` · ${group.label}` : ''}`
      }),
      hyper ? h('span', { className: 'jp-Paramscope-groupHyper', text: hyper }) : null,
      h('span', {
        className: 'jp-Paramscope-groupSize',
        text: `${group.tensorCount} tensors, ${formatCount(group.elementCount)} values`
      })
    ]);
    label.addEventListener('click', () => this.model.toggleGroup(key));
    // Named by its line (name, hyperparameters, sizes); rows and "show more" are in its role=group.
    const node = h(
      'div',
      {
        className: 'jp-Paramscope-group',
        attrs: {
          role: 'treeitem',
          'aria-level': '2',
          'aria-setsize': String(entry.groups.length),
          'aria-posinset': String(position + 1),
          'aria-expanded': String(!collapsed),
          tabindex: '-1',
          'data-group': String(group.index),
          'data-nav': `g:${key}`
        }
      },
      [label]
    );
    if (collapsed) {
      tally.collapsed += view.matched;
      return node;
    }
    tally.shown += view.rows.length;
    tally.notShown += Math.max(0, view.matched - view.rows.length);
    const members = h('div', { className: 'jp-Paramscope-rows', attrs: { role: 'group' } });
    node.appendChild(members);
    members.append(
      ...view.rows.map((param, i) =>
        this.renderRow(key, param, severities.get(param.name), param.name === revealed, view.positions[i], view.matched)
      )
    );
    if (view.rows.length === 0 && group.params.length > 0) {
      members.appendChild(
        h('p', { className: 'jp-Paramscope-empty', text: `All ${group.params.length} members hidden by the filter.` })
      );
    }
    if (view.notShown > 0) {
      // A button after the rows, reached with Tab from the tree (not a tree item: the rows'
      // positions and set size count members, and this is an action).
      const moreCount = Math.min(view.notShown, this.model.settings.rowsBeforeShowMore);
      const more = h('button', {
        className: 'jp-Paramscope-showMore',
        text: `Show ${moreCount} more (${view.notShown} not shown)`,
        attrs: { type: 'button', 'data-nav': `m:${key}` }
      });
      more.addEventListener('click', () => this.model.showMore(key));
      members.appendChild(more);
    }
    return node;
  }

  /**
   * A member: a level-3 tree item named by its content: the whole name (the elided head is still
   * text), tags, severity, facts and the reason it is in the group, with separators only screen
   * readers get (CSS `::before`), e.g. "bn1.weight (error finding) 64, values 64, BatchNorm2d …".
   */
  private renderRow(
    key: string,
    param: ParamSnapshot,
    severity: FindingSeverity | undefined,
    revealed: boolean,
    position: number | undefined,
    setSize: number
  ): HTMLDivElement {
    const name = h('div', { className: 'jp-Paramscope-name' }, [paramNameNode(param.name)]);
    if (param.scaleInvariant) {
      name.appendChild(
        h('span', {
          className: 'jp-Paramscope-tag',
          text: 'scale-inv.',
          title: param.normalizedBy
            ? `feeds ${param.normalizedBy}: its scale does not change the output`
            : 'its scale does not change the output'
        })
      );
    }
    if (!param.trainable) name.appendChild(h('span', { className: 'jp-Paramscope-tag', text: 'frozen' }));
    const facts: Array<[string, string]> = [
      ['shape', formatShape(param.shape)],
      ['values', formatCount(param.size)],
      ['module', param.moduleKind]
    ];
    if (param.weightNorm !== undefined) facts.push(['‖W‖', formatNumber(param.weightNorm)]);
    if (param.gradNorm !== undefined) facts.push(['‖∇‖', formatNumber(param.gradNorm)]);
    if (param.effectiveLr !== undefined) facts.push(['η/‖W‖²', formatNumber(param.effectiveLr)]);
    const meta = h(
      'div',
      { className: 'jp-Paramscope-meta' },
      facts.map(([label, value]) =>
        h('span', {
          className: 'jp-Paramscope-fact',
          title: label,
          text: label === 'shape' || label === 'module' ? value : `${label} ${value}`
        })
      )
    );
    const reason = h('div', { className: 'jp-Paramscope-reason', text: param.reason });
    const attrs: Record<string, string> = {
      role: 'treeitem',
      'aria-level': '3',
      tabindex: '-1',
      'data-nav': `r:${key}\u0000${param.name}`
    };
    if (position !== undefined) {
      attrs['aria-setsize'] = String(setSize);
      attrs['aria-posinset'] = String(position);
    }
    const row = h(
      'div',
      {
        className: 'jp-Paramscope-row',
        title: [
          param.aliases?.length ? `aliases: ${param.aliases.join(', ')}` : '',
          `module: ${param.modulePath || '(root)'}`
        ]
          .filter(Boolean)
          .join('\n'),
        attrs
      },
      [name, meta, reason]
    );
    row.dataset.param = param.name;
    // Only errors and warnings paint a row; a note (INFO) marks it quietly.
    if (severity) {
      row.dataset.severity = severity;
      // The tint is visual only: say the severity to screen readers too.
      name.appendChild(h('span', { className: 'jp-Paramscope-srOnly', text: ` (${severity} finding)` }));
    }
    if (severity === 'error' || severity === 'warning') row.classList.add('jp-mod-flagged');
    if (revealed) row.classList.add('jp-mod-revealed');
    return row;
  }

  /** The tree items on screen, in order (collapsed items render no children). */
  private treeItems(): HTMLElement[] {
    return this.treeNode ? [...this.treeNode.querySelectorAll<HTMLElement>('[role="treeitem"]')] : [];
  }

  /** The `data-nav` keys of `node` (or its closest keyed ancestor) and of the items above it. */
  private navChain(node: HTMLElement | undefined): string[] {
    const keys: string[] = [];
    for (
      let n = node?.closest<HTMLElement>('[data-nav]');
      n && this.contentNode.contains(n);
      n = n.parentElement?.closest<HTMLElement>('[data-nav]')
    ) {
      keys.push(n.getAttribute('data-nav')!);
    }
    return keys;
  }

  private firstNavItem(keys: string[]): HTMLElement | undefined {
    for (const key of keys) {
      const node = this.navItem(key);
      if (node) return node;
    }
    return undefined;
  }

  private navItem(key: string | null | undefined): HTMLElement | undefined {
    if (!key) return undefined;
    for (const node of this.contentNode.querySelectorAll<HTMLElement>('[data-nav]')) {
      if (node.getAttribute('data-nav') === key) return node;
    }
    return undefined;
  }

  /** Makes `item` the tree's one tab stop (roving tabindex). */
  private setTabStop(item: HTMLElement | undefined): void {
    if (!item) return;
    for (const other of this.treeNode?.querySelectorAll<HTMLElement>('[role="treeitem"][tabindex="0"]') ?? []) {
      if (other !== item) other.tabIndex = -1;
    }
    item.tabIndex = 0;
    this.currentNav = item.getAttribute('data-nav') ?? undefined;
  }

  /**
   * The tree's keys (WAI-ARIA tree view pattern): Up/Down the previous/next item on screen,
   * Right expands a collapsed item or enters an expanded one, Left collapses an expanded item
   * or goes to the parent, Home/End the first/last item, Enter/Space expands or collapses.
   */
  private onKeyDown(event: KeyboardEvent): void {
    const item = event.target as HTMLElement;
    if (item.getAttribute('role') !== 'treeitem' || event.altKey || event.ctrlKey || event.metaKey) return;
    const items = this.treeItems();
    const index = items.indexOf(item);
    const expanded = item.getAttribute('aria-expanded');
    const toggle = () => this.model.toggleGroup(item.getAttribute('data-nav')!.slice(2));
    let next: HTMLElement | null | undefined;
    switch (event.key) {
      case 'ArrowDown':
        next = items[index + 1];
        break;
      case 'ArrowUp':
        next = items[index - 1];
        break;
      case 'Home':
        next = items[0];
        break;
      case 'End':
        next = items[items.length - 1];
        break;
      case 'ArrowRight':
        if (expanded === 'false') toggle();
        else if (expanded === 'true') next = item.querySelector<HTMLElement>('[role="treeitem"]');
        break;
      case 'ArrowLeft':
        if (expanded === 'true') toggle();
        else next = item.parentElement?.closest<HTMLElement>('[role="treeitem"]');
        break;
      case 'Enter':
      case ' ':
        if (expanded !== null) toggle();
        break;
      default:
        return;
    }
    event.preventDefault();
    if (next) {
      next.focus();
      next.scrollIntoView?.({ block: 'nearest' });
    }
  }

  private scrollToRevealed(): void {
    // Focus a revealed row once: later renders (a toggle, a new page) must not steal focus.
    if (this.model.revealed === this.focusedReveal) return;
    this.focusedReveal = this.model.revealed;
    const row = this.contentNode.querySelector<HTMLElement>('.jp-mod-revealed');
    if (!row) return;
    row.scrollIntoView?.({ block: 'nearest' });
    row.focus();
  }

  private dropChartsExcept(ids: Set<string>): void {
    for (const [id, chart] of this.charts) {
      if (!ids.has(id) || !this.model.settings.showChart) {
        chart.dispose();
        this.charts.delete(id);
      }
    }
  }
}

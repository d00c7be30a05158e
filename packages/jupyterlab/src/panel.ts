/**
 * The sidebar widget: renders an {@link InspectorModel} as a headline, findings, filter controls
 * and, per optimizer or grouping, collapsible groups of member rows (paged, keyboard-navigable).
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
import { groupKey, type InspectorModel } from './panel-model';
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
  private readonly headlineNode = h('div', { className: 'jp-Paramscope-headline', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly noticeNode = h('div', { className: 'jp-Paramscope-notices' });
  private readonly filterInput = h('input', {
    className: 'jp-Paramscope-filter jp-mod-styled',
    attrs: { type: 'search', placeholder: 'Filter…', title: 'Filter by name, alias or module kind', 'aria-label': 'Filter parameters by name or kind' }
  });
  private readonly kindSelect = h('select', { className: 'jp-Paramscope-kind jp-mod-styled', attrs: { 'aria-label': 'Module kind' } });
  private readonly tallyNode = h('div', { className: 'jp-Paramscope-tally', attrs: { 'aria-live': 'polite' } });
  private readonly contentNode = h('div', { className: 'jp-Paramscope-content' });
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
    this.node.classList.toggle('jp-mod-stale', model.staleReason !== undefined || model.kernelState === 'restarting' || model.kernelState === 'dead');
    this.renderNotices();
    if (this.filterInput.value !== model.filter.text) this.filterInput.value = model.filter.text;
    this.renderKinds();

    const focusKey = (document.activeElement as HTMLElement | null)?.closest?.('[data-nav]')?.getAttribute('data-nav');
    const tally: Tally = { total: 0, shown: 0, hiddenByFilter: 0, collapsed: 0, notShown: 0 };
    const entries = model.snapshot?.entries ?? [];
    this.contentNode.replaceChildren(...entries.map((entry) => this.renderEntry(entry, tally)));
    this.dropChartsExcept(new Set(entries.map((e) => e.id)));
    this.renderTally(tally);
    if (focusKey) this.focusNav(focusKey);
    this.scrollToRevealed();

    if (model.snapshot && model.snapshot !== this.renderedSnapshot && model.receivedAt !== undefined) {
      this.renderedSnapshot = model.snapshot;
      this.lastRenderMs = performance.now() - model.receivedAt;
      this.node.dataset.renderMs = this.lastRenderMs.toFixed(1);
      this.node.dataset.sequence = String(model.snapshot.sequence);
      // The next frame: after style, layout and paint of the new rows.
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
          h('strong', { text: `Cannot read a snapshot ${from}${model.snapshot ? ' (showing the last readable one)' : ''}:` }),
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
    this.tallyNode.textContent = `Showing ${tally.shown} of ${tally.total} parameter rows${hidden.length ? ` · ${hidden.join(' · ')}` : ''}`;
  }

  private renderEntry(entry: SnapshotEntry, tally: Tally): HTMLElement {
    const kinds = new Map(entry.groups.flatMap((g) => g.params.map((p) => [p.name, p.moduleKind] as const)));
    const findings = entry.findings.filter((f) => findingMatches(f, this.model.filter, (name) => kinds.get(name)));
    const hiddenFindings = entry.findings.length - findings.length;
    const section = h('section', { className: 'jp-Paramscope-entry', attrs: { 'aria-label': entry.label } }, [
      h('h3', { className: 'jp-Paramscope-entryTitle', text: entryTitle(entry) }),
      summaryLine(entry),
      this.fixAction(entry),
      findings.length > 0 || hiddenFindings === 0
        ? findingsList(findings, {
            onParam: (name) => this.model.reveal(entry.id, name),
            notesExpanded: (code) => this.model.expandedNotes.has(`${entry.id}\u0000${code}`),
            onToggleNotes: (code) => this.model.toggleNotes(entry.id, code),
            idPrefix: `jp-Paramscope-${this.id}-${entry.id}`
          })
        : null,
      hiddenFindings > 0
        ? h('p', {
            className: 'jp-Paramscope-empty',
            text: `${hiddenFindings} of ${entry.findings.length} findings hidden by the filter.`
          })
        : null
    ]);
    if (entry.history && entry.history.steps.length > 0 && this.model.settings.showChart) {
      let chart = this.charts.get(entry.id);
      if (!chart) this.charts.set(entry.id, (chart = new HistoryChart()));
      section.appendChild(chart.node);
      // The entry's title is right above: a short chart title fits a 250 px sidebar.
      void chart.draw(entry.history, 'Weight norms over steps');
    }
    const severities = severityByParam(entry.findings);
    for (const group of entry.groups) section.appendChild(this.renderGroup(entry, group, severities, tally));
    return section;
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
      attrs: { type: 'button' }
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

  private renderGroup(
    entry: SnapshotEntry,
    group: GroupSnapshot,
    severities: Map<string, FindingSeverity>,
    tally: Tally
  ): HTMLElement {
    const key = groupKey(entry.id, group.index);
    const collapsed = this.model.collapsed.has(key);
    const revealed = this.model.revealed?.entryId === entry.id ? this.model.revealed.name : undefined;
    const view = groupRows(group, this.model.filter, this.model.rowLimit(key), revealed);
    tally.total += group.params.length;
    tally.hiddenByFilter += view.hiddenByFilter;

    const hyper = hyperparameterPairs(group.hyperparameters).map(([k, v]) => `${k} ${v}`).join(', ');
    const toggle = h(
      'button',
      {
        className: 'jp-Paramscope-groupToggle',
        attrs: { type: 'button', 'aria-expanded': String(!collapsed), 'data-nav': `g:${key}` }
      },
      [
        h('span', { className: 'jp-Paramscope-caret', text: collapsed ? '▸' : '▾', attrs: { 'aria-hidden': 'true' } }),
        h('span', { className: 'jp-Paramscope-groupName', text: `Group ${group.index}${group.label ? ` · ${group.label}` : ''}` }),
        h('span', { className: 'jp-Paramscope-groupHyper', text: hyper }),
        h('span', { className: 'jp-Paramscope-groupSize', text: `${group.tensorCount} tensors, ${formatCount(group.elementCount)} values` })
      ]
    );
    toggle.addEventListener('click', () => this.model.toggleGroup(key));
    const node = h('div', { className: 'jp-Paramscope-group', attrs: { 'data-group': String(group.index) } }, [toggle]);
    if (collapsed) {
      tally.collapsed += view.matched;
      return node;
    }
    tally.shown += view.rows.length;
    tally.notShown += Math.max(0, view.matched - view.rows.length);
    if (view.rows.length > 0) {
      const rows = view.rows.map((param) => this.renderRow(key, param, severities.get(param.name), param.name === revealed));
      const rowsId = `jp-Paramscope-${this.id}-rows-${entry.id}-${group.index}`;
      toggle.setAttribute('aria-controls', rowsId);
      const label = `Members of group ${group.index}`;
      node.appendChild(h('ul', { className: 'jp-Paramscope-rows', attrs: { id: rowsId, 'aria-label': label } }, rows));
    } else if (group.params.length > 0) {
      node.appendChild(h('p', { className: 'jp-Paramscope-empty', text: `All ${group.params.length} members hidden by the filter.` }));
    }
    if (view.notShown > 0) {
      const more = h('button', {
        className: 'jp-Paramscope-showMore',
        text: `Show ${Math.min(view.notShown, this.model.settings.rowsBeforeShowMore)} more (${view.notShown} not shown)`,
        attrs: { type: 'button', 'data-nav': `m:${key}` }
      });
      more.addEventListener('click', () => this.model.showMore(key));
      node.appendChild(more);
    }
    return node;
  }

  private renderRow(
    key: string,
    param: ParamSnapshot,
    severity: FindingSeverity | undefined,
    revealed: boolean
  ): HTMLLIElement {
    const name = h('div', { className: 'jp-Paramscope-name' }, [paramNameNode(param.name)]);
    if (param.scaleInvariant) {
      name.appendChild(h('span', { className: 'jp-Paramscope-tag', text: 'scale-inv.', title: param.normalizedBy ? `feeds ${param.normalizedBy}: its scale does not change the output` : 'its scale does not change the output' }));
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
      facts.map(([label, value]) => h('span', { className: 'jp-Paramscope-fact', title: label, text: label === 'shape' || label === 'module' ? value : `${label} ${value}` }))
    );
    const reason = h('div', { className: 'jp-Paramscope-reason', text: param.reason });
    const row = h(
      'li',
      {
        className: 'jp-Paramscope-row',
        title: [param.aliases?.length ? `aliases: ${param.aliases.join(', ')}` : '', `module: ${param.modulePath || '(root)'}`].filter(Boolean).join('\n'),
        attrs: { tabindex: '0', 'data-nav': `r:${key}\u0000${param.name}` }
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

  /** Arrow keys move between group headers, rows and "show more" buttons; Home/End jump. */
  private onKeyDown(event: KeyboardEvent): void {
    const target = (event.target as HTMLElement).closest('[data-nav]');
    if (!target) return;
    const items = [...this.contentNode.querySelectorAll<HTMLElement>('[data-nav]')];
    const index = items.indexOf(target as HTMLElement);
    let next: number | undefined;
    if (event.key === 'ArrowDown') next = Math.min(items.length - 1, index + 1);
    else if (event.key === 'ArrowUp') next = Math.max(0, index - 1);
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = items.length - 1;
    if (next === undefined) return;
    event.preventDefault();
    items[next].focus();
  }

  private focusNav(key: string): void {
    for (const node of this.contentNode.querySelectorAll<HTMLElement>('[data-nav]')) {
      if (node.getAttribute('data-nav') === key) {
        node.focus();
        return;
      }
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

/**
 * The compact view of a snapshot shown inline in a notebook: per optimizer or grouping, its
 * findings and one row per group. The sidebar panel shows the members; this view stays small.
 */
import type { Finding, GroupSnapshot, Snapshot, SnapshotEntry } from '@paramscope/protocol';
import { h } from './dom';
import { entryTotals, sortFindings, type NoteGroup } from './findings';
import { formatCount, hyperparameterPairs } from './format';
import { messageWithNames, paramNameNode } from './param-name';

/** `Conv2d ×20, BatchNorm2d ×40`: the module kinds of a group's members, most frequent first. */
export function kindSummary(group: GroupSnapshot): string {
  const counts = new Map<string, number>();
  for (const param of group.params) counts.set(param.moduleKind, (counts.get(param.moduleKind) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, count]) => `${kind} ×${count}`)
    .join(', ');
}

/** One line describing an entry: label, optimizer, step and model size. */
export function entryTitle(entry: SnapshotEntry): string {
  const parts = [entry.label];
  if (entry.optimizer) parts.push(entry.optimizer);
  if (entry.step !== undefined) parts.push(`step ${entry.step}`);
  parts.push(
    `${entry.model.name}: ${entry.model.tensorCount} tensors, ${formatCount(entry.model.elementCount)} values`
  );
  return parts.join(' · ');
}

/** How the panel drives a findings list; the inline view passes none of it. */
export interface FindingsListOptions {
  /** Called when a parameter named by a finding is clicked. */
  onParam?: (name: string) => void;
  /** Whether the notes of a code are expanded; without it, notes fold in a native `<details>`. */
  notesExpanded?: (code: string) => boolean;
  onToggleNotes?: (code: string) => void;
  /** Id prefix for `aria-controls` of the notes toggles (unique per entry). */
  idPrefix?: string;
  /** `data-nav` prefix of the parameter links (unique per entry): focus on one survives re-renders. */
  navPrefix?: string;
}

/** The summary line of an entry: finding counts and the tensors and values with and without decay. */
export function summaryLine(entry: SnapshotEntry): HTMLElement {
  const totals = entryTotals(entry);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const side = (s: { tensors: number; values: number }) =>
    `${plural(s.tensors, 'tensor')}, ${formatCount(s.values)} values`;
  // Only a non-zero count of errors or warnings is coloured.
  const count = (n: number, word: string, severity: string) =>
    h('span', {
      className: 'jp-Paramscope-count',
      text: plural(n, word),
      attrs: { 'data-severity': n ? severity : 'none' }
    });
  const counts = h('span', { className: 'jp-Paramscope-counts' }, [
    count(totals.errors, 'error', 'error'),
    count(totals.warnings, 'warning', 'warning'),
    count(totals.notes, 'note', 'none')
  ]);
  const decay = h('span', {
    className: 'jp-Paramscope-decayTotals',
    text: `decay: ${side(totals.decayed)} · no decay: ${side(totals.notDecayed)}`
  });
  return h('p', { className: 'jp-Paramscope-entrySummary' }, [counts, decay]);
}

/** An entry's findings: errors, then warnings, then notes folded by code; or a line saying there are none. */
export function findingsList(findings: readonly Finding[], options: FindingsListOptions = {}): HTMLElement {
  if (findings.length === 0) {
    return h('p', { className: 'jp-Paramscope-noFindings', text: 'No findings: every group passes verification.' });
  }
  const { alerts, notes } = sortFindings(findings);
  return h('ul', { className: 'jp-Paramscope-findings', attrs: { 'aria-label': 'Verification findings' } }, [
    ...alerts.map((finding, i) => findingItem(finding, options.onParam, navKey(options, `a${i}`))),
    ...notes.map((group) => noteGroupItem(group, options))
  ]);
}

/** The `data-nav` key of the links of finding `where`, when the list has a prefix. */
function navKey(options: FindingsListOptions, where: string): string | undefined {
  return options.navPrefix === undefined ? undefined : `${options.navPrefix}${where}`;
}

function findingItem(finding: Finding, onParam?: (name: string) => void, nav?: string): HTMLLIElement {
  // "error: <message>" to a screen reader (the colon is not shown); a real space between the
  // two, so the line may wrap after the severity instead of inside the first word.
  const item = h('li', { className: 'jp-Paramscope-finding', attrs: { 'data-severity': finding.severity } }, [
    h('span', { className: 'jp-Paramscope-severity', text: finding.severity }, [
      h('span', { className: 'jp-Paramscope-srOnly', text: ':' })
    ]),
    document.createTextNode(' '),
    h('span', { className: 'jp-Paramscope-findingMessage' }, [messageWithNames(finding.message, finding.params)])
  ]);
  if (onParam && finding.params.length > 0) {
    item.appendChild(
      h(
        'span',
        { className: 'jp-Paramscope-findingParams' },
        finding.params.map((name) =>
          linkButton(name, `Show ${name} in the group list`, () => onParam(name), nav && `${nav}\u0000${name}`)
        )
      )
    );
  }
  return item;
}

/** One line for the notes of a code; their findings below it when expanded. */
function noteGroupItem(group: NoteGroup, options: FindingsListOptions): HTMLLIElement {
  const list = () =>
    h(
      'ul',
      { className: 'jp-Paramscope-noteList' },
      group.findings.map((f, i) => findingItem(f, options.onParam, navKey(options, `${group.code}:${i}`)))
    );
  const item = h('li', { className: 'jp-Paramscope-notes', attrs: { 'data-code': group.code } });
  if (!options.notesExpanded || !options.onToggleNotes) {
    item.appendChild(h('details', {}, [h('summary', { text: group.title }), list()]));
    return item;
  }
  const expanded = options.notesExpanded(group.code);
  const listId = `${options.idPrefix ?? 'jp-Paramscope'}-notes-${group.code}`;
  const toggle = h(
    'button',
    {
      className: 'jp-Paramscope-notesToggle',
      // data-nav: arrow keys reach it, and focus survives the panel's re-renders.
      attrs: { type: 'button', 'aria-expanded': String(expanded), 'aria-controls': listId, 'data-nav': `n:${listId}` }
    },
    [
      h('span', { className: 'jp-Paramscope-caret', text: expanded ? '▾' : '▸', attrs: { 'aria-hidden': 'true' } }),
      h('span', { text: group.title })
    ]
  );
  const onToggle = options.onToggleNotes;
  toggle.addEventListener('click', () => onToggle(group.code));
  item.appendChild(toggle);
  if (expanded) {
    const notesList = list();
    notesList.id = listId;
    item.appendChild(notesList);
  }
  return item;
}

/** A parameter's name as a button: elided in the middle like the rows, whole in its title and text. */
function linkButton(name: string, title: string, onClick: () => void, nav?: string): HTMLButtonElement {
  const attrs: Record<string, string> = { type: 'button' };
  if (nav) attrs['data-nav'] = nav;
  const button = h('button', { className: 'jp-Paramscope-paramLink', title, attrs }, [paramNameNode(name)]);
  button.addEventListener('click', onClick);
  return button;
}

/** The groups of an entry as a table: hyperparameters, sizes and member kinds. */
export function groupsTable(entry: SnapshotEntry): HTMLTableElement {
  const head = h('thead', {}, [
    h(
      'tr',
      {},
      ['group', 'hyperparameters', 'tensors', 'values', 'kinds'].map((text) =>
        h('th', { text, attrs: { scope: 'col' } })
      )
    )
  ]);
  const body = h(
    'tbody',
    {},
    entry.groups.map((group) =>
      h('tr', {}, [
        h('th', {
          text: group.label ? `${group.index} (${group.label})` : String(group.index),
          attrs: { scope: 'row' }
        }),
        h('td', {
          text: hyperparameterPairs(group.hyperparameters)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')
        }),
        h('td', { className: 'jp-Paramscope-number', text: String(group.tensorCount) }),
        h('td', { className: 'jp-Paramscope-number', text: formatCount(group.elementCount) }),
        h('td', { text: kindSummary(group) })
      ])
    )
  );
  return h('table', { className: 'jp-Paramscope-groupsTable' }, [head, body]);
}

/** The whole compact view of a snapshot. */
export function snapshotSummary(snapshot: Snapshot): HTMLElement {
  const root = h('div', { className: 'jp-Paramscope-summary' });
  if (snapshot.entries.length === 0) {
    root.appendChild(
      h('p', { text: 'paramscope: nothing registered yet; call inspect(optimizer) or watch(optimizer).' })
    );
  }
  const entries = snapshot.focus ? snapshot.entries.filter((e) => snapshot.focus?.includes(e.id)) : snapshot.entries;
  for (const entry of entries) {
    root.appendChild(
      h('section', { className: 'jp-Paramscope-summaryEntry' }, [
        h('div', { className: 'jp-Paramscope-entryTitle', text: entryTitle(entry) }),
        summaryLine(entry),
        findingsList(entry.findings),
        groupsTable(entry)
      ])
    );
  }
  return root;
}

/**
 * How findings are ordered, grouped and filtered for display: errors first, then warnings, and
 * informational notes folded into one line per finding code (ResNet-18 has ~20 of them).
 */
import type { Finding, FindingSeverity, SnapshotEntry } from '@paramscope/protocol';
import type { RowFilter } from './rows';

const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

/** What a group of notes is about, by finding code; unknown codes read as their words. */
const NOTE_TOPICS: Record<string, string> = {
  'scale-invariant-decayed': 'weights that feed a normalization layer'
};

/** Informational findings sharing one code, shown as one expandable line. */
export interface NoteGroup {
  code: string;
  /** `17 notes: weights that feed a normalization layer`. */
  title: string;
  findings: Finding[];
}

/** Findings to show one by one (errors, then warnings) and notes folded by code. */
export interface SortedFindings {
  alerts: Finding[];
  notes: NoteGroup[];
}

/** The topic line of a note code. */
export function noteTopic(code: string): string {
  return NOTE_TOPICS[code] ?? code.replace(/-/g, ' ');
}

/** Errors first, then warnings (each in the kernel's order), then notes grouped by code. */
export function sortFindings(findings: readonly Finding[]): SortedFindings {
  const alerts = findings
    .filter((f) => f.severity !== 'info')
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
  const byCode = new Map<string, Finding[]>();
  for (const finding of findings) {
    if (finding.severity !== 'info') continue;
    byCode.set(finding.code, [...(byCode.get(finding.code) ?? []), finding]);
  }
  const notes = [...byCode].map(([code, members]) => ({
    code,
    title: `${members.length} ${members.length === 1 ? 'note' : 'notes'}: ${noteTopic(code)}`,
    findings: members
  }));
  return { alerts, notes };
}

/**
 * True when `finding` passes the panel's filter: the text matches its message or a parameter it
 * names, and (with a kind chosen) one of its parameters is of that module kind.
 */
export function findingMatches(
  finding: Finding,
  filter: RowFilter,
  kindOf: (name: string) => string | undefined
): boolean {
  if (filter.kind && !finding.params.some((name) => kindOf(name) === filter.kind)) return false;
  const text = filter.text.trim().toLowerCase();
  if (!text) return true;
  const names = finding.params.some((name) => name.toLowerCase().includes(text));
  return names || finding.message.toLowerCase().includes(text);
}

/** The most severe finding naming each parameter: drives how its row is marked. */
export function severityByParam(findings: readonly Finding[]): Map<string, FindingSeverity> {
  const worst = new Map<string, FindingSeverity>();
  for (const finding of findings) {
    for (const name of finding.params) {
      const known = worst.get(name);
      if (!known || SEVERITY_RANK[finding.severity] < SEVERITY_RANK[known]) worst.set(name, finding.severity);
    }
  }
  return worst;
}

/** Counts for an entry's summary line. */
export interface EntryTotals {
  errors: number;
  warnings: number;
  notes: number;
  decayed: { tensors: number; values: number };
  notDecayed: { tensors: number; values: number };
}

/** Finding counts and the tensors and values with and without weight decay. */
export function entryTotals(entry: SnapshotEntry): EntryTotals {
  const count = (severity: FindingSeverity) => entry.findings.filter((f) => f.severity === severity).length;
  const totals: EntryTotals = {
    errors: count('error'),
    warnings: count('warning'),
    notes: count('info'),
    decayed: { tensors: 0, values: 0 },
    notDecayed: { tensors: 0, values: 0 }
  };
  for (const group of entry.groups) {
    const decay = group.hyperparameters.weightDecay;
    const side = typeof decay === 'number' && decay > 0 ? totals.decayed : totals.notDecayed;
    side.tensors += group.tensorCount;
    side.values += group.elementCount;
  }
  return totals;
}

/**
 * The `text/plain` fallback of a snapshot, so a notebook saved with inspector outputs stays
 * readable where the paramscope extension is not installed (GitHub, nbviewer, plain Jupyter).
 */
import type { HyperparameterValue, Snapshot, SnapshotEntry } from '@paramscope/protocol';

function formatValue(value: HyperparameterValue): string {
  if (Array.isArray(value)) return `(${value.join(', ')})`;
  return String(value);
}

function entryLines(entry: SnapshotEntry): string[] {
  const head = [entry.label, entry.optimizer, entry.step !== undefined ? `step ${entry.step}` : undefined]
    .filter(Boolean)
    .join(' · ');
  const lines = [
    `${head} — ${entry.model.name}: ${entry.model.tensorCount} tensors, ${entry.model.elementCount} values`
  ];
  if (entry.findings.length === 0) lines.push('  no findings');
  for (const finding of entry.findings)
    lines.push(`  ${finding.severity.toUpperCase()} [${finding.code}] ${finding.message}`);
  for (const group of entry.groups) {
    const hyper = Object.entries(group.hyperparameters)
      .map(([key, value]) => `${key}=${formatValue(value)}`)
      .join(', ');
    const label = group.label ? ` (${group.label})` : '';
    lines.push(`  group ${group.index}${label}: ${group.tensorCount} tensors, ${group.elementCount} values; ${hyper}`);
  }
  return lines;
}

/** A few lines per entry: title, findings, one line per group. */
export function snapshotText(snapshot: Snapshot, focus?: readonly string[]): string {
  const entries = focus ? snapshot.entries.filter((e) => focus.includes(e.id)) : snapshot.entries;
  const lines = [`paramscope snapshot #${snapshot.sequence}${snapshot.backend ? ` (${snapshot.backend})` : ''}`];
  if (entries.length === 0) lines.push('  nothing registered: call inspect(optimizer) or watch(optimizer)');
  for (const entry of entries) lines.push(...entryLines(entry));
  return lines.join('\n');
}

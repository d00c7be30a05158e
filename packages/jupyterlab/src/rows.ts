/**
 * Which member rows of a group the panel shows: the filter decides what matches, the page size
 * decides how many of the matches are rendered (so 10,000 tensors cost no more than a page).
 */
import type { GroupSnapshot, ParamSnapshot } from '@paramscope/protocol';

/** The panel's filter: free text over names and kinds, and one module kind (or all). */
export interface RowFilter {
  text: string;
  /** Exact module kind, or `''` for every kind. */
  kind: string;
}

/** True when `param` passes `filter` (text matches the name, an alias, the module path or kind). */
export function matchesFilter(param: ParamSnapshot, filter: RowFilter): boolean {
  if (filter.kind && param.moduleKind !== filter.kind) return false;
  const text = filter.text.trim().toLowerCase();
  if (!text) return true;
  if (param.name.toLowerCase().includes(text) || param.moduleKind.toLowerCase().includes(text)) return true;
  return (param.aliases ?? []).some((alias) => alias.toLowerCase().includes(text));
}

/** What the panel renders for one group. */
export interface GroupRows {
  /** Rows to render, in the group's order. */
  rows: ParamSnapshot[];
  /**
   * Each row's 1-based position among the members that pass the filter (`aria-posinset` of
   * `matched`); undefined for a revealed member the filter hides.
   */
  positions: Array<number | undefined>;
  /** Members that pass the filter. */
  matched: number;
  /** Members the filter hides. */
  hiddenByFilter: number;
  /** Matching members beyond the page (behind "show more"). */
  notShown: number;
}

/**
 * The rows of `group` to render: the first `limit` members that pass `filter`, plus `reveal`
 * (a member a finding links to) even when it lies beyond the page or the filter.
 */
export function groupRows(group: GroupSnapshot, filter: RowFilter, limit: number, reveal?: string): GroupRows {
  const rows: ParamSnapshot[] = [];
  const positions: Array<number | undefined> = [];
  let matched = 0;
  let revealed: ParamSnapshot | undefined;
  let revealedAt: number | undefined;
  for (const param of group.params) {
    const isRevealed = reveal !== undefined && param.name === reveal;
    if (matchesFilter(param, filter)) {
      matched += 1;
      if (rows.length < limit) {
        rows.push(param);
        positions.push(matched);
        continue;
      }
      if (isRevealed) revealedAt = matched;
    }
    if (isRevealed) revealed = param;
  }
  if (revealed) {
    rows.push(revealed);
    positions.push(revealedAt);
  }
  return {
    rows,
    positions,
    matched,
    hiddenByFilter: group.params.length - matched,
    notShown: Math.max(0, matched - limit)
  };
}

/** Every module kind in `groups`, sorted, for the kind filter. */
export function moduleKinds(groups: Iterable<GroupSnapshot>): string[] {
  const kinds = new Set<string>();
  for (const group of groups) for (const param of group.params) kinds.add(param.moduleKind);
  return [...kinds].sort();
}

/**
 * Side-by-side views of several groupings of one model (the document's recipes, the structural
 * default): per grouping the tensors and values with and without decay, and the parameters on
 * whose decay the groupings disagree.
 */
import { allNames, type ParamGroupLike, type ParamInfo, type ParamModel } from '@paramscope/core';
import { showTable, type TableCell } from './table';
import { NotebookError } from './errors';

/** Groupings of one model by display name (`6.1 name heuristic`, `structural default`, …). */
export type NamedGroupings = Record<string, readonly ParamGroupLike[]>;

/** Whether each parameter (by canonical name) gets decay in `groups`; parameters in no group are absent. */
export function decayByName(model: ParamModel, groups: readonly ParamGroupLike[]): Map<string, boolean> {
  const canonical = new Map<string, string>();
  for (const p of model.params) for (const name of allNames(p)) canonical.set(name, p.name);
  const decay = new Map<string, boolean>();
  groups.forEach((group, index) => {
    for (const member of group.params) {
      const name = 'name' in member && typeof member.name === 'string' ? canonical.get(member.name) : undefined;
      if (name === undefined)
        throw new NotebookError(
          `decayByName: group ${index} holds a parameter that model "${model.name}" does not name`
        );
      decay.set(name, (group.weightDecay ?? 0) > 0);
    }
  });
  return decay;
}

/** Per grouping: tensors and values with decay, without, and in no group. */
export function groupingCounts(model: ParamModel, groupings: NamedGroupings): TableCell[][] {
  return Object.entries(groupings).map(([label, groups]) => {
    const decay = decayByName(model, groups);
    const count = (pick: (p: ParamInfo) => boolean) => {
      const params = model.params.filter(pick);
      return [params.length, params.reduce((sum, p) => sum + p.size, 0)];
    };
    return [
      label,
      ...count((p) => decay.get(p.name) === true),
      ...count((p) => decay.get(p.name) === false),
      model.params.filter((p) => p.trainable && !decay.has(p.name)).length
    ];
  });
}

/**
 * The parameters whose decay differs between the groupings: name, module kind, then decay / – / absent
 * per grouping.
 */
export function groupingDisagreements(model: ParamModel, groupings: NamedGroupings): TableCell[][] {
  const maps = Object.values(groupings).map((groups) => decayByName(model, groups));
  return model.params
    .filter((p) => new Set(maps.map((m) => m.get(p.name))).size > 1)
    .map((p) => [
      p.name,
      p.moduleKind,
      ...maps.map((m) => (m.has(p.name) ? (m.get(p.name) ? 'decay' : '–') : 'in no group'))
    ]);
}

/**
 * Shows {@link groupingCounts} for every grouping and {@link groupingDisagreements} among
 * `disagreementsAmong` (default: all of them) as two tables.
 */
export function compareGroupings(
  model: ParamModel,
  groupings: NamedGroupings,
  disagreementsAmong: readonly string[] = Object.keys(groupings)
): void {
  const unknown = disagreementsAmong.filter((label) => !(label in groupings));
  if (unknown.length > 0)
    throw new NotebookError(`compareGroupings: no grouping named ${unknown.map((l) => `"${l}"`).join(', ')}`);
  showTable(
    [
      'grouping',
      'tensors with decay',
      'values with decay',
      'tensors without',
      'values without',
      'trainable tensors in no group'
    ],
    groupingCounts(model, groupings),
    `${model.name}: ${model.params.length} parameter tensors`
  );
  const compared = Object.fromEntries(disagreementsAmong.map((label) => [label, groupings[label]]));
  const disagreements = groupingDisagreements(model, compared);
  showTable(
    ['parameter', 'module kind', ...disagreementsAmong],
    disagreements,
    `${model.name}: ${disagreements.length} tensors on whose decay ${disagreementsAmong.join(', ')} disagree`
  );
}

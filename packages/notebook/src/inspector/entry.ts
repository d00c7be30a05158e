/**
 * Builds one snapshot entry (an optimizer or a grouping) from its description: groups, members,
 * hyperparameters, weight norms and, from the optimizer's last step, gradient norms and
 * effective learning rates.
 */
import type { ParamModel } from '@paramscope/core';
import type { GroupSnapshot, ParamSnapshot, SnapshotEntry, History, Finding } from '@paramscope/protocol';
import { describeGroups, isOptimizerLike, type InspectTarget, type MemberDescription, type TensorLike } from './describe';

/** What is known about an entry besides its target. */
export interface EntryContext {
  id: string;
  label: string;
  target: InspectTarget;
  model?: ParamModel;
  findings: Finding[];
  step?: number;
  history?: History;
  watched?: boolean;
}

type NormTensor = TensorLike & { norm?: () => { dataSync(): ArrayLike<number>; dispose(): void } };

/** ‖tensor‖₂, or undefined when the tensor cannot compute it (a description without values). */
export function weightNorm(tensor: TensorLike | undefined): number | null | undefined {
  const normOf = (tensor as NormTensor | undefined)?.norm;
  if (typeof normOf !== 'function') return undefined;
  const scalar = normOf.call(tensor);
  try {
    const value = scalar.dataSync()[0];
    return Number.isFinite(value) ? value : null;
  } finally {
    scalar.dispose();
  }
}

function finiteOrNull(value: number | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return Number.isFinite(value) ? value : null;
}

function memberSnapshot(member: MemberDescription, reason: string, withNorms: boolean): ParamSnapshot {
  const param: ParamSnapshot = {
    name: member.name,
    shape: member.shape,
    size: member.size,
    moduleKind: member.moduleKind,
    modulePath: member.modulePath,
    trainable: member.trainable,
    reason
  };
  if (member.aliases.length > 0) param.aliases = member.aliases;
  if (member.feedsNormalization !== undefined) param.scaleInvariant = member.feedsNormalization;
  if (member.normalizedBy) param.normalizedBy = member.normalizedBy;
  if (withNorms) {
    const norm = weightNorm(member.tensor);
    if (norm !== undefined) param.weightNorm = norm;
  }
  return param;
}

/**
 * The entry of a snapshot. `withNorms: false` skips reading tensor values (used to tell cheaply
 * whether anything but the values changed).
 */
export function buildEntry(context: EntryContext, withNorms = true): SnapshotEntry {
  const groups = describeGroups(context.target, context.model);
  const diagnostics = new Map<string, { gradNorm?: number; effectiveLr?: number }>();
  if (withNorms && isOptimizerLike(context.target) && typeof context.target.diagnostics === 'function') {
    for (const d of context.target.diagnostics()) diagnostics.set(`${d.groupIndex}\u0000${d.name}`, d);
  }
  const groupSnapshots: GroupSnapshot[] = groups.map((group) => {
    const defaultReason = `listed in group ${group.index}${group.label ? ` (${group.label})` : ''}`;
    const lr = group.hyperparameters.lr;
    const params = group.members.map((member) => {
      const param = memberSnapshot(member, group.reasons[member.name] ?? defaultReason, withNorms);
      const measured = diagnostics.get(`${group.index}\u0000${member.name}`);
      if (measured) {
        const gradNorm = finiteOrNull(measured.gradNorm);
        if (gradNorm !== undefined) param.gradNorm = gradNorm;
      }
      if (param.scaleInvariant) {
        // η/‖W‖²: the step a scale-invariant weight effectively takes (its gradient scales as 1/‖W‖).
        const measuredLr = finiteOrNull(measured?.effectiveLr);
        if (measuredLr !== undefined) param.effectiveLr = measuredLr;
        else if (typeof lr === 'number' && typeof param.weightNorm === 'number') {
          param.effectiveLr = param.weightNorm > 0 ? lr / param.weightNorm ** 2 : null;
        }
      }
      return param;
    });
    const snapshot: GroupSnapshot = {
      index: group.index,
      hyperparameters: group.hyperparameters,
      tensorCount: params.length,
      elementCount: params.reduce((sum, p) => sum + p.size, 0),
      params
    };
    if (group.label !== undefined) snapshot.label = group.label;
    return snapshot;
  });
  const all = groupSnapshots.flatMap((g) => g.params);
  const model = context.model
    ? { name: context.model.name, tensorCount: context.model.params.length, elementCount: context.model.params.reduce((s, p) => s + p.size, 0) }
    : { name: '(groups only)', tensorCount: new Set(all.map((p) => p.name)).size, elementCount: all.reduce((s, p) => s + p.size, 0) };
  const entry: SnapshotEntry = {
    id: context.id,
    label: context.label,
    source: isOptimizerLike(context.target) ? 'optimizer' : 'grouping',
    model,
    groups: groupSnapshots,
    findings: context.findings
  };
  if (isOptimizerLike(context.target)) entry.optimizer = optimizerName(context.target);
  if (context.step !== undefined) entry.step = context.step;
  if (context.history) entry.history = context.history;
  if (context.watched) entry.watched = true;
  return entry;
}

/** The optimizer's class name (`SGD`, `AdamW`, …). */
export function optimizerName(optimizer: object): string {
  const name = (optimizer.constructor as { name?: string } | undefined)?.name;
  return name && name !== 'Object' ? name : 'optimizer';
}

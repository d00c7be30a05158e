/**
 * Builds one snapshot entry (an optimizer or a grouping) from its description: groups, members,
 * hyperparameters, weight norms and, from the optimizer's last step, gradient norms and
 * effective learning rates.
 */
import type { ParamModel } from '@paramscope/core';
import * as tf from '@tensorflow/tfjs';
import type { GroupSnapshot, ParamSnapshot, SnapshotEntry, History, Finding } from '@paramscope/protocol';
import {
  describeGroups,
  isOptimizerLike,
  type InspectTarget,
  type MemberDescription,
  type TensorLike
} from './describe';

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

/** How {@link weightNorms} reads norms: all TF.js tensors in one batch, or one `norm()` each (the earlier way). */
export type NormReading = 'batched' | 'one-by-one';

/** Squared sums per stacked vector: one `tf.stack` (a concat) never takes more inputs than this. */
export const NORM_STACK_CHUNK = 1024;

/** ‖tensor‖₂ by the tensor's own `norm()`, or undefined when it has none (a description without values). */
export function weightNorm(tensor: TensorLike | undefined): number | null | undefined {
  const normOf = (tensor as NormTensor | undefined)?.norm;
  if (typeof normOf !== 'function') return undefined;
  const scalar = normOf.call(tensor);
  try {
    return finiteOrNull(scalar.dataSync()[0]);
  } finally {
    scalar.dispose();
  }
}

/** A float32 TF.js tensor of rank ≥ 1: what the batch measures (others keep their own `norm()`). */
function batchable(tensor: TensorLike | undefined): tensor is tf.Tensor {
  return tensor instanceof tf.Tensor && tensor.dtype === 'float32' && tensor.rank > 0;
}

/**
 * ‖W‖₂ of every tensor, in order: a number, `null` when not finite, `undefined` for a value that
 * has no data (a description). With `'batched'` (the default), float TF.js tensors are measured
 * together: inside one `tf.tidy`, each tensor's sum of squares over its flattened values (the
 * reduction `tensor.norm()` makes; its square is disposed at once), stacked into vectors of at
 * most {@link NORM_STACK_CHUNK}, one square root and one `dataSync` for all of them. A tensor
 * listed twice is measured once. Anything else with a `norm()` is asked one at a time.
 *
 * `x·x` is the correctly rounded square, as `pow(|x|, 2)` in `tensor.norm()` is on the cpu and
 * tensorflow backends, so the norms are the same there; on wasm, `pow` can be one ulp off for an
 * element, which can move a norm by an ulp.
 */
export function weightNorms(
  tensors: readonly (TensorLike | undefined)[],
  reading: NormReading = 'batched'
): Array<number | null | undefined> {
  const norms = new Array<number | null | undefined>(tensors.length);
  const batch: tf.Tensor[] = [];
  const slots = new Map<tf.Tensor, number>();
  const slotOf = new Array<number>(tensors.length).fill(-1);
  tensors.forEach((tensor, i) => {
    if (reading === 'batched' && batchable(tensor)) {
      let slot = slots.get(tensor);
      if (slot === undefined) {
        slot = batch.length;
        slots.set(tensor, slot);
        batch.push(tensor);
      }
      slotOf[i] = slot;
    } else {
      norms[i] = weightNorm(tensor);
    }
  });
  if (batch.length === 0) return norms;
  const roots = tf.tidy(() => {
    const chunks: tf.Tensor1D[] = [];
    for (let start = 0; start < batch.length; start += NORM_STACK_CHUNK) {
      const sums = batch
        .slice(start, start + NORM_STACK_CHUNK)
        .map((t) => tf.tidy(() => tf.sum(tf.square(tf.reshape(t, [-1])))));
      chunks.push(tf.stack(sums) as tf.Tensor1D);
    }
    return tf.sqrt(chunks.length === 1 ? chunks[0] : tf.concat(chunks));
  });
  let values: ArrayLike<number>;
  try {
    values = roots.dataSync();
  } finally {
    roots.dispose();
  }
  slotOf.forEach((slot, i) => {
    if (slot >= 0) norms[i] = finiteOrNull(values[slot]);
  });
  return norms;
}

function finiteOrNull(value: number): number | null;
function finiteOrNull(value: number | undefined): number | null | undefined;
function finiteOrNull(value: number | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  return Number.isFinite(value) ? value : null;
}

function memberSnapshot(member: MemberDescription, reason: string, norm: number | null | undefined): ParamSnapshot {
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
  if (norm !== undefined) param.weightNorm = norm;
  return param;
}

/**
 * The entry of a snapshot. `withNorms: false` skips reading tensor values (used to tell cheaply
 * whether anything but the values changed); otherwise the weight norms of all members are read
 * in one batch (see {@link weightNorms}).
 */
export function buildEntry(context: EntryContext, withNorms: boolean | NormReading = true): SnapshotEntry {
  const groups = describeGroups(context.target, context.model);
  const members = groups.flatMap((group) => group.members);
  const norms =
    withNorms === false
      ? []
      : weightNorms(
          members.map((m) => m.tensor),
          withNorms === true ? 'batched' : withNorms
        );
  const normOf = new Map<MemberDescription, number | null | undefined>(members.map((m, k) => [m, norms[k]]));
  const diagnostics = new Map<string, { gradNorm?: number; effectiveLr?: number }>();
  if (withNorms && isOptimizerLike(context.target) && typeof context.target.diagnostics === 'function') {
    for (const d of context.target.diagnostics()) diagnostics.set(`${d.groupIndex}\u0000${d.name}`, d);
  }
  const groupSnapshots: GroupSnapshot[] = groups.map((group) => {
    const defaultReason = `listed in group ${group.index}${group.label ? ` (${group.label})` : ''}`;
    const lr = group.hyperparameters.lr;
    const params = group.members.map((member) => {
      const param = memberSnapshot(member, group.reasons[member.name] ?? defaultReason, normOf.get(member));
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
    ? {
        name: context.model.name,
        tensorCount: context.model.params.length,
        elementCount: context.model.params.reduce((s, p) => s + p.size, 0)
      }
    : {
        name: '(groups only)',
        tensorCount: new Set(all.map((p) => p.name)).size,
        elementCount: all.reduce((s, p) => s + p.size, 0)
      };
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

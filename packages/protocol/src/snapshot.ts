/**
 * The snapshot schema, version 1: what the kernel publishes about the parameter groups it
 * knows, and what the inspector panel and the inline renderer read. Plain JSON: no tensors,
 * only names, shapes, hyperparameters and a few norms.
 */

/** The schema version this package reads and writes. */
export const SNAPSHOT_SCHEMA_VERSION = 1;

/** A hyperparameter value as it appears in a parameter group (e.g. `betas` is a pair). */
export type HyperparameterValue = number | boolean | string | null | number[];

/** One parameter tensor, as a member of a group. */
export interface ParamSnapshot {
  /** Dotted name, as PyTorch's `named_parameters()` spells it (e.g. `layer1.0.bn1.weight`). */
  name: string;
  /** Other names of the same tensor when it is tied or shared. */
  aliases?: string[];
  shape: number[];
  /** Number of elements (product of the shape). */
  size: number;
  /** Kind of the owning module (`BatchNorm2d`, `Conv2d`, `Linear`, …). */
  moduleKind: string;
  /** Dotted path of the owning module (`''` for the root). */
  modulePath: string;
  trainable: boolean;
  /** Why the parameter is in this group: the rule or recipe that placed it. */
  reason: string;
  /** True when the output is invariant to the scale of this tensor (it feeds a normalization). */
  scaleInvariant?: boolean;
  /** The normalization module this tensor feeds, when {@link ParamSnapshot.scaleInvariant} is true. */
  normalizedBy?: string;
  /** L2 norm of the values; `null` when it is not finite. */
  weightNorm?: number | null;
  /** L2 norm of the last gradient, when the optimizer recorded one; `null` when it is not finite. */
  gradNorm?: number | null;
  /** For scale-invariant weights: η/‖W‖² (`null` when ‖W‖ is zero or unknown). */
  effectiveLr?: number | null;
}

/** One parameter group: its hyperparameters and its members. */
export interface GroupSnapshot {
  index: number;
  /** Optional human label (e.g. `decay`, `no_decay`). */
  label?: string;
  hyperparameters: Record<string, HyperparameterValue>;
  tensorCount: number;
  elementCount: number;
  params: ParamSnapshot[];
}

/** Severity of a verification finding. */
export type FindingSeverity = 'error' | 'warning' | 'info';

/** One verification finding, naming the parameters and groups it is about. */
export interface Finding {
  severity: FindingSeverity;
  /** Stable machine-readable code, e.g. `norm-param-decayed`, `bias-decayed`, `duplicate`. */
  code: string;
  message: string;
  params: string[];
  groups: number[];
}

/** A series of values over optimizer steps (weight norms, effective learning rates). */
export interface HistorySeries {
  name: string;
  /** Group index, when the series is about a group or one of its members. */
  group?: number;
  /** One value per step; `null` where the value was not finite. */
  values: Array<number | null>;
}

/** Values recorded over the steps of a watched run. */
export interface History {
  steps: number[];
  series: HistorySeries[];
}

/** One optimizer or grouping the kernel has registered. */
export interface SnapshotEntry {
  /** Registry id, stable while the kernel lives. */
  id: string;
  label: string;
  source: 'optimizer' | 'grouping';
  /** Optimizer class (`SGD`, `Adam`, `AdamW`, `LARS`) when `source` is `optimizer`. */
  optimizer?: string;
  /** Optimizer steps taken so far. */
  step?: number;
  model: { name: string; tensorCount: number; elementCount: number };
  groups: GroupSnapshot[];
  findings: Finding[];
  /** Values recorded over the steps of a watched run. */
  history?: History;
  /** True for runs registered with `watch`: the kernel republishes the entry as steps are taken. */
  watched?: boolean;
}

/** A whole snapshot, the payload of {@link SNAPSHOT_MIME_TYPE}. */
export interface Snapshot {
  schemaVersion: typeof SNAPSHOT_SCHEMA_VERSION;
  /** Identifies one kernel process: a new value means the kernel restarted. */
  sessionId: string;
  /** Increases with every snapshot a session publishes; a reader keeps the highest. */
  sequence: number;
  /** ISO 8601 time of publication. */
  createdAt: string;
  /** The TF.js backend active in the kernel. */
  backend?: string;
  entries: SnapshotEntry[];
  /**
   * Ids of the entries this display is about (e.g. the optimizer a cell inspected). The inline
   * renderer shows only these; the panel shows every entry. Absent: all entries.
   */
  focus?: string[];
}

/**
 * The kernel-side registry of what the user inspects or watches. It publishes versioned
 * snapshots (the `@paramscope/protocol` schema) as display data: inline where `inspect` is
 * called, and as an in-place display update after each cell when something changed, which the
 * inspector panel picks up from the kernel's IOPub messages without touching execution counts.
 */
import { randomBytes } from 'node:crypto';
import { toParamModel, verifyParamGroups, type ModelSource, type ParamModel } from '@paramscope/core';
import {
  INSPECTOR_REGISTRY_KEY,
  SNAPSHOT_MIME_TYPE,
  SNAPSHOT_SCHEMA_VERSION,
  type Finding,
  type History,
  type InspectorRegistryHandle,
  type Snapshot,
  type SnapshotEntry
} from '@paramscope/protocol';
import { displayBundle, updateDisplay, type MimeBundle } from '../display';
import { isOptimizerLike, type InspectTarget } from './describe';
import { buildEntry, optimizerName, type NormReading } from './entry';
import { findingsFromReport, type ReportLike } from './findings';
import { snapshotText } from './text';
import { describeValue } from '@paramscope/protocol';
import { NotebookError } from '../errors';

/** Produces the findings of a group set. */
export type Verifier = (model: ModelSource | undefined, target: InspectTarget) => ReportLike;

/** Options of `inspect` (and `watch`). */
export interface InspectOptions {
  /**
   * The model the groups come from (an `nn` module, a `ParamModel` or a LayersModel). Its
   * parameters fill in module kinds and shapes, and verification needs it to find trainable
   * parameters that are in no group.
   */
  model?: ModelSource;
  /**
   * Name of the entry. An entry with the same label replaces the earlier one, so re-running a
   * cell updates its entry. Default: the optimizer's class and the model's name.
   */
  label?: string;
  /** How to verify the groups; `false` for no findings. Default: `verifyParamGroups` of `@paramscope/core`. */
  verify?: Verifier | false;
  /** Optimizer steps taken so far, when the registry does not count them (not watched). */
  step?: number;
}

/** One registered optimizer or grouping. */
export interface Registration {
  readonly id: string;
  label: string;
  target: InspectTarget;
  options: InspectOptions;
  /** `options.model` as a parameter model. */
  paramModel?: ParamModel;
  /** Steps counted by `watch`. */
  steps?: number;
  history?: History;
  watched?: boolean;
  /** Undoes what `watch` attached to the target (called when another target takes the entry over). */
  detach?: () => void;
}

/** The display id of the registry's panel-only updates, one per kernel session. */
function registryDisplayId(sessionId: string): string {
  return `paramscope-inspector-${sessionId}`;
}

function verificationFindings(registration: Registration): Finding[] {
  const { verify, model } = registration.options;
  if (verify === false) return [];
  try {
    if (verify) return findingsFromReport(verify(model, registration.target));
    if (model)
      return findingsFromReport(
        verifyParamGroups(model, registration.target as Parameters<typeof verifyParamGroups>[1])
      );
    return [
      {
        severity: 'info',
        code: 'no-model',
        message: 'Pass { model } to inspect() to verify these groups against the model.',
        params: [],
        groups: []
      }
    ];
  } catch (error) {
    return [
      {
        severity: 'error',
        code: 'verify-failed',
        message: `Verification failed: ${(error as Error).message}`,
        params: [],
        groups: []
      }
    ];
  }
}

/** The registry; one per kernel process (see {@link inspectorRegistry}). */
export class InspectorRegistry implements InspectorRegistryHandle {
  /** Identifies this kernel process: a new value tells the panel the kernel restarted. */
  readonly sessionId = randomBytes(6).toString('hex');
  /** Returns the active TF.js backend's name, for the snapshot header. */
  backend: () => string | undefined = () => undefined;
  /**
   * How snapshots read weight norms: `'batched'` (one TF.js batch and one read per entry), or
   * `'one-by-one'` (a `norm()` and a read per tensor, as before; kept for comparison in benchmarks).
   */
  normReading: NormReading = 'batched';

  private sequence = 0;
  private nextId = 1;
  private readonly registrations = new Map<string, Registration>();
  private lastPublishedKey: string | undefined;
  private readonly afterCellHooks = new Map<string, () => void>();

  /** Registers (or updates) an entry. The same target or the same label reuses the entry's id. */
  register(target: InspectTarget, options: InspectOptions = {}): Registration {
    if (!isOptimizerLike(target) && !Array.isArray(target)) {
      throw new NotebookError(
        'paramscope inspect: expected an optimizer (with paramGroups) or an array of parameter groups, ' +
          `got ${describeValue(target)}`
      );
    }
    const paramModel = options.model ? toParamModel(options.model) : undefined;
    const label = options.label ?? defaultLabel(target, paramModel);
    const existing = [...this.registrations.values()].find((r) => r.target === target || r.label === label);
    if (existing) {
      if (existing.target !== target) {
        existing.detach?.();
        existing.detach = undefined;
        this.afterCellHooks.delete(existing.id);
        existing.steps = undefined;
        existing.history = undefined;
        existing.watched = undefined;
      }
      Object.assign(existing, { label, target, options, paramModel });
      return existing;
    }
    const registration: Registration = { id: `entry-${this.nextId++}`, label, target, options, paramModel };
    this.registrations.set(registration.id, registration);
    return registration;
  }

  /** Removes an entry by id, label or target. Returns false if nothing matched. */
  unregister(key: string | InspectTarget): boolean {
    for (const registration of this.registrations.values()) {
      if (registration.id === key || registration.label === key || registration.target === key) {
        this.registrations.delete(registration.id);
        this.afterCellHooks.delete(registration.id);
        return true;
      }
    }
    return false;
  }

  /** Every registered entry, in registration order. */
  get entries(): readonly Registration[] {
    return [...this.registrations.values()];
  }

  /** Builds the entries; without norms, only what changes without tensor reads. */
  private buildEntries(withNorms: boolean): SnapshotEntry[] {
    return this.entries.map((registration) =>
      buildEntry(
        {
          id: registration.id,
          label: registration.label,
          target: registration.target,
          model: registration.paramModel,
          findings: verificationFindings(registration),
          step: registration.steps ?? registration.options.step,
          history: registration.history,
          watched: registration.watched
        },
        withNorms && this.normReading
      )
    );
  }

  /** A new snapshot of everything registered (each call takes the next sequence number). */
  snapshot(focus?: string[]): Snapshot {
    const snapshot: Snapshot = {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      sessionId: this.sessionId,
      sequence: ++this.sequence,
      createdAt: new Date().toISOString(),
      entries: this.buildEntries(true)
    };
    const backend = this.backend();
    if (backend) snapshot.backend = backend;
    if (focus) snapshot.focus = focus;
    return snapshot;
  }

  /** The MIME bundle of a snapshot: the JSON and its text fallback. */
  bundle(snapshot: Snapshot): MimeBundle {
    return { [SNAPSHOT_MIME_TYPE]: snapshot, 'text/plain': snapshotText(snapshot, snapshot.focus) };
  }

  /** Displays a snapshot about `focus` as an output of the running cell. */
  displayInline(focus: string[]): Snapshot {
    const snapshot = this.snapshot(focus);
    displayBundle(this.bundle(snapshot));
    this.lastPublishedKey = changeKeyOf(snapshot.entries);
    return snapshot;
  }

  /** Sends a snapshot to the panel only (an update of the registry's display id). */
  publishSnapshot(): void {
    const snapshot = this.snapshot();
    updateDisplay(this.bundle(snapshot), registryDisplayId(this.sessionId));
    this.lastPublishedKey = changeKeyOf(snapshot.entries);
  }

  /** Publishes to the panel if anything but tensor values changed since the last publication. */
  publishIfChanged(): boolean {
    if (this.changeKey() === this.lastPublishedKey) return false;
    this.publishSnapshot();
    return true;
  }

  /** Marks the last publication as current (after a watched run showed its own snapshot). */
  notePublished(): void {
    this.lastPublishedKey = this.changeKey();
  }

  /** Runs `hook` after each executed cell while entry `id` is registered. */
  onAfterCell(id: string, hook: () => void): void {
    this.afterCellHooks.set(id, hook);
  }

  /**
   * What the kernel does after each cell: watched runs show their last step, then the panel gets
   * a snapshot if anything changed. Never throws (a cell's result must not depend on it).
   */
  afterCell(): void {
    try {
      for (const hook of this.afterCellHooks.values()) hook();
      this.publishIfChanged();
    } catch (error) {
      console.error(`[paramscope] could not publish the inspector snapshot: ${(error as Error).message}`);
    }
  }

  private changeKey(): string {
    return changeKeyOf(this.buildEntries(false));
  }
}

/** Fields of a member that come from tensor values (and the optimizer's last step), not from the groups. */
const VALUE_FIELDS = new Set(['weightNorm', 'gradNorm', 'effectiveLr']);

/**
 * What a publication says apart from tensor values: the same for entries built with or without
 * norms, so a published snapshot gives its key without building its entries a second time.
 */
function changeKeyOf(entries: SnapshotEntry[]): string {
  return JSON.stringify(entries, (key, value: unknown) => (VALUE_FIELDS.has(key) ? undefined : value));
}

function defaultLabel(target: InspectTarget, model: ParamModel | undefined): string {
  const what = isOptimizerLike(target) ? optimizerName(target) : 'groups';
  return model ? `${what} on ${model.name}` : what;
}

/** The registry of this kernel process, shared by every copy of `@paramscope/notebook` loaded. */
export function inspectorRegistry(): InspectorRegistry {
  const global = globalThis as unknown as Record<symbol, InspectorRegistry | undefined>;
  const key = Symbol.for(INSPECTOR_REGISTRY_KEY);
  return (global[key] ??= new InspectorRegistry());
}

/**
 * The state of the inspector panel, independent of the DOM and of JupyterLab's services: which
 * notebook and kernel it follows, the snapshot it shows, why that snapshot may be stale or
 * unreadable, and the user's view choices (filter, collapsed groups, pages).
 */
import { Signal, type ISignal } from '@lumino/signaling';
import { validateSnapshot, type Snapshot, type ValidationIssue } from '@paramscope/protocol';
import type { RowFilter } from './rows';

/** What the panel knows about the active notebook's kernel. */
export type KernelState = 'no-notebook' | 'no-kernel' | 'starting' | 'idle' | 'busy' | 'restarting' | 'dead';

/** Whether the kernel has `@paramscope/notebook` loaded, as far as the panel can tell. */
export type LoadState = 'unknown' | 'loaded' | 'not-loaded';

/** Where a snapshot came from. */
export type SnapshotOrigin = 'kernel' | 'saved-output';

/** The user's settings (see `schema/inspector.json`). */
export interface InspectorSettings {
  /** Show snapshots as they arrive; otherwise hold them until the user refreshes. */
  autoRefresh: boolean;
  /** Member rows per group before a "show more" button. */
  rowsBeforeShowMore: number;
  /** Draw the weight-norm chart of watched runs. */
  showChart: boolean;
}

export const DEFAULT_SETTINGS: InspectorSettings = { autoRefresh: true, rowsBeforeShowMore: 50, showChart: true };

/** A snapshot the panel could not read, with every reason. */
export interface SnapshotError {
  origin: SnapshotOrigin;
  issues: ValidationIssue[];
}

/** The line at the top of the panel: what the user is looking at and what to do. */
export interface Headline {
  level: 'info' | 'warning' | 'error';
  text: string;
}

/** What {@link InspectorModel.receive} did with a value. */
export type ReceiveResult = 'shown' | 'pending' | 'older' | 'invalid';

/** Key of a group in view state: entry id and group index. */
export function groupKey(entryId: string, groupIndex: number): string {
  return `${entryId}\u0000${groupIndex}`;
}

/** Key of an optimizer or grouping (an entry) in view state; never equal to a {@link groupKey}. */
export function entryKey(entryId: string): string {
  return `${entryId}\u0000`;
}

/** The panel's state; `changed` fires after every mutation. */
export class InspectorModel {
  notebookName: string | undefined;
  kernelState: KernelState = 'no-notebook';
  /** The kernel's language (`python`, `typescript`, …), once its `kernel_info` reply is in. */
  kernelLanguage: string | undefined;
  loadState: LoadState = 'unknown';
  /** True once the kernel answered a request since the panel connected (it is up and running code). */
  kernelHasRun = false;
  snapshot: Snapshot | undefined;
  origin: SnapshotOrigin | undefined;
  /** Why the shown snapshot no longer describes the kernel (e.g. it restarted). */
  staleReason: string | undefined;
  /**
   * Registry sessions of kernel processes that are gone (restarted, died, shut down): a late
   * snapshot of theirs must not make stale data look live again.
   */
  private readonly endedSessions = new Set<string>();
  error: SnapshotError | undefined;
  /** A snapshot that arrived while auto-refresh was off. */
  pending: Snapshot | undefined;
  /** `performance.now()` when the shown snapshot's message arrived (for render timing). */
  receivedAt: number | undefined;
  filter: RowFilter = { text: '', kind: '' };
  /** Collapsed groups and entries, by {@link groupKey} and {@link entryKey}. */
  readonly collapsed = new Set<string>();
  /** Note groups the user expanded, by entry id and finding code (see {@link groupKey}). */
  readonly expandedNotes = new Set<string>();
  /** Extra pages opened with "show more", by group key. */
  readonly pages = new Map<string, number>();
  /** A member a finding asked to show: entry id and parameter name. */
  revealed: { entryId: string; name: string } | undefined;
  settings: InspectorSettings = { ...DEFAULT_SETTINGS };

  private readonly changedSignal = new Signal<this, void>(this);

  /** Fires after every change of state. */
  get changed(): ISignal<this, void> {
    return this.changedSignal;
  }

  /** Follows another notebook (or none): everything about the previous one is dropped. */
  setNotebook(name: string | undefined): void {
    this.notebookName = name;
    this.kernelState = name === undefined ? 'no-notebook' : 'no-kernel';
    this.kernelLanguage = undefined;
    this.loadState = 'unknown';
    this.kernelHasRun = false;
    this.snapshot = this.pending = this.error = this.staleReason = this.origin = this.revealed = undefined;
    this.endedSessions.clear();
    this.collapsed.clear();
    this.expandedNotes.clear();
    this.pages.clear();
    this.emit();
  }

  setKernelState(state: KernelState): void {
    if (state === this.kernelState) return;
    this.kernelState = state;
    this.emit();
  }

  setKernelLanguage(language: string | undefined): void {
    if (language === this.kernelLanguage) return;
    this.kernelLanguage = language;
    this.emit();
  }

  /** The kernel finished a request: it is running, so silence from paramscope means something. */
  noteKernelRan(): void {
    if (this.kernelHasRun) return;
    this.kernelHasRun = true;
    this.emit();
  }

  /**
   * Takes a snapshot payload (object or JSON text). Invalid payloads are kept as an error with
   * their reasons and never replace a good snapshot; older snapshots of the same kernel session
   * are ignored; with auto-refresh off, kernel snapshots wait in {@link pending}.
   */
  receive(value: unknown, origin: SnapshotOrigin, receivedAt: number): ReceiveResult {
    const result = validateSnapshot(value);
    if (!result.ok) {
      this.error = { origin, issues: result.issues };
      if (origin === 'kernel') this.loadState = 'loaded';
      this.emit();
      return 'invalid';
    }
    const snapshot = result.snapshot;
    if (origin === 'kernel' && this.endedSessions.has(snapshot.sessionId)) return 'older';
    const current = this.pending ?? this.snapshot;
    if (
      current &&
      this.staleReason === undefined &&
      current.sessionId === snapshot.sessionId &&
      current.sequence > snapshot.sequence
    ) {
      return 'older';
    }
    this.error = undefined;
    if (origin === 'kernel') this.loadState = 'loaded';
    if (origin === 'kernel' && !this.settings.autoRefresh && this.snapshot) {
      this.pending = snapshot;
      this.emit();
      return 'pending';
    }
    this.show(snapshot, origin, receivedAt);
    return 'shown';
  }

  /** Shows the snapshot that waited while auto-refresh was off. Returns false if there was none. */
  applyPending(receivedAt: number): boolean {
    if (!this.pending) return false;
    this.show(this.pending, 'kernel', receivedAt);
    return true;
  }

  /**
   * The shown data no longer describes the kernel (restart, shutdown, other kernel). With
   * `processEnded`, the kernel process that sent it is gone, so snapshots of its registry session
   * that still arrive are ignored: only a new session's snapshot makes the panel live again.
   */
  markStale(reason: string, options: { processEnded?: boolean } = {}): void {
    if (options.processEnded) {
      for (const s of [this.snapshot, this.pending]) if (s) this.endedSessions.add(s.sessionId);
    }
    this.loadState = 'unknown';
    this.kernelHasRun = false;
    this.pending = undefined;
    if (this.snapshot) this.staleReason = reason;
    this.emit();
  }

  /** The refresh request found no paramscope registry in the kernel. */
  markNotLoaded(): void {
    this.loadState = 'not-loaded';
    this.emit();
  }

  setFilter(filter: Partial<RowFilter>): void {
    this.filter = { ...this.filter, ...filter };
    this.revealed = undefined;
    this.emit();
  }

  /** Collapses or expands a group ({@link groupKey}) or an entry ({@link entryKey}). */
  toggleGroup(key: string): void {
    if (!this.collapsed.delete(key)) this.collapsed.add(key);
    this.emit();
  }

  /** Expands or folds the notes of one finding code in an entry. */
  toggleNotes(entryId: string, code: string): void {
    const key = `${entryId}\u0000${code}`;
    if (!this.expandedNotes.delete(key)) this.expandedNotes.add(key);
    this.emit();
  }

  /** Opens one more page of rows in a group. */
  showMore(key: string): void {
    this.pages.set(key, (this.pages.get(key) ?? 0) + 1);
    this.emit();
  }

  /** Rows a group shows before its "show more" button. */
  rowLimit(key: string): number {
    return this.settings.rowsBeforeShowMore * (1 + (this.pages.get(key) ?? 0));
  }

  /** Brings a member into view: expands its entry and every group of the entry that holds it. */
  reveal(entryId: string, name: string): void {
    const entry = this.snapshot?.entries.find((e) => e.id === entryId);
    this.collapsed.delete(entryKey(entryId));
    for (const group of entry?.groups ?? []) {
      if (group.params.some((p) => p.name === name)) this.collapsed.delete(groupKey(entryId, group.index));
    }
    this.revealed = { entryId, name };
    this.emit();
  }

  updateSettings(settings: Partial<InspectorSettings>): void {
    this.settings = { ...this.settings, ...settings };
    if (this.settings.autoRefresh && this.pending) this.show(this.pending, 'kernel', performance.now());
    else this.emit();
  }

  /** What the panel says at the top, from the most to the least important state. */
  headline(): Headline {
    switch (this.kernelState) {
      case 'no-notebook':
        return { level: 'info', text: 'No notebook: open or select a notebook to inspect its parameter groups.' };
      case 'no-kernel':
        return this.snapshot
          ? { level: 'warning', text: 'No kernel: showing the snapshot saved in the notebook.' }
          : { level: 'info', text: 'This notebook has no kernel. Start one to inspect parameter groups.' };
      case 'restarting':
        return { level: 'warning', text: 'Kernel restarting: the data below is stale.' };
      case 'dead':
        return { level: 'error', text: 'Kernel is dead: the data below is stale.' };
      default:
        break;
    }
    const notLoaded =
      this.kernelLanguage === 'python'
        ? 'paramscope is not loaded in this kernel: run `import paramscope` and `paramscope.inspect(optimizer, model)`.'
        : "paramscope is not loaded in this kernel: run `import { inspect } from '@paramscope/notebook'` and " +
          '`inspect(optimizer)`.';
    const rerun =
      this.kernelLanguage === 'python'
        ? 'Re-run the cells that call paramscope.inspect().'
        : 'Re-run the cells that call inspect() or watch().';
    if (this.staleReason) {
      const next = this.loadState === 'not-loaded' ? notLoaded : rerun;
      return { level: 'warning', text: `Stale: ${this.staleReason}. ${next}` };
    }
    if (this.loadState === 'not-loaded') return { level: 'warning', text: notLoaded };
    const busy = this.kernelState === 'busy' ? 'Kernel busy. ' : '';
    if (this.snapshot && this.origin === 'saved-output' && this.loadState !== 'loaded') {
      return {
        level: 'info',
        text: `${busy}Showing the snapshot saved in the notebook's outputs; run the notebook for live data.`
      };
    }
    if (this.snapshot) {
      const s = this.snapshot;
      const when = new Date(s.createdAt);
      const time = Number.isNaN(when.getTime()) ? s.createdAt : when.toLocaleTimeString();
      const title = `${busy}Snapshot #${s.sequence}${s.backend ? ` (${s.backend})` : ''} at ${time}`;
      // After a restart where only the imports ran, the registry is empty: say what to run.
      if (s.entries.length === 0) {
        return { level: 'info', text: `${title}: nothing inspected yet. ${rerun.replace('Re-run', 'Run')}` };
      }
      return { level: 'info', text: `${title}.` };
    }
    if (this.kernelState === 'starting') return { level: 'info', text: 'Kernel starting…' };
    if (busy) return { level: 'info', text: 'Kernel busy: waiting for a snapshot.' };
    if (this.loadState === 'loaded') {
      return {
        level: 'info',
        text: 'paramscope is loaded; nothing inspected yet. Call inspect(optimizer) or watch(optimizer).'
      };
    }
    return this.kernelHasRun
      ? {
          level: 'info',
          text:
            'No snapshot from this kernel yet: paramscope may not be loaded. ' +
            'Call inspect(optimizer), or press Refresh to ask the kernel.'
        }
      : { level: 'info', text: 'Waiting for a snapshot: run a cell that calls inspect(optimizer).' };
  }

  private show(snapshot: Snapshot, origin: SnapshotOrigin, receivedAt: number): void {
    const sessionChanged = this.snapshot?.sessionId !== snapshot.sessionId;
    this.snapshot = snapshot;
    this.origin = origin;
    this.pending = undefined;
    this.receivedAt = receivedAt;
    if (origin === 'kernel') this.staleReason = undefined;
    if (sessionChanged) this.revealed = undefined;
    this.emit();
  }

  private emit(): void {
    this.changedSignal.emit();
  }
}

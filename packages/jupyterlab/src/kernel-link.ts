/**
 * Connects the inspector model to the active notebook: reads the snapshots saved in its outputs,
 * listens to its kernel's IOPub messages for new ones, tracks the kernel's state (busy,
 * restarted, gone) and sends the one refresh request the user may ask for.
 *
 * The kernel status alone is unreliable with tslab (JupyterLab may show it as "unknown" for a
 * while after a restart), so "busy" is tracked from the notebook's own execute requests and
 * their replies (the `anyMessage` signal), with the kernel status as a fallback.
 *
 * A restart (JupyterLab's command, an auto-restart by the server, or a restart from another
 * client) shows first as the status "restarting" or "autorestarting": from then on the data is
 * stale, and snapshots of the old kernel's registry session that still arrive are ignored. The
 * panel says "restarting" until JupyterLab's restart is over (the status moves on) or the kernel
 * answers a request sent since the restart, whichever comes first, and shows live data again
 * with the first snapshot of the new kernel.
 *
 * Python kernels (ipykernel) publish the same snapshots (`paramscope.inspect`); the refresh
 * request is written in the kernel's language, read from its `kernel_info` reply, and ipykernel's
 * status messages say busy and idle like any kernel's.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { IDisposable } from '@lumino/disposable';
import { NOT_LOADED_MARKER, refreshCodeFor, SNAPSHOT_MIME_TYPE, validateSnapshot } from '@paramscope/protocol';
import type { InspectorModel, KernelState } from './panel-model';

const DISPLAY_TYPES = new Set(['display_data', 'update_display_data', 'execute_result']);

/** Replies and outputs: after a restart, one of these for a request sent since means the kernel is back. */
const ANSWERS = new Set(['kernel_info_reply', 'execute_reply', 'stream', 'display_data', 'update_display_data']);

/** The snapshot payload of an IOPub message, if it carries one. */
export function snapshotPayload(msg: KernelMessage.IMessage): unknown {
  if (!DISPLAY_TYPES.has(msg.header.msg_type)) return undefined;
  const data = (msg.content as { data?: Record<string, unknown> }).data;
  return data?.[SNAPSHOT_MIME_TYPE];
}

/** Every snapshot payload in the saved outputs of a notebook, in document order. */
export function savedSnapshotPayloads(panel: NotebookPanel): unknown[] {
  const payloads: unknown[] = [];
  const cells = panel.content.model?.cells;
  if (!cells) return payloads;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i);
    if (cell.type !== 'code') continue;
    const outputs = (
      cell as unknown as { outputs: { length: number; get(index: number): { data: Record<string, unknown> } } }
    ).outputs;
    for (let k = 0; k < outputs.length; k++) {
      const payload = outputs.get(k).data[SNAPSHOT_MIME_TYPE];
      if (payload !== undefined) payloads.push(payload);
    }
  }
  return payloads;
}

/** The newest readable payload (by `createdAt`), else the last unreadable one, else undefined. */
export function pickSavedPayload(payloads: readonly unknown[]): unknown {
  let best: { createdAt: string; payload: unknown } | undefined;
  for (const payload of payloads) {
    const result = validateSnapshot(payload);
    if (result.ok && (!best || result.snapshot.createdAt >= best.createdAt)) {
      best = { createdAt: result.snapshot.createdAt, payload };
    }
  }
  return best ? best.payload : payloads[payloads.length - 1];
}

/** Follows the active notebook of a tracker and feeds its kernel's snapshots to a model. */
export class KernelLink implements IDisposable {
  private panel: NotebookPanel | null = null;
  private kernel: Kernel.IKernelConnection | null = null;
  /** The bound kernel's language (`language_info.name` of its `kernel_info` reply), once known. */
  private language: Promise<string | undefined> = Promise.resolve(undefined);
  private readonly running = new Set<string>();
  /**
   * While a restart is under way: the ids of the requests sent since it began (null otherwise).
   * An answer to one of them ends the restart even if JupyterLab still reports "restarting".
   */
  private sentSinceRestart: Set<string> | null = null;
  private disposed = false;

  constructor(
    private readonly model: InspectorModel,
    tracker?: INotebookTracker
  ) {
    if (tracker) {
      tracker.currentChanged.connect((_, panel) => this.follow(panel), this);
      this.follow(tracker.currentWidget);
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.follow(null);
  }

  /** Starts following `panel` (or nothing). */
  follow(panel: NotebookPanel | null): void {
    if (panel === this.panel && panel !== null) return;
    if (this.panel) {
      const context = this.panel.sessionContext;
      context.iopubMessage.disconnect(this.onIOPub, this);
      context.statusChanged.disconnect(this.onStatus, this);
      context.kernelChanged.disconnect(this.onKernelChanged, this);
      this.panel.disposed.disconnect(this.onPanelDisposed, this);
    }
    this.bindKernel(null);
    this.panel = panel;
    this.model.setNotebook(panel ? panel.title.label || panel.context.path : undefined);
    if (!panel) return;
    const context = panel.sessionContext;
    context.iopubMessage.connect(this.onIOPub, this);
    context.statusChanged.connect(this.onStatus, this);
    context.kernelChanged.connect(this.onKernelChanged, this);
    panel.disposed.connect(this.onPanelDisposed, this);
    this.bindKernel(context.session?.kernel ?? null);
    void panel.context.ready.then(() => {
      if (this.panel === panel && !this.model.snapshot) this.readSavedOutputs(panel);
    });
  }

  /** Shows the newest snapshot saved in the notebook's outputs. */
  readSavedOutputs(panel: NotebookPanel): void {
    const payload = pickSavedPayload(savedSnapshotPayloads(panel));
    if (payload !== undefined) this.model.receive(payload, 'saved-output', performance.now());
  }

  /**
   * Shows a snapshot held back while auto-refresh was off, or asks the kernel for a fresh one:
   * one short, silent execute request without history in the kernel's language (tslab bumps its
   * execution count all the same; ipykernel honours `silent`).
   */
  async refresh(): Promise<void> {
    if (this.model.applyPending(performance.now())) return;
    const kernel = this.kernel;
    if (!kernel) return;
    const language = await this.language;
    if (kernel !== this.kernel) return;
    const future = kernel.requestExecute(
      { code: refreshCodeFor(language), silent: true, store_history: false, allow_stdin: false, stop_on_error: false },
      true
    );
    future.onIOPub = (msg) => {
      if (
        msg.header.msg_type === 'stream' &&
        String((msg.content as { text?: string }).text).includes(NOT_LOADED_MARKER)
      ) {
        this.model.markNotLoaded();
      }
    };
    await future.done;
  }

  private bindKernel(kernel: Kernel.IKernelConnection | null): void {
    this.kernel?.anyMessage.disconnect(this.onAnyMessage, this);
    this.kernel = kernel;
    this.running.clear();
    this.sentSinceRestart = null;
    this.language = kernelLanguage(kernel);
    void this.language.then((language) => {
      if (this.kernel === kernel) this.model.setKernelLanguage(language);
    });
    if (kernel) kernel.anyMessage.connect(this.onAnyMessage, this);
    this.updateKernelState(kernel?.status ?? 'unknown');
  }

  private onIOPub(_: ISessionContext, msg: KernelMessage.IMessage): void {
    const arrivedAt = performance.now();
    const payload = snapshotPayload(msg);
    if (payload !== undefined) this.model.receive(payload, 'kernel', arrivedAt);
  }

  private onAnyMessage(_: Kernel.IKernelConnection, args: Kernel.IAnyMessageArgs): void {
    const { msg, direction } = args;
    const parentId = (msg.parent_header as { msg_id?: string } | undefined)?.msg_id ?? '';
    if (this.sentSinceRestart) {
      if (direction === 'send') {
        this.sentSinceRestart.add(msg.header.msg_id);
      } else if (ANSWERS.has(msg.header.msg_type) && this.sentSinceRestart.has(parentId)) {
        this.sentSinceRestart = null;
        this.updateKernelState(this.kernel?.status ?? 'unknown');
      }
    }
    if (direction === 'send' && msg.header.msg_type === 'execute_request') {
      this.running.add(msg.header.msg_id);
    } else if (direction === 'recv' && msg.header.msg_type === 'execute_reply') {
      this.running.delete(parentId);
      this.model.noteKernelRan();
    } else if (
      direction === 'recv' &&
      msg.header.msg_type === 'kernel_info_reply' &&
      this.model.kernelState === 'starting'
    ) {
      // The status may not say "idle" yet: a kernel_info reply is the sign that it is up.
      this.updateKernelState('idle');
      return;
    } else {
      return;
    }
    this.updateKernelState(this.kernel?.status ?? 'unknown');
  }

  private onStatus(_: ISessionContext, status: Kernel.Status): void {
    if (isRestarting(status)) {
      // Both the session context and the kernel report the start of one restart: mark it once.
      if (!this.sentSinceRestart) {
        this.running.clear();
        this.sentSinceRestart = new Set();
        this.model.markStale('the kernel restarted', { processEnded: true });
      }
    } else {
      // JupyterLab's restart is over (or failed): the status tells from here on.
      this.sentSinceRestart = null;
      if (status === 'dead') {
        this.running.clear();
        this.model.markStale('the kernel died', { processEnded: true });
      }
    }
    this.updateKernelState(status);
  }

  private onKernelChanged(
    _: ISessionContext,
    change: { oldValue: Kernel.IKernelConnection | null; newValue: Kernel.IKernelConnection | null }
  ): void {
    // The session context also reports its own restart as a kernel change to the same connection.
    if (change.newValue === this.kernel) {
      this.updateKernelState(this.kernel?.status ?? 'unknown');
      return;
    }
    if (change.oldValue && change.newValue !== change.oldValue) {
      if (change.newValue) this.model.markStale('the notebook switched to another kernel');
      else this.model.markStale('the kernel was shut down', { processEnded: true });
    }
    this.bindKernel(change.newValue);
  }

  private onPanelDisposed(): void {
    this.follow(null);
  }

  private updateKernelState(status: Kernel.Status): void {
    if (!this.panel) return;
    let state: KernelState;
    if (!this.kernel) state = 'no-kernel';
    else if (isRestarting(status) && this.sentSinceRestart) state = 'restarting';
    else if (status === 'dead') state = 'dead';
    else if (this.running.size > 0 || status === 'busy') state = 'busy';
    else if (status === 'starting' && !this.model.kernelHasRun && this.model.kernelState !== 'idle') state = 'starting';
    else state = 'idle';
    this.model.setKernelState(state);
  }
}

/** The kernel's language from its `kernel_info` reply; undefined when there is none. */
async function kernelLanguage(kernel: Kernel.IKernelConnection | null): Promise<string | undefined> {
  try {
    const info = await kernel?.info;
    return info?.language_info.name?.toLowerCase();
  } catch {
    return undefined;
  }
}

function isRestarting(status: Kernel.Status): boolean {
  return status === 'restarting' || status === 'autorestarting';
}

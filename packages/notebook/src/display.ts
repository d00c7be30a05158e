/**
 * Sending rich output from a tslab cell. tslab's public `display.raw` sends one MIME type per
 * output; a bundle (a JSON payload plus its text fallback) needs the writer tslab keeps for the
 * running request (reached through the seam `tslab-internals`).
 */
import { randomBytes } from 'node:crypto';
import { currentDisplayWriter, tslabJupyter } from './tslab-internals';
import { NotebookError } from './errors';

/** A MIME bundle: MIME type → payload (JSON-able objects for `+json` types, strings otherwise). */
export type MimeBundle = Record<string, unknown>;

/** Where display data goes; tests and non-tslab hosts can install their own. */
export interface DisplaySink {
  write(bundle: MimeBundle, displayId: string | undefined, update: boolean): void;
}

let customSink: DisplaySink | undefined;

/** Routes all displays to `sink` (pass `undefined` to go back to tslab). Returns the previous sink. */
export function setDisplaySink(sink: DisplaySink | undefined): DisplaySink | undefined {
  const previous = customSink;
  customSink = sink;
  return previous;
}

/**
 * Sends that found tslab's IOPub socket busy, oldest first. zeromq allows one send in flight per
 * socket: after 512 sends completed synchronously, the next one completes only when the event
 * loop runs, and until then every send throws EBUSY. A long synchronous stretch of a cell (a
 * training loop updating a progress bar) hits that, so those sends wait here for the event loop
 * instead of failing the cell; later ones queue behind them to keep the order.
 */
const waiting: Array<() => void> = [];

const isBusy = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'EBUSY';

function sendWhenFree(send: () => void): void {
  if (waiting.length === 0) {
    try {
      send();
      return;
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
  }
  waiting.push(send);
  if (waiting.length === 1) setTimeout(flushWaiting, 1);
}

function flushWaiting(): void {
  while (waiting.length > 0) {
    try {
      waiting[0]();
    } catch (error) {
      if (isBusy(error)) {
        setTimeout(flushWaiting, 1);
        return;
      }
      console.error('@paramscope/notebook: a display could not be sent:', error);
    }
    waiting.shift();
  }
}

function tslabSink(): DisplaySink {
  tslabJupyter(); // throws at once when tslab is absent or changed
  return {
    write(bundle, displayId, update) {
      const write = currentDisplayWriter();
      if (!write) throw new NotebookError('@paramscope/notebook: display is only available while a tslab cell runs');
      // The writer of the running request, kept for a send that has to wait.
      sendWhenFree(() =>
        write({ data: bundle, metadata: {}, transient: displayId ? { display_id: displayId } : {} }, update)
      );
    }
  };
}

function sink(): DisplaySink {
  return customSink ?? tslabSink();
}

/** Displays `bundle` as a new output of the running cell. */
export function displayBundle(bundle: MimeBundle): void {
  sink().write(bundle, undefined, false);
}

/**
 * Sends an update of display `displayId` without creating an output: outputs showing that id are
 * replaced, and listeners on the kernel's IOPub messages (the inspector panel) receive it.
 */
export function updateDisplay(bundle: MimeBundle, displayId: string): void {
  sink().write(bundle, displayId, true);
}

/**
 * One output that can be replaced in place (Jupyter's `display_id`): the first `show` creates it,
 * later calls update it instead of adding outputs, even from later cells.
 */
export class UpdatableDisplay {
  /** The Jupyter display id shared by the output and its updates. */
  readonly id: string;
  private shown = false;

  constructor(id: string = randomBytes(8).toString('hex')) {
    this.id = id;
  }

  /** Shows `bundle`: a new output the first time, an in-place update afterwards. */
  show(bundle: MimeBundle): void {
    sink().write(bundle, this.id, this.shown);
    this.shown = true;
  }

  /** Shows `bundle` as a new output in the running cell, even if shown before elsewhere. */
  showHere(bundle: MimeBundle): void {
    sink().write(bundle, this.id, false);
    this.shown = true;
  }
}

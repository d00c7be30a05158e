/**
 * The kernel side of the paramscope inspector: register optimizers and groupings, see them
 * inline and in JupyterLab's Parameter groups panel.
 *
 * @example
 * import { inspect, watch } from '@paramscope/notebook';
 * inspect(optimizer, { model });           // inline table with findings; the panel follows
 * const run = watch(optimizer, { model }); // weight norms over steps, one display updated in place
 */
import type { InspectTarget, OptimizerLike } from './describe';
import { inspectorRegistry, type InspectOptions } from './registry';
import { onCellExecuted } from './tslab-hook';
import { startWatch, type WatchHandle, type WatchOptions } from './watch';

export type { GroupLike, InspectTarget, MemberLike, OptimizerLike } from './describe';
export type { FindingLike, ReportLike } from './findings';
export {
  InspectorRegistry,
  inspectorRegistry,
  type InspectOptions,
  type Registration,
  type Verifier
} from './registry';
export { snapshotText } from './text';
export type { WatchHandle, WatchOptions } from './watch';

let connected = false;

/** The registry, with the after-cell publication installed once per kernel. */
function registry() {
  const shared = inspectorRegistry();
  if (!connected) {
    connected = true;
    shared.backend = activeBackend;
    onCellExecuted(() => shared.afterCell());
  }
  return shared;
}

/** The active TF.js backend's name, without initializing one if none is set yet. */
function activeBackend(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs') as { engine(): { backendName?: string } };
    return tf.engine().backendName ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * Registers an optimizer (anything with `paramGroups`) or a list of parameter groups and shows
 * it inline: groups, hyperparameters, members and verification findings. The Parameter groups
 * panel shows every registered entry and updates after each cell. Re-running the cell replaces
 * the entry (same label).
 */
export function inspect(target: InspectTarget, options: InspectOptions = {}): void {
  const shared = registry();
  const registration = shared.register(target, options);
  shared.displayInline([registration.id]);
}

/**
 * Like {@link inspect}, and records weight norms per group (and per `options.params`) after every
 * `options.every` optimizer steps; one display is updated in place while training runs.
 */
export function watch(optimizer: OptimizerLike, options: WatchOptions = {}): WatchHandle {
  return startWatch(registry(), optimizer, options);
}

/** Removes an entry (by id, label, or the optimizer or groups themselves). */
export function unregister(key: string | InspectTarget): boolean {
  const shared = registry();
  const removed = shared.unregister(key);
  if (removed) shared.publishSnapshot();
  return removed;
}

/** Publishes a snapshot to the panel now (what the panel's Refresh asks for). */
export function publishSnapshot(): void {
  registry().publishSnapshot();
}

// Loading the package is what tells the panel paramscope is here: install the registry now, so
// the panel's Refresh finds it and the first cell after loading publishes an (empty) snapshot.
registry();

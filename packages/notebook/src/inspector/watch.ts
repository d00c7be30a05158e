/**
 * Watched runs: the optimizer's `step` is wrapped so that every `every` steps the weight norms
 * of each group (and of chosen parameters) are recorded, and one display is updated in place
 * instead of adding an output per step.
 */
import type { History } from '@paramscope/protocol';
import { UpdatableDisplay } from '../display';
import { describeGroups, type OptimizerLike } from './describe';
import { weightNorms } from './entry';
import type { InspectOptions, InspectorRegistry, Registration } from './registry';
import { NotebookError } from '../errors';

/** Options of `watch`. */
export interface WatchOptions extends InspectOptions {
  /** Record norms every this many steps (default 1). */
  every?: number;
  /** Parameters to chart individually, by name (groups are always charted). */
  params?: string[];
  /** At most this many points per series; older points are thinned out (default 500). */
  maxPoints?: number;
  /** Minimum time between display updates during a run, in ms (default 250). */
  minIntervalMs?: number;
}

/** A watched run. */
export interface WatchHandle {
  /** The registry entry's id. */
  readonly id: string;
  /** Records the current norms and updates the display now. */
  flush(): void;
  /** Restores the optimizer's `step` and removes the entry from the registry. */
  stop(): void;
}

const WATCHED = Symbol.for('paramscope.inspector.watched');

type Steppable = OptimizerLike & { step: (...args: unknown[]) => unknown; [WATCHED]?: WatchHandle };

function groupSeriesName(index: number, label: string | undefined): string {
  return `group ${index}${label ? ` (${label})` : ''}`;
}

/** Records `‖W‖` per group (root of the summed squares) and per chosen parameter. */
function recordNorms(
  optimizer: OptimizerLike,
  registration: Registration,
  tracked: readonly string[],
  step: number
): void {
  const groups = describeGroups(optimizer, registration.paramModel);
  const norms = weightNorms(groups.flatMap((group) => group.members.map((member) => member.tensor)));
  let k = 0;
  const values = new Map<string, number | null>();
  for (const group of groups) {
    let squares = 0;
    for (const member of group.members) {
      const norm = norms[k++];
      if (typeof norm === 'number') squares += norm * norm;
      if (tracked.includes(member.name)) values.set(member.name, norm ?? null);
    }
    values.set(groupSeriesName(group.index, group.label), Number.isFinite(squares) ? Math.sqrt(squares) : null);
  }
  const history: History = registration.history ?? { steps: [], series: [] };
  const pointIndex = history.steps.length;
  history.steps.push(step);
  for (const [name, value] of values) {
    let series = history.series.find((s) => s.name === name);
    if (!series) {
      const group = groups.find(
        (g) => groupSeriesName(g.index, g.label) === name || g.members.some((m) => m.name === name)
      );
      series = { name, values: new Array(pointIndex).fill(null) };
      if (group) series.group = group.index;
      history.series.push(series);
    }
    series.values.push(value);
  }
  for (const series of history.series) while (series.values.length < history.steps.length) series.values.push(null);
  registration.history = history;
}

/** Keeps every other point when a series grows past `maxPoints`. */
function thin(history: History, maxPoints: number): boolean {
  if (history.steps.length <= maxPoints) return false;
  const keep = (_: unknown, k: number) => k % 2 === 0 || k === history.steps.length - 1;
  history.steps = history.steps.filter(keep);
  for (const series of history.series) series.values = series.values.filter(keep);
  return true;
}

/** Starts watching `optimizer`: see `watch` in the package's index. */
export function startWatch(registry: InspectorRegistry, optimizer: OptimizerLike, options: WatchOptions): WatchHandle {
  const steppable = optimizer as Steppable;
  if (typeof steppable.step !== 'function') {
    throw new NotebookError('paramscope watch: the optimizer has no step() method to follow');
  }
  steppable[WATCHED]?.stop();
  let every = Math.max(1, Math.floor(options.every ?? 1));
  const maxPoints = Math.max(8, options.maxPoints ?? 500);
  const minInterval = options.minIntervalMs ?? 250;
  const tracked = options.params ?? [];
  const registration = registry.register(optimizer, options);
  registration.watched = true;
  registration.steps = options.step ?? 0;
  registration.history = undefined;
  recordNorms(optimizer, registration, tracked, registration.steps);

  const display = new UpdatableDisplay();
  let lastShown = 0;
  let shownStep = -1;
  const show = () => {
    display.show(registry.bundle(registry.snapshot([registration.id])));
    registry.notePublished();
    lastShown = Date.now();
    shownStep = registration.steps ?? 0;
  };

  const originalStep = steppable.step;
  const wrapped = function (this: unknown, ...args: unknown[]) {
    const result = originalStep.apply(this, args);
    // core's optimizers return false for a skipped step (non-finite gradients).
    if (result === false) return result;
    registration.steps = (registration.steps ?? 0) + 1;
    if (registration.steps % every === 0) {
      recordNorms(optimizer, registration, tracked, registration.steps);
      if (registration.history && thin(registration.history, maxPoints)) every *= 2;
      if (Date.now() - lastShown >= minInterval) show();
    }
    return result;
  };
  steppable.step = wrapped;

  const handle: WatchHandle = {
    id: registration.id,
    flush() {
      if (registration.history?.steps.at(-1) !== registration.steps)
        recordNorms(optimizer, registration, tracked, registration.steps ?? 0);
      show();
    },
    stop() {
      detach();
      if (registration.detach === detach) registry.unregister(registration.id);
    }
  };
  const detach = () => {
    if (steppable.step === wrapped) steppable.step = originalStep;
    if (steppable[WATCHED] === handle) delete steppable[WATCHED];
  };
  registration.detach = detach;
  steppable[WATCHED] = handle;
  registry.onAfterCell(registration.id, () => {
    if (shownStep !== registration.steps && registry.entries.includes(registration)) handle.flush();
  });
  show();
  return handle;
}

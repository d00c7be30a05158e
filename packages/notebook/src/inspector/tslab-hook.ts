/**
 * Runs a callback after every cell tslab executes, before its reply is sent, so the inspector can
 * publish what changed without a request of its own (tslab bumps the execution count on every
 * request and answers no comms). Wraps tslab's request handler (through its seam,
 * `tslab-internals`) once per process.
 */
import { wrapExecuteHandler } from '../tslab-internals';

const HOOKS_KEY = Symbol.for('paramscope.inspector.afterCellHooks');

type HookStore = { callbacks: Set<() => void> };

/**
 * Calls `callback` after each executed cell. Returns false when tslab (or the internal it relies
 * on) is not there — then snapshots are only published by `inspect`, `watch` and refresh.
 */
export function onCellExecuted(callback: () => void): boolean {
  const global = globalThis as unknown as Record<symbol, HookStore | undefined>;
  let store = global[HOOKS_KEY];
  if (!store) {
    const created: HookStore = { callbacks: new Set() };
    const wrapped = wrapExecuteHandler(
      (original) =>
        async function (this: unknown, ...args: unknown[]) {
          try {
            return await original.apply(this, args);
          } finally {
            for (const hook of created.callbacks) hook();
          }
        }
    );
    if (!wrapped) return false;
    store = global[HOOKS_KEY] = created;
  }
  store.callbacks.add(callback);
  return true;
}

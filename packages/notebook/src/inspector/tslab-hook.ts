/**
 * Runs a callback after every cell tslab executes, before its reply is sent, so the inspector can
 * publish what changed without a request of its own (tslab bumps the execution count on every
 * request and answers no comms). Patches tslab's request handler once per process.
 */

type ExecuteImpl = (this: unknown, ...args: unknown[]) => Promise<unknown>;
interface HandlerPrototype {
  handleExecuteImpl?: ExecuteImpl;
}

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
    let proto: HandlerPrototype | undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      proto = require('tslab/dist/jupyter').JupyterHandlerImpl?.prototype;
    } catch {
      return false;
    }
    const original = proto?.handleExecuteImpl;
    if (!proto || typeof original !== 'function') return false;
    const created: HookStore = { callbacks: new Set() };
    proto.handleExecuteImpl = async function (this: unknown, ...args: unknown[]) {
      try {
        return await original.apply(this, args);
      } finally {
        for (const hook of created.callbacks) hook();
      }
    };
    store = global[HOOKS_KEY] = created;
  }
  store.callbacks.add(callback);
  return true;
}

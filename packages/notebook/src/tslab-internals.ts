/**
 * Seam onto tslab's private module `tslab/dist/jupyter`: `JupyterHandlerImpl.prototype.handleExecuteImpl`
 * (the handler of one execute request, wrapped to run code after each cell) and
 * `lastWriteDisplayData` (the display writer of the running request, for MIME bundles). Nothing
 * else in the package reaches them. tslab is optional: without it both report that it is absent.
 */
import { NotebookError } from './errors';

/** The version of tslab this seam was written for; package.json files pin exactly this one. */
export const TSLAB_WRITTEN_FOR = '1.0.22';

const SEAM = 'tslab-internals';

/** tslab's writer of display data for the running request. */
export type WriteDisplayData = (
  content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean
) => void;

/** tslab's handler of one execute request. */
export type ExecuteImpl = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** The part of `tslab/dist/jupyter` used here. */
export interface TslabJupyter {
  lastWriteDisplayData: WriteDisplayData | null;
  JupyterHandlerImpl: { prototype: { handleExecuteImpl: ExecuteImpl } };
}

/** Why `jupyter` is not the module this seam expects, or null when it is. */
export function tslabProblem(jupyter: unknown): string | null {
  const module = jupyter as Partial<TslabJupyter> | null;
  if (typeof module?.JupyterHandlerImpl?.prototype?.handleExecuteImpl !== 'function') {
    return 'tslab/dist/jupyter has no `JupyterHandlerImpl.prototype.handleExecuteImpl`';
  }
  if (!('lastWriteDisplayData' in module)) return 'tslab/dist/jupyter has no `lastWriteDisplayData`';
  return null;
}

/** The installed tslab's version, or undefined when tslab is not installed. */
export function installedTslabVersion(): string | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('tslab/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The message for a tslab whose internals changed, naming this seam and both versions. */
export function tslabProblemMessage(problem: string, installed = installedTslabVersion()): string {
  return (
    `@paramscope/notebook ${SEAM}: ${problem} in tslab ${installed ?? 'of unknown version'} ` +
    `(this seam was written for ${TSLAB_WRITTEN_FOR}; pin that version or update the seam)`
  );
}

type Loaded = { jupyter: TslabJupyter } | { absent: string } | { changed: string };

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded) return loaded;
  let jupyter: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    jupyter = require('tslab/dist/jupyter');
  } catch {
    return (loaded = { absent: 'this needs the tslab kernel (the "tslab" package was not found)' });
  }
  const problem = tslabProblem(jupyter);
  loaded = problem === null ? { jupyter: jupyter as TslabJupyter } : { changed: tslabProblemMessage(problem) };
  return loaded;
}

/**
 * tslab's module, checked. Throws when tslab is absent or its internals changed (the message
 * names this seam and the installed version).
 */
export function tslabJupyter(): TslabJupyter {
  const state = load();
  if ('jupyter' in state) return state.jupyter;
  throw new NotebookError('absent' in state ? `@paramscope/notebook: ${state.absent}` : state.changed);
}

/** The display writer of the request tslab is running, or null outside a cell. Throws as {@link tslabJupyter}. */
export function currentDisplayWriter(): WriteDisplayData | null {
  return tslabJupyter().lastWriteDisplayData;
}

/**
 * Wraps tslab's execute handler: `wrap` gets the current one and returns its replacement. Returns
 * false when tslab is absent, or changed (then a warning names this seam and the version).
 */
export function wrapExecuteHandler(wrap: (original: ExecuteImpl) => ExecuteImpl): boolean {
  const state = load();
  if (!('jupyter' in state)) {
    if ('changed' in state) {
      console.warn(`${state.changed}; inspector snapshots are published by inspect, watch and refresh only`);
    }
    return false;
  }
  const prototype = state.jupyter.JupyterHandlerImpl.prototype;
  prototype.handleExecuteImpl = wrap(prototype.handleExecuteImpl);
  return true;
}

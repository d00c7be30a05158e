/**
 * Seam onto the threaded WebAssembly build of `@tensorflow/tfjs-backend-wasm` in Node (private
 * files of that package). tfjs-backend-wasm loads that build only in browsers (tensorflow/tfjs#3830),
 * yet its Emscripten output runs on Node's worker threads; what it needs is a script file for them.
 * Reached here: the Emscripten factory `wasm-out/tfjs-backend-wasm-threaded-simd.js`, the threads'
 * script `wasm-out/tfjs-backend-wasm-threaded-simd.worker.js` (its export `wasmWorkerContents`, run
 * by `wasm-threads-worker.cjs`), the exported `BackendWasm`, and the C functions tfjs-backend-wasm's
 * own initialisation wraps. What the build brings: a heap in shared memory, which the optimizers'
 * worker threads update in place.
 */
/// <reference types="node" />
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { WRITTEN_FOR, hasMethod, internalsMessage, type SeamInfo } from './seam';

export const WASM_THREADS_SEAM: SeamInfo = {
  module: 'tfjs-internals/wasm-threads',
  dependency: '@tensorflow/tfjs-backend-wasm',
  writtenFor: WRITTEN_FOR.tfjs
};

/** tfjs-backend-wasm's priority for its backend (kept, so `tf.ready()` picks it as before). */
const WASM_PRIORITY = 2;

/** The C functions tfjs-backend-wasm wraps into `module.tfjs` before making its backend. */
const WRAPPED: ReadonlyArray<[key: string, name: string, returns: string | null, args: string[]]> = [
  ['init', 'init', null, []],
  ['initWithThreadsCount', 'init_with_threads_count', null, ['number']],
  ['getThreadsCount', 'get_threads_count', 'number', []],
  ['registerTensor', 'register_tensor', null, ['number', 'number', 'number']],
  ['disposeData', 'dispose_data', null, ['number']],
  ['dispose', 'dispose', null, []]
];

/** The Emscripten module of the threaded build, as far as it is used here. */
interface ThreadedModule {
  wasmMemory?: { buffer: ArrayBufferLike };
  asm?: Record<string, unknown>;
  cwrap?(name: string, returns: string | null, args: string[]): unknown;
  tfjs?: Record<string, unknown>;
}

interface ThreadedBuild {
  factory: (config: object) => Promise<ThreadedModule>;
  backendClass: new (module: ThreadedModule) => tf.KernelBackend;
  folder: string;
  /** The threads' bootstrap file (`wasm-threads-worker.cjs`). */
  bootstrap: string;
}

/** The files of the build: the package's `wasm-out` folder and the thread bootstrap beside this seam. */
function files(): { folder: string; factory: string; threadScript: string; bootstrap: string } {
  const folder = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
  return {
    folder,
    factory: join(folder, 'tfjs-backend-wasm-threaded-simd.js'),
    threadScript: join(folder, 'tfjs-backend-wasm-threaded-simd.worker.js'),
    // From lib/tfjs-internals and from src/tfjs-internals alike: the file is only under src.
    bootstrap: join(__dirname, '..', '..', 'src', 'tfjs-internals', 'wasm-threads-worker.cjs')
  };
}

/** `require` for what is found at run time: the build's files, and the package only when used. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = (id: string): unknown => require(id);

function installedVersion(): string | undefined {
  try {
    return (load('@tensorflow/tfjs-backend-wasm/package.json') as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The build's pieces, or why they are not what this seam was written for. */
function locateBuild(): ThreadedBuild | string {
  let paths: ReturnType<typeof files>;
  try {
    paths = files();
  } catch {
    return 'the package is not installed';
  }
  for (const path of [paths.factory, paths.threadScript, join(paths.folder, 'tfjs-backend-wasm-threaded-simd.wasm')]) {
    if (!existsSync(path)) return `there is no ${path.slice(paths.folder.length + 1)} in wasm-out`;
  }
  if (!existsSync(paths.bootstrap)) return `@paramscope/core has no ${paths.bootstrap}`;
  const factory = load(paths.factory);
  if (typeof factory !== 'function') return 'wasm-out/tfjs-backend-wasm-threaded-simd.js exports no factory function';
  const threadScript = (load(paths.threadScript) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
  if (typeof threadScript !== 'string') {
    return 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js exports no string `wasmWorkerContents`';
  }
  const backendClass = (load('@tensorflow/tfjs-backend-wasm') as { BackendWasm?: unknown }).BackendWasm;
  if (typeof backendClass !== 'function') return 'the package exports no `BackendWasm`';
  return {
    factory: factory as ThreadedBuild['factory'],
    backendClass: backendClass as ThreadedBuild['backendClass'],
    folder: paths.folder,
    bootstrap: paths.bootstrap
  };
}

/** Why an instantiated module is not what this seam was written for, or null. */
export function threadedModuleProblem(module: ThreadedModule): string | null {
  if (!(module.wasmMemory?.buffer instanceof SharedArrayBuffer)) {
    return 'the threaded build has no `wasmMemory` in shared memory';
  }
  if (!hasMethod(module, 'cwrap')) return 'the threaded build has no `cwrap`';
  const missing = WRAPPED.map(([, name]) => name).filter((name) => typeof module.asm?.[name] !== 'function');
  if (missing.length > 0) return `the threaded build exports no ${missing.join(', ')}`;
  return null;
}

/** The full message for a problem of this seam (for errors and tests). */
export function describeWasmThreadsProblem(problem: string, installed = installedVersion()): string {
  return internalsMessage(WASM_THREADS_SEAM, problem, installed);
}

/** Instantiates the threaded build and wraps its C functions as tfjs-backend-wasm does. */
async function instantiate(build: ThreadedBuild): Promise<ThreadedModule> {
  const { bootstrap } = build;
  const module = await build.factory({
    locateFile: (path: string) => (path.endsWith('.worker.js') ? bootstrap : join(build.folder, path)),
    // What each thread evaluates to define the factory again (a file path works on Node).
    mainScriptUrlOrBlob: join(build.folder, 'tfjs-backend-wasm-threaded-simd.js')
  });
  const problem = threadedModuleProblem(module);
  if (problem !== null) throw new Error(describeWasmThreadsProblem(problem));
  const cwrap = (module.cwrap as NonNullable<ThreadedModule['cwrap']>).bind(module);
  module.tfjs = Object.fromEntries(WRAPPED.map(([key, name, returns, args]) => [key, cwrap(name, returns, args)]));
  return module;
}

/**
 * Registers TF.js's threaded WebAssembly build as the `wasm` backend (Node only), in place of the
 * single-threaded one tfjs-backend-wasm registers there. Call it before the wasm backend is first
 * used; `await tf.setBackend('wasm')` then starts it. The kernels are the same; the heap is shared
 * memory, so a thread executor (`createThreadExecutor`) splits the optimizers' loops across
 * threads in place in that heap, with no copies.
 *
 * @throws Error when the wasm backend is already running (its tensors would be lost), or when the
 *   installed tfjs-backend-wasm is not what this seam was written for (naming what changed).
 */
export function useThreadedWasmBackend(): void {
  // The engine's registry of started backends (findBackend would start the registered one).
  if ('wasm' in tf.engine().registry) {
    throw new Error(
      'useThreadedWasmBackend: the wasm backend is already running; call it before the first ' +
        "tf.setBackend('wasm') (or tf.ready() with wasm registered)"
    );
  }
  const build = locateBuild();
  if (typeof build === 'string') throw new Error(describeWasmThreadsProblem(build));
  if (tf.findBackendFactory('wasm') !== null) tf.removeBackend('wasm');
  tf.registerBackend('wasm', async () => new build.backendClass(await instantiate(build)), WASM_PRIORITY);
}

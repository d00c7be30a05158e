/**
 * `@paramscope/core/node`: Node-only additions (worker threads; TF.js's threaded wasm build, whose
 * shared heap the worker threads update in place; tfjs-node's op executor and the libtensorflow it
 * runs, through the package's seams onto those internals).
 * Not reachable from the main entry, which runs wherever TF.js runs.
 *
 * @packageDocumentation
 */
export {
  copyingCallerShare,
  createThreadExecutor,
  type ThreadExecutor,
  type ThreadExecutorOptions
} from './thread-executor';
export {
  libtensorflowVersion,
  tfjsNodeBackend,
  type NativeBackend,
  type NativeOpAttr
} from '../tfjs-internals/tfjs-node';
export { useThreadedWasmBackend } from '../tfjs-internals/wasm-threads';

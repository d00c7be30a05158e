/**
 * `@paramscope/core/node`: Node-only additions (worker threads; tfjs-node's op executor and the
 * libtensorflow it runs, through the package's seam onto tfjs-node's internals).
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

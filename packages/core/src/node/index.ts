/**
 * `@paramscope/core/node`: Node-only additions (worker threads; the libtensorflow tfjs-node runs).
 * Not reachable from the main entry, which runs wherever TF.js runs.
 *
 * @packageDocumentation
 */
export { createThreadExecutor, type ThreadExecutor, type ThreadExecutorOptions } from './thread-executor';
export { libtensorflowVersion } from '../tfjs-internals/tfjs-node';

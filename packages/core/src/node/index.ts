/**
 * `@paramscope/core/node`: Node-only additions (worker threads). Not reachable from the main entry,
 * which runs wherever TF.js runs.
 *
 * @packageDocumentation
 */
export { createThreadExecutor, type ThreadExecutor, type ThreadExecutorOptions } from './thread-executor';

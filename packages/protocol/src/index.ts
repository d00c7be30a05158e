/**
 * `@paramscope/protocol`: the contract between the kernel library and the JupyterLab extension.
 * No runtime dependencies.
 *
 * @packageDocumentation
 */
export * from './mime';
export * from './snapshot';
export { validateSnapshot, formatIssues, type SnapshotValidation, type ValidationIssue } from './validate';
export * from './refresh';
export { describeValue } from './describe-value';

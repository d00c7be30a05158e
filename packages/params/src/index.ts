/**
 * `@paramscope/params`: the parameter model of a network (parameters, modules, data-flow edges,
 * the evidence that a module normalizes), structure files, parameter grouping (the structural
 * default, the document's recipes, rules) and verification of groups — without a tensor library.
 * `@paramscope/core` re-exports all of it and registers TF.js models as model sources.
 *
 * @packageDocumentation
 */
export * from './errors';
export * from './model';
export * from './structure';
export * from './grouping';
export * from './verify';

/**
 * `@paramscope/notebook`: glue between paramscope and the tslab kernel: TF.js backend choice,
 * Plotly figures and rich displays from notebook cells.
 *
 * @packageDocumentation
 */
export * from './errors';
export * from './backend';
export * from './display';
export * from './plotly';
export * from './claims';
export * from './progress';
export * from './inspector';
export * from './ablation';
export * from './structures';
export * from './table';
export * from './groupings';

/** Experiments on real data: the decay-group ablation (D13, D18) and what it needs to train on any backend. */
export * from './dataset';
export * from './decay-arms';
export * from './random';
export * from './precise-bn';
export * from './train-decay-arm';
export * from './ablation';
export * from './paired-stats';
export * from './comparisons';
export * from './grids';
export * from './reproduction';
export * from './fit';

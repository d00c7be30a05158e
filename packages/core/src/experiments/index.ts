/** Experiments on real data: the decay-group ablation (D13) and what it needs to train on any backend. */
export * from './dataset';
export * from './decay-arms';
export * from './random';
export * from './train-decay-arm';
export * from './ablation';
export * from './grids';
export * from './fit';

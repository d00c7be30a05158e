export * from './types';
export * from './normalization';
export * from './graph';
export * from './from-module';
export * from './source';
export * from './from-layers-model';

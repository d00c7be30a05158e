export * from './types';
export * from './variable';
export * from './normalization';
export * from './graph';
export * from './source';

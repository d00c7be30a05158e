export * from './recipes';
export * from './rules';
export * from './structural';

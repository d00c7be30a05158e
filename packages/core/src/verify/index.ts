export * from './verify';
export * from './probe';

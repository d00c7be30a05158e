export * from './batchnorm-scale';

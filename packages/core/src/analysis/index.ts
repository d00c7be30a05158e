export * from './batchnorm-forward';
export * from './batchnorm-scale';
export * from './learning-rate';
export * from './norm-dynamics';
export * from './scale-invariance';
export * from './teacher-data';
export * from './tensor-geometry';
export * from './training';

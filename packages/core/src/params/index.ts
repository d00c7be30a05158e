export * from './from-module';
export * from './source';
export * from './from-layers-model';

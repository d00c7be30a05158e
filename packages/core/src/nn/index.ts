export * from './module';
export * from './layers';
export * from './norm';
export * from './resnet';
export * from './small';
export * from './grad';
export * from './init';
export * from './trace';

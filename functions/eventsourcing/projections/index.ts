export * from './generations';
export * from './projection-runtime';
export * from './read-model-reader';
export { GenerationKeys, controlKey } from './read-model-keys';
export * from './rebuild';

export * from './generations';
export * from './parked-streams';
export * from './projection-handler';
export * from './projection-runtime';
export * from './read-model-reader';
export { GenerationKeys, controlKey } from './read-model-keys';
export { eventsByStream, compareSequenceNumbers, type StreamedEvent } from './stream-records';
export type { FailureKind, StreamFailure } from './generation-writer';
export * from './rebuild';

export * from './batch-consumer';
export * from './consumer-runtime';
export * from './host';
export * from './parked-streams';
export * from './reaction';
export { CONSUMER_METRICS } from './metric-names';
export { eventsByStream, compareSequenceNumbers, type StreamedEvent } from './stream-records';
export type { EventToApply, FailureKind, StreamFailure } from './version-guard';

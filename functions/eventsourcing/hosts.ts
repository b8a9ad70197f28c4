/**
 * `…/hosts`: stream readers' Lambda handlers hosting projections and reactions, each consumer
 * isolated behind its own version guard, parking and redrive.
 */
export {
  createConsumerHost,
  type ConsumerHost,
  type ConsumerHostOptions,
  type HostedConsumer,
} from './consumers/host.js';
export { ConsumerRuntime, type ConsumerRuntimeOptions } from './consumers/consumer-runtime.js';
export type { BatchOutcome, RedriveOutcome } from './consumers/stream-outcomes.js';
export { isReaction } from './consumers/reaction.js';
export { declaredConsumers, type ConsumersCode } from './consumers/declared-consumers.js';
export { isBatchConsumer, type BatchConsumer } from './consumers/batch-consumer.js';
export { ParkedStreams, type ParkedStream } from './consumers/parked-streams.js';
export {
  ProjectionRuntime,
  type ProjectionRuntimeOptions,
  type ProjectionTables,
} from './projections/projection-runtime.js';

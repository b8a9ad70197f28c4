/**
 * The event-sourcing framework's core: events and their catalogue, the DynamoDB event store,
 * deciders and command handling, snapshots, projections and reactions, and the errors it raises.
 * The rest lives behind subpaths of the package (`exports` in package.json):
 *
 * - `…/testing`: given/when/then for deciders and process managers, the in-memory store;
 * - `…/declaration`: declaring a system (tables, buckets, functions, routes, stream hosts);
 * - `…/http`: the API Gateway adapter for command and query routes;
 * - `…/hosts`: stream readers hosting projections and reactions;
 * - `…/global-log`: every event at one position, its indexer, reader and subscriptions;
 * - `…/integrity`: hash chains, signed checkpoints, the verifier and proofs;
 * - `…/archive`: aged streams moved to S3 and read back transparently, retention rules;
 * - `…/personal`: personal data sealed per data subject, its keys, and erasure;
 * - `…/operator`: rebuilds, redrives and other operator tools;
 * - `…/cdk`: the AWS CDK constructs that deploy a declared system.
 *
 * Modules reached through none of these are internal and may change without notice.
 */

// --- Events and their catalogue --------------------------------------------------------------

export type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types.js';
export { EventCatalogue, type CatalogueUpcasters } from './event-catalogue.js';
export { defineEvents, type DefinedEvents } from './define-events.js';
export type { EventSchemas, NewEventOf, RecordedEventOf } from './event-schemas.js';
export type { Upcaster } from './upcasting.js';
export type { PersonalFields } from './personal/declaration.js';
export { storedData } from './personal/personal-data.js';

// --- The event store ---------------------------------------------------------------------------

export {
  EventStore,
  MAX_EVENTS_PER_APPEND,
  type AppendOptions,
  type AppendResult,
  type ConditionalPut,
  type EventStoreOptions,
  type ReadOptions,
  type StreamAppend,
} from './event-store.js';
export type { EventStreamStore } from './event-stream-store.js';
export { TOMBSTONE_TYPE, closedAt, isTombstone, type TombstoneData } from './tombstones.js';
export {
  cancellationReasons,
  isConditionFailure,
  isLostRace,
  isTransactionConflict,
} from './conditional-writes.js';
export { createDynamoDbClient } from './dynamodb-client.js';

// --- Deciders, commands and snapshots ----------------------------------------------------------

export { fold, type Decider } from './decider.js';
export {
  AggregateRepository,
  type LoadTarget,
  type LoadedAggregate,
  type SnapshotSettings,
} from './aggregate-repository.js';
export {
  CommandHandler,
  type Decision,
  type HandleOptions,
  type HandleResult,
} from './command-handler.js';
export {
  repositoryFor,
  storageFromEnv,
  type EventSourcingStorage,
  type RepositoryOptions,
} from './storage.js';
export { SnapshotStore, type Snapshot } from './snapshots.js';
export { everyNEvents, hybrid, timeBased, type SnapshotStrategy } from './snapshot-strategies.js';

// --- Projections and reactions -----------------------------------------------------------------

export type {
  Projection,
  ProjectionContext,
  ReadModelItem,
  ReadModelKey,
  ReadModelWrite,
} from './projection.js';
export { ReadModelReader, type ReadModelQuery } from './projections/read-model-reader.js';
export { ReactionFailedAt, type Reaction } from './consumers/reaction.js';

// --- Errors --------------------------------------------------------------------------------------

export {
  CommitUnconfirmedError,
  ConcurrencyError,
  CorruptEventError,
  DomainError,
  EventSourcingError,
  EventTooLargeError,
  InvalidEventError,
  StreamGapError,
  SubjectErasedError,
  StreamClosedError,
  TooManyEventsError,
  UnexpectedResponseError,
  UnsupportedOperationError,
  UpcastError,
  WriteConditionFailedError,
} from './errors.js';
export { ConfigurationError, InvalidDeclarationError } from './declaration/errors.js';
export { InvalidReadModelWriteError } from './projections/pending-writes.js';

// --- Logging -------------------------------------------------------------------------------------

export { logger } from './logger.js';
export { eventLogKeys, withLogKeys } from './log-context.js';

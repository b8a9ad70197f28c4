/**
 * The public API of the event-sourcing framework. Everything an application needs is exported
 * here by name; modules not reached through this file (or `./declaration`, its plain-data part
 * for infrastructure code) are internal and may change without notice.
 */

// --- Events and their schemas ----------------------------------------------------------------

/** Shapes of events: what a command appends, what a read returns, and the expected version. */
export type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types.js';
/** Every event type of an aggregate with its zod schema and upcasters; parses what is read. */
export { EventCatalogue, fieldPath, type CatalogueUpcasters } from './event-catalogue.js';
/** Typed event unions derived from a map of zod schemas, and the list of their types. */
export {
  eventTypesOf,
  type EventSchemas,
  type NewEventOf,
  type RecordedEventOf,
} from './event-schemas.js';
/** `schemaVersion` n to n+1 steps, applied on every read path. */
export { Upcasters, type Upcaster, type UpcasterRegistry } from './upcasting.js';

// --- Event store --------------------------------------------------------------------------------

/** The DynamoDB event store: appends with expected versions, complete and contiguous reads. */
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
/** What every event store promises, whichever storage holds the events. */
export type { EventStreamStore } from './event-stream-store.js';
/**
 * Event stores in memory with the DynamoDB store's contract, for unit tests without Java; the
 * stores on one table share its streams like Lambda containers share the events table.
 */
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './in-memory-event-store.js';
export { InMemoryEventTable } from './in-memory-event-table.js';
/** How events are laid out as items of the events table (both layouts are read). */
export { eventFromItem, eventItem, isEventItem } from './event-items.js';
/** A DynamoDB client configured for Lambda, or for DynamoDB Local when `DYNAMODB_ENDPOINT` is set. */
export { createDynamoDbClient } from './dynamodb-client.js';
/** An S3 client configured for Lambda, or for the local S3 server when `S3_ENDPOINT` is set. */
export { createS3Client } from './s3-client.js';
/** Client settings that point an AWS SDK client at a local endpoint. */
export { localEndpointConfig } from './local-endpoint.js';
/** Scans the events table for stored events that no longer fit their schema. */
export { findCorruptEvents } from './corrupt-events.js';

// --- Errors -------------------------------------------------------------------------------------

/** Every error the framework raises on purpose; each has a stable `code`. */
export {
  ConcurrencyError,
  CORRUPT_EVENTS_METRIC,
  CorruptEventError,
  DomainError,
  UnsupportedOperationError,
  EventSourcingError,
  EventTooLargeError,
  InvalidEventError,
  StreamGapError,
  TooManyEventsError,
  UpcastError,
  WriteConditionFailedError,
} from './errors.js';

// --- Aggregates and commands --------------------------------------------------------------------

/** An aggregate as a pure decider (`initialState`, `evolve`, `decide`), and folding events. */
export { fold, type Decider } from './decider.js';
/** Loads an aggregate (snapshot and tail), at its latest version or at a version or time. */
export {
  AggregateRepository,
  type LoadTarget,
  type LoadedAggregate,
  type SnapshotSettings,
} from './aggregate-repository.js';
/** Load, decide, append, retrying conflicts within a time budget. */
export {
  CommandHandler,
  DEFAULT_RETRY,
  type Decision,
  type HandleOptions,
  type HandleResult,
} from './command-handler.js';
/** A function's tables from its environment, and a decider's repository on them. */
export {
  repositoryFor,
  storageFromEnv,
  type EventSourcingStorage,
  type RepositoryOptions,
} from './storage.js';
/** Snapshots and when to take them. */
export { SnapshotStore, type Snapshot } from './snapshots.js';
export {
  everyNEvents,
  hybrid,
  timeBased,
  type SnapshotDecisionInput,
  type SnapshotStrategy,
} from './snapshot-strategies.js';
/** Jittered exponential backoff, retrying an operation with it, and the one `sleep`. */
export { retryWithBackoff, sleep, type RetryOptions, type RetryPolicy } from './retry.js';

// --- Projections and stream consumers ------------------------------------------------------------

/** A read model fed by the events stream, and the writes it makes per event. */
export type {
  Projection,
  ProjectionContext,
  ReadModelItem,
  ReadModelKey,
  ReadModelWrite,
} from './projection.js';
/** Reads a projection's live read model (its current generation). */
export {
  ReadModelReader,
  type ReadModelPage,
  type ReadModelQuery,
  type ReadModelReaderOptions,
} from './projections/read-model-reader.js';
/** Applies events to one projection's read model behind its version guard. */
export {
  ProjectionRuntime,
  type ProjectionRuntimeOptions,
  type ProjectionTables,
} from './projections/projection-runtime.js';
/** Rebuilds a projection from the global log into a new generation, then switches to it. */
export {
  RebuildInterruptedError,
  rebuildProjection,
  rebuildStatus,
  removeRetiredGenerations,
  type RebuildOptions,
  type RebuildProgress,
  type RebuildResult,
  type RebuildStatus,
} from './projections/rebuild.js';
/** A stream reader's Lambda handler hosting isolated consumers. */
export {
  createConsumerHost,
  type ConsumerHost,
  type ConsumerHostOptions,
  type HostedConsumer,
} from './consumers/host.js';
/** One consumer's runtime: version guard, parking, redrive. */
export {
  ConsumerRuntime,
  type BatchOutcome,
  type ConsumerRuntimeOptions,
  type RedriveOutcome,
} from './consumers/consumer-runtime.js';
/** A consumer that acts on events (process managers, publishers). */
export { ReactionFailedAt, isReaction, type Reaction } from './consumers/reaction.js';
/** A consumer that takes each batch whole and keeps its own idempotency. */
export { isBatchConsumer, type BatchConsumer } from './consumers/batch-consumer.js';
/** Streams a consumer parked, with their reasons, awaiting a redrive. */
export { ParkedStreams, type ParkedStream } from './consumers/parked-streams.js';

// --- Global log -------------------------------------------------------------------------------

/** Every event at one position across all streams: indexing, reading, subscribing, backfilling. */
export {
  GlobalLogIndexer,
  GlobalLogReader,
  GlobalLogSubscription,
  InvalidLogReadError,
  MAX_READ_LIMIT,
  SubscriptionStoppedError,
  TableCheckpoint,
  backfillGlobalLog,
  createGlobalLogIndexerHandler,
  type BackfillOptions,
  type BackfillProgress,
  type GlobalLogIndexerHandler,
  type GlobalLogIndexerHandlerOptions,
  type GlobalLogIndexerOptions,
  type GlobalLogReaderOptions,
  type GlobalLogSubscriptionOptions,
  type GlobalLogTables,
  type IndexOutcome,
  IndexerParking,
  type IndexerParkingOptions,
  type LogReference,
  type LogSlice,
  type LoggedEvent,
  type ReadLogOptions,
  type SubscriptionCheckpoint,
  type SubscriptionStart,
} from './global-log/index.js';

// --- Verifiable history --------------------------------------------------------------------

/** Hash chains, signed checkpoints of the global log, the verifier and proofs (docs/integrity.md). */
export {
  CheckpointSealer,
  type CheckpointSealerOptions,
  type SealedCheckpoint,
} from './integrity/sealer.js';
export {
  HistoryVerifier,
  type HistoryVerifierOptions,
  type VerificationReport,
  type VerifyOptions,
} from './integrity/verifier.js';
export type { StreamVerification } from './integrity/stream-verification.js';
export { EventProofs, type EventProofsOptions, type ProofAnswer } from './integrity/proofs.js';
export { S3CheckpointStore, type CheckpointStore } from './integrity/checkpoint-store.js';
export {
  describeFinding,
  type Finding,
  type FindingKind,
  type UnsealedRange,
} from './integrity/findings.js';
export {
  checkpointKey,
  parseStoredCheckpoint,
  storedCheckpointJson,
  type CheckpointBody,
  type StoredCheckpoint,
} from './integrity/checkpoint.js';
export { signCheckpoint, type CheckpointSigner } from './integrity/signer.js';
export { LocalCheckpointSigner } from './integrity/local-signer.js';
export { KmsCheckpointSigner } from './integrity/kms-signer.js';
export {
  HISTORY_LOG_VARIABLE,
  LOCAL_SIGNING_KEY_PREFIX,
  historyLogFromEnv,
  signerFromEnv,
} from './integrity/environment.js';
export { verifyProof, type EventProof } from './integrity/proof.js';

// --- Observability ---------------------------------------------------------------------------

/** The structured logger every framework component logs through (Powertools). */
export { logger } from './logger.js';
/** Powertools Metrics (EMF) for a service. */
export { createMetrics } from './metrics.js';

// --- Testing ----------------------------------------------------------------------------------

/** Given/when/then for deciders, without a database. */
export { expectThrows, given } from './decider-testing.js';
/** Given/when/then for process managers: the streams they read and the appends they decide. */
export { givenStreams, streamOf } from './process-manager-testing.js';

// --- Declaration --------------------------------------------------------------------------------

/** Declaring a system: tables, functions, routes, stream hosts, and checking them. */
export * from './declaration/index.js';

/**
 * What every context shares: the event store's tables, the checkpoints bucket, the stream readers and their mapping
 * settings, the health check, the global log and its feed, and the integration publisher.
 * `system.ts` combines it with the contexts' modules.
 *
 * This module is plain data: it must not import the AWS SDK or aws-cdk-lib.
 */
import {
  EVENTS_STREAM_MAPPING,
  type BucketDeclaration,
  type SigningKeyDeclaration,
  type ConsumerDeclaration,
  type FunctionDeclaration,
  type TableDeclaration,
} from './eventsourcing/declaration';
import { corruptEventsAlarm, queryFunction } from './eventsourcing/http';

export const sharedTables = {
  events: {
    description: 'Append-only event streams; the source of truth.',
    partitionKey: { name: 'streamId', type: 'S' },
    sortKey: { name: 'version', type: 'N' },
    stream: 'NEW_IMAGE',
    durability: 'source-of-truth',
    appendOnly: true,
  },
  snapshots: {
    description: 'Latest snapshot of each stream (written forward only).',
    partitionKey: { name: 'streamId', type: 'S' },
    durability: 'derived',
  },
  idempotency: {
    description: 'Idempotency-Key of each POST with its first response, kept 24 hours.',
    partitionKey: { name: 'id', type: 'S' },
    timeToLiveAttribute: 'expiration',
    durability: 'derived',
  },
  parkedStreams: {
    description:
      'Streams a stream consumer failed to process: attempts, reason, and parked streams awaiting redrive.',
    partitionKey: { name: 'consumer', type: 'S' },
    sortKey: { name: 'streamId', type: 'S' },
    // The only record of why a stream was parked and that it still needs a redrive.
    durability: 'source-of-truth',
  },
  globalLog: {
    description:
      'The global log: every event at one position across all streams, by page, type and epoch.',
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'N' },
    // Consumers keep positions as checkpoints: a rebuilt log would number events differently.
    durability: 'source-of-truth',
  },
  seals: {
    description:
      "Where sealing stands: the latest signed checkpoint, each stream's sealed positions (for proofs), and the verifier's progress.",
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'N' },
    // An index of the checkpoints (which are the record); kept, so proofs never wait on a rebuild.
    durability: 'source-of-truth',
  },
  dataKeys: {
    description:
      "Each data subject's data key, wrapped by the personal-data KMS key; a tombstone once the subject is erased.",
    partitionKey: { name: 'subject', type: 'S' },
    // Lost, every personal value would read as its replacement: kept with the events.
    durability: 'source-of-truth',
    // A restore brings back the keys of subjects erased since: the erasure ledger outranks them,
    // and after 7 days no backup holds them any more.
    recoveryPeriodDays: 7,
  },
  subscriptionCheckpoints: {
    description: 'The position each catch-up subscription of the global log has handled.',
    partitionKey: { name: 'subscription', type: 'S' },
    // Losing a checkpoint would replay a consumer from its start, or skip events from its end.
    durability: 'source-of-truth',
  },
  reactionPositions: {
    description: "Each reaction's version guard: the last version of each stream it has acted on.",
    // Keyed by stream first: the guards of a busy reaction spread over every partition.
    partitionKey: { name: 'streamId', type: 'S' },
    sortKey: { name: 'consumer', type: 'S' },
    // Lost, reactions would act on old events again (they are idempotent), not lose any.
    durability: 'derived',
  },
} as const satisfies Record<string, TableDeclaration>;

export const sharedBuckets = {
  checkpoints: {
    description: 'Signed checkpoints of the global log; write-once.',
    writeOnce: true,
  },
  archive: {
    description:
      'Events of aged streams, moved out of the events table byte for byte (compressed JSON Lines segments); write-once.',
    writeOnce: true,
    retentionSetting: 'archiveRetentionDays',
    // Archived events are rarely read, but read inside the request that needs them.
    transitions: [
      { days: 30, storageClass: 'STANDARD_IA' },
      { days: 90, storageClass: 'GLACIER_IR' },
    ],
    archiveOf: 'events',
  },
} as const satisfies Record<string, BucketDeclaration>;

export const sharedSigningKeys = {
  checkpoints: {
    description:
      'Signs the checkpoints of the global log (ECDSA P-256); its public key verifies them.',
  },
} as const satisfies Record<string, SigningKeyDeclaration>;

export const sharedFunctions = {
  health: {
    description: 'GET /health, and the JSON 404 for requests that match no other route.',
    entry: 'eventsourcing:http/health',
    trigger: 'http',
    // Everything else gets the API's JSON 404 instead of API Gateway's own.
    routes: [{ route: 'GET /health', example: {} }, 'ANY /', 'ANY /{proxy+}'],
    memoryMb: 128,
    timeoutSeconds: 3,
    tables: {},
  },
  eventFeed: queryFunction({
    description: 'GET /events: the global log over HTTP, from a position, optionally by type.',
    entry: 'functions/global-log/feed.ts',
    routes: [
      {
        route: 'GET /events',
        authorization: 'iam',
        example: { query: { after: '0', limit: '10', types: 'OrderShipped' } },
      },
    ],
    alarmMetrics: corruptEventsAlarm,
    tables: { events: 'read', globalLog: 'read' },
  }),
  sealCheckpoints: {
    description:
      'Seals the global log since the last checkpoint: a signed Merkle root, written once to the checkpoints bucket.',
    entry: 'eventsourcing:integrity/handlers/seal',
    trigger: 'schedule',
    scheduleMinutes: 5,
    scheduleSetting: 'checkpointMinutes',
    memoryMb: 512,
    timeoutSeconds: 300,
    tables: { globalLog: 'read', seals: 'append' },
    buckets: { checkpoints: 'writeOnce' },
    signingKeys: { checkpoints: 'sign' },
  },
  eventProofs: queryFunction({
    description:
      'GET /streams/{streamId}/events/{version}/proof: an event as stored, its inclusion proof and the signed checkpoint.',
    entry: 'eventsourcing:integrity/handlers/proofs',
    routes: [
      {
        route: 'GET /streams/{streamId}/events/{version}/proof',
        example: { params: { streamId: 'account-01KAXQ5T2N8P4R6S0V1W3X5Y7Z', version: '1' } },
      },
    ],
    tables: { events: 'read', globalLog: 'read', seals: 'read' },
    buckets: { checkpoints: 'read' },
  }),
  archiveStreams: {
    description:
      'Moves the events of aged streams that a signed checkpoint covers to the archive bucket, then removes them from the events table.',
    entry: 'functions/archive.ts',
    trigger: 'schedule',
    scheduleMinutes: 60,
    scheduleSetting: 'archiveMinutes',
    memoryMb: 1024,
    timeoutSeconds: 900,
    tables: { events: 'archive', seals: 'read' },
    buckets: { archive: 'writeOnce' },
  },
} as const satisfies Record<string, FunctionDeclaration>;

/** Reactions every system runs besides its contexts' own. */
export const sharedReactions = {
  'integration-publisher': {
    description:
      'Publishes every domain event as a public, versioned integration event to EventBridge.',
    kind: 'reaction',
    tables: {},
    eventBus: 'integration',
  },
  'global-log-indexer': {
    description: 'Gives every new event its position in the global log.',
    kind: 'batch',
    tables: { globalLog: 'append' },
  },
} as const satisfies Record<string, ConsumerDeclaration>;

/** The global log indexer's consumer name: its parked records and the operator's redrive use it. */
export const GLOBAL_LOG_INDEXER = 'global-log-indexer' satisfies keyof typeof sharedReactions;

/**
 * The readers of the events table's stream, at most two (`MAX_READERS_PER_STREAM`), without
 * their consumers: `system.ts` gives them every context's projections and reactions.
 */
export const projectionsReader = {
  description: 'Keeps every read model current from the events stream.',
  entry: 'functions/hosts/projections.ts',
  memoryMb: 512,
  timeoutSeconds: 60,
  batchSize: 100,
  ...EVENTS_STREAM_MAPPING,
} as const;

export const reactionsReader = {
  description: 'Runs the process managers, publishes integration events and keeps the global log.',
  entry: 'functions/hosts/reactions.ts',
  memoryMb: 512,
  timeoutSeconds: 60,
  // Transfers of a batch advance side by side, and the global log appends a batch's events
  // as one page: fuller batches make fewer page transactions.
  batchSize: 100,
  ...EVENTS_STREAM_MAPPING,
} as const;

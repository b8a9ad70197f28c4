/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
/**
 * The one declaration of the system: tables, functions, routes, and the readers of table
 * streams with the consumers each hosts. The CDK app (`lib/`) turns it into AWS resources and
 * the local stack (`local/`) turns it into DynamoDB Local tables and processes, so the two
 * cannot drift.
 *
 * This module is plain data: it must not import the AWS SDK or aws-cdk-lib.
 */
import { CORRUPT_EVENTS_METRIC } from './eventsourcing/errors';

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  readonly name: string;
  readonly type: AttributeType;
}

export interface GlobalIndexDeclaration {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

export interface TableDeclaration {
  readonly description: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  /** DynamoDB Streams view type, when stream consumers read this table. */
  readonly stream?: 'NEW_IMAGE';
  /** Attribute holding an epoch-seconds expiry that DynamoDB TTL removes. */
  readonly timeToLiveAttribute?: string;
  readonly globalIndexes?: readonly GlobalIndexDeclaration[];
  /** Tables holding the source of truth are retained and protected; derived ones are not. */
  readonly durability: 'source-of-truth' | 'derived';
  /**
   * Items are only ever inserted, never updated or deleted: functions may get `read` or `append`
   * access and nothing more, and the CDK app fails synthesis if any role could change an item.
   */
  readonly appendOnly?: true;
}

/** A projection's read model: items under `pk` and `sk` (see `ReadModelKey`), rebuilt from events. */
const readModelTable = (description: string) =>
  ({
    description,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    durability: 'derived',
  }) as const satisfies TableDeclaration;

export const tables = {
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
  accountSummaries: readModelTable('Read model: each account with its balance and status.'),
  accountTransactions: readModelTable(
    "Read model: each account's deposits and withdrawals with the balance after each.",
  ),
  ownerAccounts: readModelTable('Read model: the accounts of each owner.'),
  orderSummaries: readModelTable(
    'Read model: each order with its items, total, shipping and timeline.',
  ),
  customerOrders: readModelTable('Read model: the orders of each customer, newest first.'),
  transfersInFlight: readModelTable(
    'Read model: transfers requested and not yet completed or failed.',
  ),
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

export type TableKey = keyof typeof tables;

/**
 * What a function may do to a table; the CDK app grants exactly this and nothing more.
 * - `read`: GetItem, BatchGetItem, Query
 * - `append`: GetItem, Query and PutItem (conditional puts and transactions of puts). The only
 *   writing access any function gets to the events table: events are never updated or deleted.
 * - `readWrite`: `read` plus PutItem, UpdateItem, DeleteItem. Never on events.
 */
export type TableAccess = 'read' | 'append' | 'readWrite';

export interface FunctionDeclaration {
  readonly description: string;
  /** Source file exporting the Lambda handler, relative to the repository root. */
  readonly entry: string;
  /** Exported handler name; `handler` when omitted. */
  readonly handler?: string;
  /**
   * What invokes it: API Gateway routes, an event source mapping on a table stream, or a
   * schedule (`scheduleMinutes`).
   */
  readonly trigger: 'http' | 'stream' | 'schedule';
  /** For `trigger: 'schedule'`: minutes between invocations. */
  readonly scheduleMinutes?: number;
  /**
   * Metrics the function emits (Powertools, dimension `service` = function key) whose value 1 or
   * more means something needs an operator; each gets an alarm.
   */
  readonly alarmMetrics?: readonly { readonly metric: string; readonly description: string }[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Tables the function uses; their names reach it as environment variables. */
  readonly tables: Readonly<Partial<Record<TableKey, TableAccess>>>;
  /**
   * The event bus the function publishes to: it may call PutEvents on that bus and no other,
   * and learns the bus's name from `EVENT_BUS_NAME`.
   */
  readonly eventBus?: 'integration';
}

/** Environment variable through which a function learns the name of its `eventBus`. */
export const EVENT_BUS_NAME_VARIABLE = 'EVENT_BUS_NAME';

/** HTTP functions that read events report the corrupt ones they meet, with an alarm. */
const corruptEventsAlarm = [
  {
    metric: CORRUPT_EVENTS_METRIC,
    description:
      'A stored event does not fit its schema: commands on its stream fail until it is repaired ' +
      '(npm run projections -- corrupt lists such events)',
  },
] as const;

/**
 * The HTTP function of a domain's commands: appends events and keeps idempotency keys, and
 * snapshots when its aggregates have them (`read` when it only loads other aggregates).
 */
const commandFunction = (
  description: string,
  entry: string,
  options: { readonly snapshots: boolean } = { snapshots: true },
) =>
  ({
    description,
    entry,
    trigger: 'http',
    alarmMetrics: corruptEventsAlarm,
    memoryMb: 512,
    timeoutSeconds: 10,
    tables: {
      events: 'append',
      idempotency: 'readWrite',
      ...(options.snapshots ? { snapshots: 'readWrite' } : {}),
    },
  }) as const satisfies FunctionDeclaration;

/**
 * A consumer hosted by a stream reader.
 * - `projection`: keeps a read model (its `Projection` names the table, declared `readWrite`);
 * - `reaction`: acts on events: process managers, the integration-event publisher;
 * - `batch`: takes each batch whole and keeps its own idempotency (the global-log indexer).
 */
export interface ConsumerDeclaration {
  readonly description: string;
  readonly kind: 'projection' | 'reaction' | 'batch';
  /**
   * Tables the consumer's own code uses. What every consumer needs besides (reading events,
   * parking, its version guard) the host gets anyway.
   */
  readonly tables: Readonly<Partial<Record<TableKey, TableAccess>>>;
  readonly eventBus?: 'integration';
}

/**
 * A reader of a table stream: one Lambda function with one event source mapping, hosting
 * consumers. The local stream runner honours the same mapping settings, so local runs behave
 * like AWS. Its key is its function's key; its function is derived from it.
 */
export interface StreamHostDeclaration {
  readonly description: string;
  readonly source: 'events';
  /** Module exporting the host's Lambda `handler`, relative to the repository root. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /**
   * Retries of a failing batch before its records go to the on-failure destination. Past a
   * stream's one retry, a host fails a batch only when a consumer cannot even record a failure
   * (the database unreachable), so retries last until the records expire.
   */
  readonly maxRetryAttempts: number;
  readonly maxRecordAgeSeconds: number;
  readonly bisectBatchOnError: boolean;
  /** 1 keeps records of one stream (partition key) in order. */
  readonly parallelizationFactor: 1;
  readonly startingPosition: 'TRIM_HORIZON';
  /** The consumers, by name (part of their bookkeeping keys, metrics and parked records). */
  readonly consumers: Readonly<Record<string, ConsumerDeclaration>>;
}

/** AWS throttles a DynamoDB Streams shard read by more than two processes at a time. */
export const MAX_READERS_PER_STREAM = 2;

const hostMapping = {
  source: 'events',
  maxBatchingWindowSeconds: 0,
  maxRetryAttempts: 10_000,
  maxRecordAgeSeconds: 86_400,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON',
} as const;

/** A projection keeping `readModel`, its only table of its own. */
const projection = <ReadModel extends TableKey>(description: string, readModel: ReadModel) =>
  ({
    description,
    kind: 'projection',
    tables: { [readModel]: 'readWrite' },
  }) as const satisfies ConsumerDeclaration;

/**
 * The readers of the events table's stream: at most two (`MAX_READERS_PER_STREAM`). A new
 * projection or reaction is one entry under its host here, plus its code in the host's module.
 */
export const streamHosts = {
  projections: {
    description: 'Keeps every read model current from the events stream.',
    entry: 'functions/hosts/projections.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    batchSize: 100,
    ...hostMapping,
    consumers: {
      'account-summaries': projection(
        'Each account with its balance and status.',
        'accountSummaries',
      ),
      'account-transactions': projection(
        "Each account's deposits and withdrawals with the balance after each.",
        'accountTransactions',
      ),
      'owner-accounts': projection('The accounts of each owner.', 'ownerAccounts'),
      'order-summaries': projection(
        'Each order with its items, total, shipping and timeline.',
        'orderSummaries',
      ),
      'customer-orders': projection('The orders of each customer, newest first.', 'customerOrders'),
      'transfers-in-flight': projection(
        'The transfers that have not finished yet.',
        'transfersInFlight',
      ),
    },
  },
  reactions: {
    description:
      'Runs the process managers, publishes integration events and keeps the global log.',
    entry: 'functions/hosts/reactions.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    // Transfers of a batch advance side by side, and the global log appends a batch's events
    // as one page: fuller batches make fewer page transactions.
    batchSize: 100,
    ...hostMapping,
    consumers: {
      'transfer-process': {
        description:
          'Transfer process manager: debits the source, credits the target, refunds on failure.',
        kind: 'reaction',
        tables: { events: 'append', snapshots: 'read' },
      },
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
    },
  },
} as const satisfies Record<string, StreamHostDeclaration>;

export type StreamHostKey = keyof typeof streamHosts;

const ACCESS_RANK: Readonly<Record<TableAccess, number>> = { read: 0, append: 1, readWrite: 2 };

/**
 * The function running a host: every table its consumers use, with the broadest access any of
 * them needs, plus what the host needs itself (reading events for gaps and redrives, parking,
 * and the guards of reactions).
 */
function hostFunction(host: StreamHostDeclaration): FunctionDeclaration {
  const consumers = Object.values(host.consumers);
  const tables: Partial<Record<TableKey, TableAccess>> = {
    [host.source]: 'read',
    parkedStreams: 'readWrite',
    ...(consumers.some((consumer) => consumer.kind === 'reaction')
      ? { reactionPositions: 'readWrite' }
      : {}),
  };
  for (const consumer of consumers) {
    for (const [table, access] of Object.entries(consumer.tables) as [TableKey, TableAccess][]) {
      const held = tables[table];
      if (!held || ACCESS_RANK[access] > ACCESS_RANK[held]) tables[table] = access;
    }
  }
  const eventBus = consumers.find((consumer) => consumer.eventBus)?.eventBus;
  return {
    description: host.description,
    entry: host.entry,
    trigger: 'stream',
    memoryMb: host.memoryMb,
    timeoutSeconds: host.timeoutSeconds,
    tables,
    ...(eventBus ? { eventBus } : {}),
  };
}

export const functions = {
  health: {
    description: 'GET /health, and the JSON 404 for requests that match no other route.',
    entry: 'functions/http/health.ts',
    trigger: 'http',
    memoryMb: 128,
    timeoutSeconds: 3,
    tables: {},
  },
  accountCommands: commandFunction(
    'Opens accounts, takes deposits and withdrawals, closes accounts.',
    'functions/accounts/commands.ts',
  ),
  accountQueries: {
    description: 'Accounts, their history and owners from read models; state at any moment.',
    entry: 'functions/accounts/queries.ts',
    trigger: 'http',
    alarmMetrics: corruptEventsAlarm,
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: {
      events: 'read',
      snapshots: 'read',
      accountSummaries: 'read',
      accountTransactions: 'read',
      ownerAccounts: 'read',
    },
  },
  orderCommands: commandFunction(
    'Creates orders, adds items, confirms, ships, delivers and cancels them.',
    'functions/orders/commands.ts',
  ),
  orderQueries: {
    description: 'Orders and the orders of a customer, from read models.',
    entry: 'functions/orders/queries.ts',
    trigger: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { orderSummaries: 'read', customerOrders: 'read' },
  },
  transferCommands: commandFunction(
    'Requests money transfers between accounts.',
    'functions/transfers/commands.ts',
    // Transfers are short streams that loads replay; the source account's first event says
    // who owns it.
    { snapshots: false },
  ),
  transferQueries: {
    description: 'The status of a transfer, from its own stream.',
    entry: 'functions/transfers/queries.ts',
    trigger: 'http',
    alarmMetrics: corruptEventsAlarm,
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { events: 'read' },
  },
  stuckTransfers: {
    description:
      'Runs transfers unfinished after STUCK_TRANSFER_AFTER_SECONDS again; reports those still stuck.',
    entry: 'functions/transfers/stuck-transfers.ts',
    trigger: 'schedule',
    scheduleMinutes: 5,
    alarmMetrics: [
      {
        metric: 'StuckTransfers',
        description: 'A transfer has not completed or failed within the expected time',
      },
    ],
    memoryMb: 256,
    timeoutSeconds: 60,
    tables: { transfersInFlight: 'read', events: 'append', snapshots: 'read' },
  },
  eventFeed: {
    description: 'GET /events: the global log over HTTP, from a position, optionally by type.',
    entry: 'functions/global-log/feed.ts',
    trigger: 'http',
    alarmMetrics: corruptEventsAlarm,
    memoryMb: 256,
    timeoutSeconds: 10,
    tables: { events: 'read', globalLog: 'read' },
  },
  projections: hostFunction(streamHosts.projections),
  reactions: hostFunction(streamHosts.reactions),
} as const satisfies Record<string, FunctionDeclaration>;

export type FunctionKey = keyof typeof functions;

/** `ANY` matches every method; a route with the request's own method is preferred to it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

export interface RouteDeclaration {
  readonly method: HttpMethod;
  /** API Gateway path with `{name}` parameters, e.g. `/accounts/{accountId}`. */
  readonly path: string;
  readonly function: FunctionKey;
  /**
   * `iam`: only SigV4-signed callers with `execute-api:Invoke`, even when the API's default
   * authorizer accepts JWTs (operator and internal routes).
   */
  readonly authorization?: 'iam';
}

/** Every HTTP route; API Gateway's `routeKey` for a route is `${method} ${path}`. */
export const routes: readonly RouteDeclaration[] = [
  { method: 'GET', path: '/health', function: 'health' },
  { method: 'POST', path: '/accounts', function: 'accountCommands' },
  { method: 'POST', path: '/accounts/{accountId}/deposits', function: 'accountCommands' },
  { method: 'POST', path: '/accounts/{accountId}/withdrawals', function: 'accountCommands' },
  { method: 'POST', path: '/accounts/{accountId}/close', function: 'accountCommands' },
  { method: 'GET', path: '/accounts/{accountId}', function: 'accountQueries' },
  { method: 'GET', path: '/accounts/{accountId}/history', function: 'accountQueries' },
  { method: 'GET', path: '/accounts/{accountId}/state', function: 'accountQueries' },
  { method: 'GET', path: '/accounts/{accountId}/events', function: 'accountQueries' },
  { method: 'GET', path: '/owners/{ownerId}/accounts', function: 'accountQueries' },
  { method: 'POST', path: '/orders', function: 'orderCommands' },
  { method: 'POST', path: '/orders/{orderId}/items', function: 'orderCommands' },
  { method: 'POST', path: '/orders/{orderId}/confirm', function: 'orderCommands' },
  { method: 'POST', path: '/orders/{orderId}/ship', function: 'orderCommands' },
  { method: 'POST', path: '/orders/{orderId}/deliver', function: 'orderCommands' },
  { method: 'POST', path: '/orders/{orderId}/cancel', function: 'orderCommands' },
  { method: 'GET', path: '/orders/{orderId}', function: 'orderQueries' },
  { method: 'GET', path: '/customers/{customerId}/orders', function: 'orderQueries' },
  { method: 'POST', path: '/transfers', function: 'transferCommands' },
  { method: 'GET', path: '/transfers/{transferId}', function: 'transferQueries' },
  { method: 'GET', path: '/events', function: 'eventFeed', authorization: 'iam' },
  // Everything else gets the API's JSON 404 instead of API Gateway's own.
  { method: 'ANY', path: '/', function: 'health' },
  { method: 'ANY', path: '/{proxy+}', function: 'health' },
];

/**
 * The stream readers that exceed `MAX_READERS_PER_STREAM` on some table, one problem per
 * stream, naming its readers.
 */
export function streamReaderProblems(
  hosts: Readonly<Record<string, { readonly source: string }>>,
): string[] {
  const readers = new Map<string, string[]>();
  for (const [key, host] of Object.entries(hosts)) {
    readers.set(host.source, [...(readers.get(host.source) ?? []), key]);
  }
  return [...readers]
    .filter(([, keys]) => keys.length > MAX_READERS_PER_STREAM)
    .map(
      ([table, keys]) =>
        `the stream of table ${table} has ${keys.length} readers (${keys.join(', ')}); ` +
        `AWS allows at most ${MAX_READERS_PER_STREAM}: host the consumers in existing readers`,
    );
}

/** Environment variable through which a function learns the physical name of a table. */
export function tableNameEnvVar(table: string): string {
  return `TABLE_${table.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

/** Physical table name handed to a function through its environment. */
export function tableNameFromEnv(table: TableKey, env: NodeJS.ProcessEnv = process.env): string {
  const variable = tableNameEnvVar(table);
  const name = env[variable];
  if (!name)
    throw new Error(`Environment variable ${variable} (name of the ${table} table) is not set`);
  return name;
}

/** Physical table names for a local stack or test run: the logical name behind a prefix. */
export function prefixedTableNames(prefix: string): Record<TableKey, string> {
  return Object.fromEntries(Object.keys(tables).map((key) => [key, `${prefix}${key}`])) as Record<
    TableKey,
    string
  >;
}

/** The environment variables that tell functions the physical table names. */
export function tableEnvironment(names: Record<TableKey, string>): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(names) as TableKey[]).map((key) => [tableNameEnvVar(key), names[key]]),
  );
}

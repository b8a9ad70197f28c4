/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
/**
 * The one declaration of the system: tables, functions, routes, and the readers of table
 * streams with the consumers each hosts. The CDK app (`lib/`) turns it into AWS resources and
 * the local stack (`local/`) turns it into DynamoDB Local tables and processes, so the two
 * cannot drift.
 *
 * This module is plain data: it must not import the AWS SDK or aws-cdk-lib.
 */
import {
  CORRUPT_EVENTS_METRIC,
  EVENTS_STREAM_MAPPING,
  hostFunction,
  projectionConsumer,
  readModelTable,
  type FunctionDeclaration,
  type RouteDeclaration,
  type StreamHostDeclaration,
  type TableDeclaration,
} from './eventsourcing/declaration';

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

/** HTTP functions that read events report the corrupt ones they meet, with an alarm. */
const corruptEventsAlarm = [
  {
    metric: CORRUPT_EVENTS_METRIC,
    description:
      'A stored event does not fit its schema: commands on its stream fail until it is repaired ' +
      '(npm run es -- corrupt lists such events)',
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
  }) as const satisfies FunctionDeclaration<TableKey>;

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
    ...EVENTS_STREAM_MAPPING,
    consumers: {
      'account-summaries': projectionConsumer(
        'Each account with its balance and status.',
        'accountSummaries',
      ),
      'account-transactions': projectionConsumer(
        "Each account's deposits and withdrawals with the balance after each.",
        'accountTransactions',
      ),
      'owner-accounts': projectionConsumer('The accounts of each owner.', 'ownerAccounts'),
      'order-summaries': projectionConsumer(
        'Each order with its items, total, shipping and timeline.',
        'orderSummaries',
      ),
      'customer-orders': projectionConsumer(
        'The orders of each customer, newest first.',
        'customerOrders',
      ),
      'transfers-in-flight': projectionConsumer(
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
    ...EVENTS_STREAM_MAPPING,
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
} as const satisfies Record<string, StreamHostDeclaration<TableKey>>;

export type StreamHostKey = keyof typeof streamHosts;

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
} as const satisfies Record<string, FunctionDeclaration<TableKey>>;

export type FunctionKey = keyof typeof functions;

/** Every HTTP route; API Gateway's `routeKey` for a route is `${method} ${path}`. */
export const routes: readonly RouteDeclaration<FunctionKey>[] = [
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

/**
 * The one declaration of the system: the bounded contexts it is made of, combined with the
 * infrastructure they share. The CDK app (`lib/`) turns it into AWS resources and the local
 * stack (`local/`) into DynamoDB Local tables and processes, so the two cannot drift.
 *
 * A new context is its own folder with a `module.ts`, and one entry in `contexts` below.
 *
 * It loads the contexts' modules (their events, projections and routes), and with them the
 * framework; it must not import aws-cdk-lib.
 */
import { accountsModule } from './accounts/module';
import {
  erasureFunction,
  functionsOf,
  hostFunction,
  projectionConsumers,
  projectionsOf,
  reactionsOf,
  routesOf,
  tablesOf,
  type FunctionDeclaration,
  type StreamHostDeclaration,
} from './eventsourcing/declaration';
import {
  projectionsReader,
  reactionsReader,
  sharedBuckets,
  sharedFunctions,
  sharedReactions,
  sharedSigningKeys,
  sharedTables,
} from './infrastructure';
import { inventoryModule } from './inventory/module';
import { processesOf, timerTargetFunction } from './eventsourcing/process-manager/grants';
import { ordersModule } from './orders/module';
import { transfersModule } from './transfers/module';

/** The bounded contexts of the system, each declared in its own folder. */
export const contexts = [accountsModule, ordersModule, transfersModule, inventoryModule] as const;

export const tables = { ...sharedTables, ...tablesOf(contexts) };

export type TableKey = keyof typeof tables;

export const buckets = sharedBuckets;

export type BucketKey = keyof typeof buckets;

export const signingKeys = sharedSigningKeys;

/** Every projection of every context: the projections reader hosts them all. */
export const projections = projectionsOf(contexts);

export const streamHosts = {
  projections: { ...projectionsReader, consumers: projectionConsumers(projections) },
  reactions: { ...reactionsReader, consumers: { ...sharedReactions, ...reactionsOf(contexts) } },
} as const satisfies Record<string, StreamHostDeclaration<TableKey, BucketKey>>;

export type StreamHostKey = keyof typeof streamHosts;

export const functions = {
  ...sharedFunctions,
  ...functionsOf(contexts),
  subjectErasure: erasureFunction(tables, 'functions/erasure.ts'),
  projections: hostFunction(streamHosts.projections),
  reactions: hostFunction(streamHosts.reactions),
  processTimers: timerTargetFunction(
    processesOf(streamHosts.reactions.consumers),
    'functions/process-timers.ts',
  ),
} as const satisfies Record<string, FunctionDeclaration<TableKey, BucketKey>>;

export type FunctionKey = keyof typeof functions;

/** Every HTTP route, from the functions that serve them; `routeKey` is `${method} ${path}`. */
export const routes = routesOf(functions);

export {
  INSTANT_STORAGE_CLASSES,
  type BucketAccess,
  type BucketDeclaration,
  type BucketGrants,
  type BucketTransition,
} from './buckets.js';
export { archiversOf, effectiveBuckets } from './archive.js';
export { InvalidDeclarationError, InvalidSettingError } from './errors.js';
export {
  EVENT_BUS_NAME_VARIABLE,
  routeKeysOf,
  routesOf,
  type FunctionDeclaration,
  type HttpMethod,
  type RouteDeclaration,
  type RouteKey,
  type RouteExample,
  type RouteSpec,
  type PersonalDataAccess,
} from './functions.js';
export {
  EVENTS_STREAM_MAPPING,
  EVENT_INSERT_PATTERN,
  MAX_READERS_PER_STREAM,
  broadestBucketGrants,
  broadestGrants,
  hostFunction,
  projectionConsumer,
  streamReaderProblems,
  type ConsumerDeclaration,
  type ReactionDeclaration,
  type StreamHostDeclaration,
} from './stream-hosts.js';
export type { SigningKeyAccess, SigningKeyDeclaration, SigningKeyGrants } from './signing-keys.js';
export type { SystemDeclaration } from './system.js';
export {
  bucketEnvironment,
  bucketNameEnvVar,
  bucketNameFromEnv,
  prefixedBucketNames,
  prefixedTableNames,
  signingKeyEnvVar,
  signingKeyFromEnv,
  tableEnvironment,
  tableNameEnvVar,
  tableNameFromEnv,
} from './resource-names.js';
export {
  readModelTable,
  type AttributeType,
  type GlobalIndexDeclaration,
  type KeyAttribute,
  type TableAccess,
  type TableDeclaration,
  type TableGrants,
} from './tables.js';
export { MAX_SCHEDULE_MINUTES, declarationProblems, validateDeclaration } from './validate.js';
// The metrics the framework emits, for the infrastructure that alarms on them.
export { CONSUMER_METRICS } from '../consumers/metric-names.js';
export { CORRUPT_EVENTS_METRIC } from '../errors.js';
export {
  GLOBAL_LOG_EVENTS_INDEXED_METRIC,
  GLOBAL_LOG_LAG_METRIC,
} from '../global-log/metric-names.js';
export {
  contextModule,
  functionsOf,
  integrationMappingsOf,
  projectionConsumers,
  projectionsOf,
  reactionsOf,
  retentionOf,
  tablesOf,
  type AnyContextModule,
  type ContextModule,
  type EventOfContexts,
  type IntegrationMapping,
  type PublishedTypeOf,
} from './context.js';
// Loading declared handlers, checking them, and the names of the stack's outputs.
export {
  FRAMEWORK_ENTRY_PREFIX,
  entryFile,
  importFunctionHandler,
  loadFunctionHandler,
} from './function-modules.js';
export { checkHandlers } from './handler-exports.js';
export { checkContextFolders, contextFolderProblems } from './context-folders.js';
export {
  bucketOutputId,
  publicKeyOutputId,
  signingKeyOutputId,
  tableOutputId,
} from './output-ids.js';
export { erasureFunction } from '../personal/erasure-function.js';

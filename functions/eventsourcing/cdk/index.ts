/**
 * `…/cdk`: the AWS CDK constructs that turn a system declaration into AWS resources. Needs
 * `aws-cdk-lib`, `constructs` and, for the checks, `cdk-nag` (peer dependencies).
 */
export { EventSourcingStack, type EventSourcingStackProps } from './event-sourcing-stack.js';
export {
  readDeploymentSettings,
  scheduleMinutesOf,
  type ApiAuthorization,
  type DeploymentSettings,
} from './settings.js';
export { InvalidSettingError } from '../declaration/errors.js';
export { addPolicyChecks } from './checks.js';
export {
  APPEND_ONLY_METADATA,
  AppendOnlyTablesCheck,
  appendOnlyTables,
  findAppendOnlyViolations,
  type AppendOnlyViolation,
  type CloudFormationTemplate,
} from './append-only-check.js';
export { recordBundleSizes, BUNDLE_SIZES_FILE, type BundleSize } from './bundle-sizes.js';
export { IntegrationBus } from './integration-bus.js';
export { TimerResources } from './timers.js';
export { SystemFunction, metricsNamespace, type SystemFunctionProps } from './functions.js';
export { SystemTables, ITEM_CHANGING_ACTIONS, type DeclaredTable } from './tables.js';
export { SystemBuckets, WRITE_ONCE_DENIED_ACTIONS, type DeclaredBucket } from './buckets.js';
export { SystemSigningKeys, signingKeyActions, type DeclaredSigningKey } from './signing-keys.js';
export { grantTableAccess } from './table-access.js';
export { grantBucketAccess, bucketObjectActions } from './bucket-access.js';

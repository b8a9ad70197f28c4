/**
 * The package's entries: each subpath a team imports (`@dynamo-event-sourcing/eventsourcing/cdk`)
 * and the built module it leads to. Modules reached through none of them are internal.
 */
export const PACKAGE_ENTRIES = {
  '.': 'index',
  './testing': 'testing',
  './declaration': 'declaration/index',
  './http': 'http/index',
  './hosts': 'hosts',
  './global-log': 'global-log/index',
  './integrity': 'integrity/index',
  './archive': 'archive/index',
  './process-manager': 'process-manager/index',
  './personal': 'personal/index',
  './timers': 'timers/index',
  './operator': 'operator',
  './aws': 'aws',
  './cdk': 'cdk/index',
} as const;

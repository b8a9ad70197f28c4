import { ConfigurationError } from './errors.js';

/** The kinds of declared resource whose physical names reach functions through the environment. */
type ResourceKind = 'table' | 'bucket' | 'signingKey';

/** `globalLog` → `GLOBAL_LOG`. */
const screamingSnake = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

/** Environment variable through which a function learns the physical name of a resource. */
function nameEnvVar(kind: ResourceKind, key: string): string {
  return `${screamingSnake(kind)}_${screamingSnake(key)}`;
}

/** Physical name of a resource handed to a function through its environment. */
function nameFromEnv(kind: ResourceKind, key: string, env: NodeJS.ProcessEnv): string {
  const variable = nameEnvVar(kind, key);
  const name = env[variable];
  if (!name) {
    throw new ConfigurationError(
      `Environment variable ${variable} (name of the ${key} ${kind}) is not set`,
    );
  }
  return name;
}

/** The environment variables that tell functions the physical names of resources of a kind. */
function environmentOf(
  kind: ResourceKind,
  names: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(names).map(([key, name]) => [nameEnvVar(kind, key), name]),
  );
}

/** `TABLE_<NAME>`: the variable holding a table's physical name. */
export const tableNameEnvVar = (table: string) => nameEnvVar('table', table);

/** Physical table name handed to a function through its environment. */
export const tableNameFromEnv = (table: string, env: NodeJS.ProcessEnv = process.env) =>
  nameFromEnv('table', table, env);

/** The environment variables that tell functions the physical table names. */
export const tableEnvironment = (names: Readonly<Record<string, string>>) =>
  environmentOf('table', names);

/** `BUCKET_<NAME>`: the variable holding a bucket's physical name. */
export const bucketNameEnvVar = (bucket: string) => nameEnvVar('bucket', bucket);

/** Physical bucket name handed to a function through its environment. */
export const bucketNameFromEnv = (bucket: string, env: NodeJS.ProcessEnv = process.env) =>
  nameFromEnv('bucket', bucket, env);

/** The environment variables that tell functions the physical bucket names. */
export const bucketEnvironment = (names: Readonly<Record<string, string>>) =>
  environmentOf('bucket', names);

/** `SIGNING_KEY_<NAME>`: the variable naming a signing key (a KMS key ARN, or `local:<dir>`). */
export const signingKeyEnvVar = (key: string) => nameEnvVar('signingKey', key);

/**
 * The variable naming the master key of subjects' data keys: a KMS key ARN in AWS, or `local:`
 * and the directory of the local master key file. Set for functions declared with `personalData`.
 */
export const PERSONAL_DATA_KEY_VARIABLE = 'PERSONAL_DATA_KEY';

/** The signing key handed to a function through its environment. */
export const signingKeyFromEnv = (key: string, env: NodeJS.ProcessEnv = process.env) =>
  nameFromEnv('signingKey', key, env);

/** Physical table names for a local stack or test run: each logical name behind a prefix. */
export function prefixedTableNames<TableKey extends string>(
  tables: Readonly<Record<TableKey, unknown>>,
  prefix: string,
): Record<TableKey, string> {
  return Object.fromEntries(Object.keys(tables).map((key) => [key, `${prefix}${key}`])) as Record<
    TableKey,
    string
  >;
}

/**
 * Physical bucket names for a local stack or test run: each logical name in lowercase words
 * joined by dashes (S3 allows no capitals) behind a prefix: `eventArchive` → `local-event-archive`.
 */
export function prefixedBucketNames<BucketKey extends string>(
  buckets: Readonly<Record<BucketKey, unknown>>,
  prefix: string,
): Record<BucketKey, string> {
  return Object.fromEntries(
    Object.keys(buckets).map((key) => [
      key,
      `${prefix}${screamingSnake(key).toLowerCase().replaceAll('_', '-')}`,
    ]),
  ) as Record<BucketKey, string>;
}

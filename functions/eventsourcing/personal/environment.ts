import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PERSONAL_DATA_KEY_VARIABLE, tableNameFromEnv } from '../declaration/resource-names.js';
import { DynamoDbSubjectKeys } from './dynamodb-subject-keys.js';
import type { DataKey, DataKeyWrapper, KeyContext } from './key-wrapper.js';
import { LocalKeyWrapper } from './local-key-wrapper.js';
import { PersonalData } from './personal-data.js';

export { PERSONAL_DATA_KEY_VARIABLE };

/** How the local stack names its master key: `local:` and the directory of the key file. */
export const LOCAL_PERSONAL_DATA_KEY_PREFIX = 'local:';

/**
 * A KMS key, its client loaded on first use: the KMS client is an optional peer dependency, so
 * the package's root entry (which reads this environment) must not load it up front.
 */
class DeferredKmsKeyWrapper implements DataKeyWrapper {
  private inner: Promise<DataKeyWrapper> | undefined;

  constructor(private readonly keyId: string) {}

  private wrapper(): Promise<DataKeyWrapper> {
    this.inner ??= Promise.all([import('@aws-sdk/client-kms'), import('./key-wrapper.js')]).then(
      ([kms, wrappers]) => new wrappers.KmsKeyWrapper(new kms.KMSClient({}), this.keyId),
    );
    return this.inner;
  }

  async generateDataKey(context: KeyContext): Promise<DataKey> {
    return (await this.wrapper()).generateDataKey(context);
  }

  async unwrap(wrapped: Uint8Array, context: KeyContext): Promise<Uint8Array> {
    return (await this.wrapper()).unwrap(wrapped, context);
  }
}

/** The master key the variable names: KMS in AWS, a local key file otherwise. */
export function keyWrapperFor(value: string): DataKeyWrapper {
  return value.startsWith(LOCAL_PERSONAL_DATA_KEY_PREFIX)
    ? new LocalKeyWrapper(value.slice(LOCAL_PERSONAL_DATA_KEY_PREFIX.length))
    : new DeferredKmsKeyWrapper(value);
}

/**
 * The subjects' data keys as a function finds them in its environment (`PERSONAL_DATA_KEY`,
 * `TABLE_DATAKEYS`, `TABLE_EVENTS`); undefined for a function declared without personal data.
 */
export function subjectKeysFromEnv(
  client: DynamoDBClient,
  env: NodeJS.ProcessEnv = process.env,
): DynamoDbSubjectKeys | undefined {
  const key = env[PERSONAL_DATA_KEY_VARIABLE];
  if (!key) return undefined;
  return new DynamoDbSubjectKeys({
    client,
    tables: {
      dataKeys: tableNameFromEnv('dataKeys', env),
      events: tableNameFromEnv('events', env),
    },
    wrapper: keyWrapperFor(key),
  });
}

/**
 * Personal data sealed and opened with the keys the environment names; undefined for a function
 * declared without personal data (a store without it refuses to write personal values).
 */
export function personalDataFromEnv(
  client: DynamoDBClient,
  env: NodeJS.ProcessEnv = process.env,
): PersonalData | undefined {
  const keys = subjectKeysFromEnv(client, env);
  return keys && new PersonalData(keys);
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { PERSONAL_DATA_KEY_VARIABLE, tableNameFromEnv } from '../declaration/resource-names.js';
import { DynamoDbSubjectKeys } from './dynamodb-subject-keys.js';
import { KmsKeyWrapper, type DataKeyWrapper } from './key-wrapper.js';
import { LocalKeyWrapper } from './local-key-wrapper.js';
import { PersonalData } from './personal-data.js';

export { PERSONAL_DATA_KEY_VARIABLE };

/** How the local stack names its master key: `local:` and the directory of the key file. */
export const LOCAL_PERSONAL_DATA_KEY_PREFIX = 'local:';

/** The master key the variable names: KMS in AWS, a local key file otherwise. */
export function keyWrapperFor(value: string): DataKeyWrapper {
  return value.startsWith(LOCAL_PERSONAL_DATA_KEY_PREFIX)
    ? new LocalKeyWrapper(value.slice(LOCAL_PERSONAL_DATA_KEY_PREFIX.length))
    : new KmsKeyWrapper(new KMSClient({}), value);
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

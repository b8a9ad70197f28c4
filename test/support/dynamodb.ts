import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { prefixedTableNames } from '../../functions/eventsourcing/declaration';
import { tables as declaredTables, type TableKey } from '../../functions/system';
import { createTables } from '../../local/tables';

export interface TestTables {
  readonly client: DynamoDBClient;
  readonly names: Record<TableKey, string>;
  readonly endpoint: string;
}

/** Fresh copies of every declared table in the run's DynamoDB Local, under a unique prefix. */
export async function createTestTables(): Promise<TestTables> {
  const endpoint = inject('dynamoDbEndpoint');
  process.env.DYNAMODB_ENDPOINT = endpoint;
  const client = createDynamoDbClient({ endpoint, region: 'local' });
  const names = prefixedTableNames(declaredTables, `t${randomUUID().slice(0, 8)}-`);
  await createTables(client, names);
  return { client, names, endpoint };
}

/** What a reaction's runtime or host needs of the test tables: the client and its tables. */
export const reactionOptions = ({ client, names }: TestTables) => ({
  client,
  tables: {
    events: names.events,
    parkedStreams: names.parkedStreams,
    reactionPositions: names.reactionPositions,
  },
});

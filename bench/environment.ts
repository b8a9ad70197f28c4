import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../functions/eventsourcing/dynamodb-client';
import { prefixedTableNames, type TableKey } from '../functions/system';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { createTables } from '../local/tables';
import { castoreAccounts, castoreTableInput, type CastoreAccounts } from './castore';

/** One DynamoDB Local with the framework's tables and Castore's table, shared by every section. */
export interface BenchEnvironment {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tables: Record<TableKey, string>;
  readonly castoreTable: string;
  readonly castore: CastoreAccounts;
  stop(): Promise<void>;
}

export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const dynamoDb: DynamoDbLocal = await startDynamoDbLocal();
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint, region: 'local' });
  try {
    const tables = prefixedTableNames('bench-');
    await createTables(client, tables);
    const castoreTable = 'bench-castore-events';
    await client.send(new CreateTableCommand(castoreTableInput(castoreTable)));
    return {
      endpoint: dynamoDb.endpoint,
      client,
      tables,
      castoreTable,
      castore: castoreAccounts(client, castoreTable),
      async stop() {
        client.destroy();
        await dynamoDb.stop();
      },
    };
  } catch (error) {
    client.destroy();
    await dynamoDb.stop();
    throw error;
  }
}

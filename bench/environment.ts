import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../functions/eventsourcing/dynamodb-client';
import { prefixedTableNames, type TableKey } from '../functions/system';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { createTables } from '../local/tables';
import { castoreAccounts, castoreTableInput, type CastoreAccounts } from './castore';

/** The framework's declared tables and a Castore table beside them. */
export interface TableSet {
  readonly tables: Record<TableKey, string>;
  readonly castoreTable: string;
  readonly castore: CastoreAccounts;
}

/** One DynamoDB Local with the tables every section uses. */
export interface BenchEnvironment extends TableSet {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** Tables only the load benchmarks read, so no other section's data sits in them. */
  readonly loadTables: TableSet;
  stop(): Promise<void>;
}

async function createTableSet(client: DynamoDBClient, prefix: string): Promise<TableSet> {
  const tables = prefixedTableNames(prefix);
  await createTables(client, tables);
  const castoreTable = `${prefix}castore-events`;
  await client.send(new CreateTableCommand(castoreTableInput(castoreTable)));
  return { tables, castoreTable, castore: castoreAccounts(client, castoreTable) };
}

/**
 * Starts DynamoDB Local and creates every table up front: a table DynamoDB Local creates after
 * its database has filled answers each request tens of milliseconds slower than one created
 * before.
 */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const dynamoDb: DynamoDbLocal = await startDynamoDbLocal();
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint, region: 'local' });
  try {
    const main = await createTableSet(client, 'bench-');
    const loadTables = await createTableSet(client, 'bench-loads-');
    return {
      ...main,
      endpoint: dynamoDb.endpoint,
      client,
      loadTables,
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

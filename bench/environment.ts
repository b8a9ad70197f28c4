import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createDynamoDbClient } from '../functions/eventsourcing';
import { prefixedTableNames } from '../functions/eventsourcing/declaration';
import { tables as declaredTables, type TableKey } from '../functions/system';
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

const MARKER_KEY_VALUES: Record<string, AttributeValue> = {
  S: { S: 'bench-first-write' },
  N: { N: '0' },
  B: { B: new Uint8Array([0]) },
};

/**
 * Writes one keys-only item (no event: it has no type) into a new table. DynamoDB Local serves a
 * table whose first write comes after its database has filled tens of times slower for good
 * (about 25 ms instead of 0.7 ms per PutItem on the bench machine); a read does not prevent it,
 * a first write made while the database is small does.
 */
export async function writeFirstItem(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const types = new Map(
    (Table?.AttributeDefinitions ?? []).map((d) => [d.AttributeName, d.AttributeType]),
  );
  const Item = Object.fromEntries(
    (Table?.KeySchema ?? []).map((key) => [
      key.AttributeName!,
      MARKER_KEY_VALUES[types.get(key.AttributeName) ?? 'S']!,
    ]),
  );
  await client.send(new PutItemCommand({ TableName: tableName, Item }));
}

async function createTableSet(client: DynamoDBClient, prefix: string): Promise<TableSet> {
  const tables = prefixedTableNames(declaredTables, prefix);
  await createTables(client, tables);
  const castoreTable = `${prefix}castore-events`;
  await client.send(new CreateTableCommand(castoreTableInput(castoreTable)));
  for (const name of [...Object.values(tables), castoreTable]) await writeFirstItem(client, name);
  return { tables, castoreTable, castore: castoreAccounts(client, castoreTable) };
}

/** Starts DynamoDB Local and creates (and first writes) every table up front. */
export async function startBenchEnvironment(): Promise<BenchEnvironment> {
  const dynamoDb: DynamoDbLocal = await startDynamoDbLocal();
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint, region: 'local' });
  const stop = async () => {
    client.destroy();
    await dynamoDb.stop();
  };
  try {
    const main = await createTableSet(client, 'bench-');
    const loadTables = await createTableSet(client, 'bench-loads-');
    return { ...main, endpoint: dynamoDb.endpoint, client, loadTables, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

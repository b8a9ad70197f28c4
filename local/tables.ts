import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDeclaration } from '../functions/eventsourcing/declaration';
import { tables, type TableKey } from '../functions/system';

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): KeySchemaElement[] {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

/** The CreateTable request for a declared table, as the CDK app would create it. */
export function createTableInput(name: string, table: TableDeclaration): CreateTableCommandInput {
  const keys = [
    table.partitionKey,
    table.sortKey,
    ...(table.globalIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
  ].filter((key): key is KeyAttribute => key !== undefined);
  const attributeDefinitions = new Map<string, AttributeDefinition>();
  for (const key of keys) {
    attributeDefinitions.set(key.name, { AttributeName: key.name, AttributeType: key.type });
  }
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: keySchema(table.partitionKey, table.sortKey),
    AttributeDefinitions: [...attributeDefinitions.values()],
    ...(table.globalIndexes?.length
      ? {
          GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: 'ALL' },
          })),
        }
      : {}),
    ...(table.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream } }
      : {}),
  };
}

/** Creates every declared table that does not exist yet; existing tables are left as they are. */
export async function createTables(
  client: DynamoDBClient,
  names: Record<TableKey, string>,
): Promise<void> {
  for (const key of Object.keys(tables) as TableKey[]) {
    const declaration: TableDeclaration = tables[key];
    const name = names[key];
    try {
      await client.send(new CreateTableCommand(createTableInput(name, declaration)));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      continue;
    }
    if (declaration.timeToLiveAttribute) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: {
            AttributeName: declaration.timeToLiveAttribute,
            Enabled: true,
          },
        }),
      );
    }
  }
}

/** ARN of the table's latest stream, for stream consumers. */
export async function latestStreamArn(client: DynamoDBClient, tableName: string): Promise<string> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!Table?.LatestStreamArn) throw new Error(`Table ${tableName} has no stream`);
  return Table.LatestStreamArn;
}

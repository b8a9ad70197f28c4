import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../functions/eventsourcing';
import type { GlobalLogReader } from '../../functions/eventsourcing/global-log';
import type { ProjectionRuntime } from '../../functions/eventsourcing/hosts';
import { FailureDirectory } from '../../local/failure-destination';
import { localFunctionArn } from '../../local/lambda-context';
import type { EsIo } from '../../local/es/context';
import { createGlobalLogFixture } from '../support/global-log';
import { runOperator, testEsContext } from '../support/operator';
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

const context = (io: EsIo) => ({
  ...testEsContext(tables, io, { log, consumers: new Map([['accounts', runtime]]) }),
  failureRecords: () => failures,
});

async function run(...args: string[]) {
  const { code, output } = await runOperator(args, context);
  return { code, output };
}

describe('npm run es -- failures', () => {
  it('lists an on-failure record, re-drives its batch through the consumers once, and marks it', async () => {
    const store = new EventStore({
      client: tables.client,
      tableName: tables.names.events,
      catalogue: balanceEvents,
    });
    const { events } = await store.append(
      'acc-lost',
      [
        { type: 'Opened', data: { owner: 'ann' } },
        { type: 'Deposited', data: { amount: 5 } },
      ],
      { expectedVersion: 'no_stream' },
    );
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
});

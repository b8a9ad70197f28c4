import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../local/wait-for';
import { createTestTables, type TestTables } from '../support/dynamodb';

const ROOT = '1-67a1b2c3-0123456789abcdef01234567';

/** An X-Ray segment document as the SDK sends it to the daemon. */
interface SegmentDocument {
  readonly id: string;
  readonly name: string;
  readonly trace_id: string;
  readonly parent_id?: string;
  readonly annotations?: Record<string, unknown>;
  readonly aws?: { readonly operation?: string };
}

let tables: TestTables;
let daemon: Socket;
const received: SegmentDocument[] = [];

beforeAll(async () => {
  tables = await createTestTables();
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    // A header line, then the document.
    const [, body] = message.toString('utf8').split('\n');
    if (body) received.push(JSON.parse(body) as SegmentDocument);
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
});
afterAll(() => {
  daemon?.close();
  tables?.client.destroy();
});

/**
 * Appends an event in a fresh process, then reads its stream as a consumer of that event
 * would; prints the event's stored metadata.
 */
function appendAndConsume(streamId: string, env: Record<string, string>): Record<string, unknown> {
  const program =
    "const { EventStore, createDynamoDbClient } = await import('./functions/eventsourcing/index.ts');" +
    "const { inEventContext } = await import('./functions/eventsourcing/consumers/event-context.ts');" +
    "const { balanceEvents: catalogue } = await import('./test/support/test-events.ts');" +
    'const store = new EventStore({ client: createDynamoDbClient(), tableName: process.env.EVENTS, catalogue });' +
    "await store.append(process.env.STREAM, [{ type: 'Opened', data: { owner: 'o' } }], { expectedVersion: 'no_stream', metadata: { correlationId: 'request-1' } });" +
    'const [event] = await store.read(process.env.STREAM);' +
    "await inEventContext('probe', event, () => store.read(process.env.STREAM));" +
    'console.log(JSON.stringify(event.metadata));';
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', program],
    {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        DYNAMODB_ENDPOINT: tables.endpoint,
        EVENTS: tables.names.events,
        STREAM: streamId,
        ...env,
      },
    },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('tracing', () => {
  it('in Lambda: records the trace in the event, traces SDK calls, and annotates a consumer with the request', async () => {
    const { port } = daemon.address();
    const metadata = appendAndConsume('probe-traced', {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      POWERTOOLS_SERVICE_NAME: 'probe',
      _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=53995c3f42cd8ad8;Sampled=1`,
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${port}`,
      AWS_XRAY_LOG_LEVEL: 'silent',
    });
    expect(metadata).toEqual({ correlationId: 'request-1', traceId: ROOT });

    const consumer = await waitFor(() => received.find((segment) => segment.name === '## probe'), {
      timeoutMs: 10_000,
      intervalMs: 20,
      description: "the consumer's subsegment",
    });
    expect(consumer).toMatchObject({
      trace_id: ROOT,
      annotations: {
        consumer: 'probe',
        streamId: 'probe-traced',
        correlationId: 'request-1',
        causedByTrace: ROOT,
      },
    });
    const calls = received.filter((segment) => segment.name === 'DynamoDB');
    expect(calls.map((call) => call.aws?.operation)).toContain('TransactWriteItems');
    // The consumer's read is a call within its subsegment.
    const within = calls.filter((call) => call.parent_id === consumer.id);
    expect(within.map((call) => call.aws?.operation)).toContain('Query');
  });

  it('elsewhere does nothing: no trace id in the event', () => {
    expect(appendAndConsume('probe-local', {})).toEqual({ correlationId: 'request-1' });
  });
});

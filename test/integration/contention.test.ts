import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  AggregateRepository,
  CommandHandler,
  EventStore,
  SnapshotStore,
  createDynamoDbClient,
  everyNEvents,
  type SnapshotSettings,
} from '../../functions/eventsourcing';
import { DEFAULT_RETRY } from '../../functions/eventsourcing/command-handler';
import {
  IdempotencyKeys,
  commandResponse,
  commandRoutes,
  httpHandler,
  money,
  resourceId,
} from '../../functions/eventsourcing/http';
import { apiEvent } from '../support/api-gateway-events';
import { counter } from '../support/counter';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { counterEvents } from '../support/test-events';

let tables: TestTables;
let streamCounter = 0;
const newStreamId = () => `hot-${Date.now()}-${++streamCounter}`;

const storeOn = (client: DynamoDBClient) =>
  new EventStore({ client, tableName: tables.names.events, catalogue: counterEvents });

const snapshotSettings = (client: DynamoDBClient): SnapshotSettings => ({
  store: new SnapshotStore(client, tables.names.snapshots),
  strategy: everyNEvents(10),
  stateVersion: 1,
});

const increment = { type: 'increment', by: 1 } as const;
const incremented = { type: 'Incremented', data: { by: 1 } } as const;

beforeAll(async () => {
  tables = await createTestTables();
});

/** One request a client sent, with the number of items a Query returned. */
interface SentRequest {
  readonly command: string;
  readonly input: Record<string, unknown>;
  readonly items: number;
}

/** A client of its own whose every request is recorded, refused writes included. */
function recordingClient(): { client: DynamoDBClient; sent: SentRequest[] } {
  const client = createDynamoDbClient({ endpoint: tables.endpoint, region: 'local' });
  const sent: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = {
        command: context.commandName ?? '',
        input: args.input as Record<string, unknown>,
        items: 0,
      };
      sent.push(request);
      const result = await next(args);
      request.items = (result.output as { Count?: number }).Count ?? 0;
      return result;
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return { client, sent };
}

/** Queries that read events (a head read asks for the version and hash only). */
const eventReads = (sent: readonly SentRequest[]) =>
  sent.filter(
    (r) =>
      r.command === 'QueryCommand' &&
      r.input.TableName === tables.names.events &&
      r.input.ProjectionExpression === undefined,
  );

describe('commands on a hot stream', () => {
  it('commits every command of 4 concurrent writers within the default retry budget', async () => {
    const streamId = newStreamId();
    // Four writers as four Lambda containers: a handler and a store each, the default policy.
    const writers = Array.from(
      { length: 4 },
      () => new CommandHandler(new AggregateRepository(storeOn(tables.client), counter)),
    );
    const perWriter = 5;
    // Every lost race is a commit by another writer: at most 15 here, below the 20 attempts.
    const results = await Promise.all(
      writers.map(async (writer) => {
        const versions: number[] = [];
        for (let i = 0; i < perWriter; i++) {
          versions.push((await writer.handle(streamId, increment)).version);
        }
        return versions;
      }),
    );
    expect(
      results
        .flat()
        .sort((a, b) => a - b)
        .join(','),
    ).toBe(Array.from({ length: 4 * perWriter }, (_, i) => i + 1).join(','));
    const loaded = await new AggregateRepository(storeOn(tables.client), counter).load(streamId);
    expect(loaded.state).toEqual({ value: 20, operations: 20 });
  });

  it('runs the commands one handler gets for a stream one after another, other streams beside them', async () => {
    const [hot, other] = [newStreamId(), newStreamId()];
    const { client, sent } = recordingClient();
    const handler = new CommandHandler(new AggregateRepository(storeOn(client), counter));
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const first = handler.handle(hot, increment, { guard: () => gate });
    const queued = Array.from({ length: 15 }, () => handler.handle(hot, increment));
    // The hot stream waits on its first command; a command on another stream does not.
    expect((await handler.handle(other, increment)).version).toBe(1);
    open();
    const results = await Promise.all([first, ...queued]);
    expect(results.map((result) => result.version)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    // One write per command: none lost a race.
    const writes = sent.filter((r) => /^(PutItem|TransactWriteItems)Command$/.test(r.command));
    expect(writes).toHaveLength(17);
  });

  it.each([
    ['without snapshots', undefined],
    ['with snapshots', snapshotSettings],
  ] as const)(
    'retries a lost race reading only the events appended since, %s',
    async (_, snapshots) => {
      const streamId = newStreamId();
      const rival = storeOn(tables.client);
      await rival.append(
        streamId,
        Array.from({ length: 30 }, () => incremented),
        { expectedVersion: 'no_stream' },
      );
      const { client, sent } = recordingClient();
      const repository = new AggregateRepository(storeOn(client), counter, snapshots?.(client));
      const handler = new CommandHandler(repository);
      // Where each attempt's decision starts in the requests sent, and the version it saw.
      const attempts: { sentBefore: number; version: number; value: number }[] = [];
      const result = await handler.handle(streamId, increment, {
        guard: async (loaded) => {
          attempts.push({
            sentBefore: sent.length,
            version: loaded.version,
            value: loaded.state.value,
          });
          // Three events from another writer between the first load and its append.
          if (attempts.length === 1) {
            await rival.append(streamId, [incremented, incremented, incremented], {
              expectedVersion: 30,
            });
          }
        },
      });

      expect(attempts.map(({ version, value }) => ({ version, value }))).toEqual([
        { version: 30, value: 30 },
        { version: 33, value: 33 },
      ]);
      expect(result).toMatchObject({ version: 34, state: { value: 34, operations: 34 } });
      const retry = sent.slice(attempts[0]!.sentBefore, attempts[1]!.sentBefore);
      // The retry read the three new events in one Query from version 31 on, and nothing else.
      const reads = eventReads(retry);
      expect(reads.map((r) => r.items)).toEqual([3]);
      expect(reads[0]!.input.ExpressionAttributeValues).toMatchObject({ ':from': { N: '31' } });
      expect(retry.filter((r) => r.input.TableName === tables.names.snapshots)).toEqual([]);
    },
  );

  it('decides again on state caught up from the events another writer appended', async () => {
    const streamId = newStreamId();
    const rival = storeOn(tables.client);
    await rival.append(streamId, [{ type: 'Incremented', data: { by: 5 } }], {
      expectedVersion: 'no_stream',
    });
    const handler = new CommandHandler(new AggregateRepository(storeOn(tables.client), counter));
    let loads = 0;
    // Loaded at 5, decided "5 - 5"; meanwhile a rival took 3 away: the retry must refuse.
    const error = await handler
      .handle(
        streamId,
        { type: 'decrement', by: 5 },
        {
          guard: async () => {
            if (++loads === 1) {
              await rival.append(streamId, [{ type: 'Decremented', data: { by: 3 } }], {
                expectedVersion: 1,
              });
            }
          },
        },
      )
      .catch((e: unknown) => e);
    expect(loads).toBe(2);
    expect(error).toMatchObject({ code: 'BelowZero' });
    expect((await rival.read(streamId)).map((e) => e.type)).toEqual(['Incremented', 'Decremented']);
  });
});

describe('idempotency keys on a hot stream', () => {
  type Answer = { status: number; body: string; replayed: boolean };
  let call: (widgetId: string, key: string | undefined) => Promise<Answer>;

  beforeAll(() => {
    const commands = new CommandHandler(
      new AggregateRepository(storeOn(tables.client), counter),
      DEFAULT_RETRY,
    );
    const keys = new IdempotencyKeys(tables.client, tables.names.idempotency);
    const command = commandRoutes(() => commands);
    const handler = httpHandler(
      {
        'POST /counters/{counterId}': command({
          params: z.strictObject({ counterId: resourceId }),
          body: z.strictObject({ by: money(1000) }),
          target: ({ params, body }) => ({
            streamId: `counter-${params.counterId}`,
            command: { type: 'increment', by: body.by },
          }),
          respond: ({ version, state }) => commandResponse(200, { version, value: state.value }),
        }),
      },
      { idempotencyKeys: () => keys },
    );
    call = async (counterId, key) => {
      const result = await handler(
        apiEvent('POST /counters/{counterId}', {
          path: `/counters/${counterId}`,
          pathParameters: { counterId },
          headers: key === undefined ? {} : { 'idempotency-key': key },
          body: '{"by":1}',
        }),
      );
      return {
        status: result.statusCode ?? 0,
        body: result.body ?? '',
        replayed: result.headers?.['idempotent-replayed'] === 'true',
      };
    };
  });

  it('gives concurrent duplicates one effect while other writers contend for the stream', async () => {
    const counterId = `c${Date.now()}`;
    const keys = ['a', 'b', 'c'].map((name) => `${name}-${counterId}`);
    // Three keys sent four times each, interleaved with four requests without a key.
    const requests = [
      ...keys.flatMap((key) => Array.from({ length: 4 }, () => key)),
      ...Array.from({ length: 4 }, () => undefined),
    ];
    const answers = await Promise.all(requests.map((key) => call(counterId, key)));

    expect(answers.map((a) => a.status)).toEqual(requests.map(() => 200));
    const events = await storeOn(tables.client).read(`counter-${counterId}`);
    // One event per key and one per request without a key: 3 + 4.
    expect(events).toHaveLength(7);
    for (const key of keys) {
      const ofKey = answers.filter((_, i) => requests[i] === key);
      expect(new Set(ofKey.map((a) => a.body)).size).toBe(1);
      expect(ofKey.filter((a) => !a.replayed)).toHaveLength(1);
    }
    const versions = answers.map((a) => (JSON.parse(a.body) as { version: number }).version);
    expect(new Set(versions).size).toBe(7);
  });
});

import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { EventCatalogue, EventStore, type RecordedEvent } from '../../functions/eventsourcing';
import { findCorruptEvents } from '../../functions/eventsourcing/operator';
import { eventsByStream } from '../../functions/eventsourcing/consumers/stream-records';
import { expectedBalances } from '../support/balance-projection';
import { createGlobalLogFixture, type GlobalLogFixture } from '../support/global-log';
import {
  balanceHandler,
  createProjectionTestTables,
  generationItems,
  imageRecord,
  type ProjectionTestTables,
} from '../support/projection-fixture';
import { balanceEvents } from '../support/test-events';

/**
 * Events written before items became compact: every attribute spelled out, `data` and
 * `metadata` as maps, `schemaVersion` always present. They are never rewritten, so every
 * reader must keep reading them.
 */
const legacyEvents: RecordedEvent[] = [
  {
    streamId: 'acc-legacy',
    version: 1,
    eventId: '01J0LEGACY0000000000000001',
    type: 'Opened',
    schemaVersion: 1,
    data: { owner: 'ann' },
    metadata: { actor: 'user:ann', correlationId: 'c-1' },
    recordedAt: '2026-01-02T03:04:05.006Z',
  },
  {
    streamId: 'acc-legacy',
    version: 2,
    eventId: '01J0LEGACY0000000000000002',
    type: 'Deposited',
    schemaVersion: 1,
    data: { amount: 100 },
    metadata: {},
    recordedAt: '2026-01-02T03:04:06.007Z',
  },
];

/** The item exactly as the first layout stored it. */
const legacyItem = (event: RecordedEvent) => marshall(event, { removeUndefinedValues: true });

let tables: ProjectionTestTables;
let log: GlobalLogFixture;
let store: EventStore;
let events: RecordedEvent[];

beforeAll(async () => {
  tables = await createProjectionTestTables();
  log = await createGlobalLogFixture(tables);
  store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: balanceEvents,
  });
  for (const event of legacyEvents) {
    await tables.client.send(
      new PutItemCommand({ TableName: tables.names.events, Item: legacyItem(event) }),
    );
  }
  // A compact event after them, on the same stream.
  const appended = await store.append('acc-legacy', [{ type: 'Deposited', data: { amount: 25 } }], {
    expectedVersion: 2,
    metadata: { actor: 'user:ann' },
  });
  events = [...legacyEvents, ...appended.events];
});

/** The stored items of the stream, as the table holds them. */
async function storedItems() {
  const { Items = [] } = await tables.client.send(
    new QueryCommand({
      TableName: tables.names.events,
      KeyConditionExpression: 'streamId = :s AND version >= :first',
      ExpressionAttributeValues: { ':s': { S: 'acc-legacy' }, ':first': { N: '1' } },
      ConsistentRead: true,
    }),
  );
  return Items;
}

describe('event items of the first layout', () => {
  it('are stored as written, beside a compact item', async () => {
    const [first, , compact] = await storedItems();
    expect(first).toEqual(legacyItem(legacyEvents[0]!));
    expect(Object.keys(compact!).sort()).toEqual(
      ['at', 'data', 'eventId', 'h', 'meta', 'streamId', 'type', 'version'].sort(),
    );
    expect(compact!.data).toEqual({ S: '{"amount":25}' });
  });

  it('read through the event store as they were written', async () => {
    expect(await store.read('acc-legacy')).toEqual(events);
    expect(await store.readLatest('acc-legacy', 2)).toEqual(events.slice(1));
  });

  it('reach stream consumers decoded, and the projection builds its read model from them', async () => {
    const records = (await storedItems()).map((item) => imageRecord(item));
    const decoded = eventsByStream(records).get('acc-legacy')!;
    expect(decoded.map(({ event }) => event)).toEqual(events);

    const handler = balanceHandler(tables, { name: 'legacy' });
    expect(await handler({ Records: records })).toEqual({ batchItemFailures: [] });
    const readModel = await generationItems(
      tables.client,
      tables.projectionTables.readModel,
      'legacy',
      1,
    );
    expect(Object.fromEntries(readModel)).toEqual(Object.fromEntries(expectedBalances(events)));
  });

  it('get positions in the global log and read back from it', async () => {
    const records = (await storedItems()).map((item) => imageRecord(item));
    expect(await log.indexer()({ Records: records })).toEqual({ batchItemFailures: [] });
    const { events: read } = await log.reader({ catalogue: balanceEvents }).read({ limit: 10 });
    expect(read.map(({ position, event }) => [position, event])).toEqual(
      events.map((event, index) => [index + 1, event]),
    );
  });

  it('are found by the corrupt-events scan when they do not fit their schema', async () => {
    const strict = EventCatalogue.of({
      Opened: z.object({ owner: z.string() }),
      Deposited: z.object({ amount: z.number().max(50) }),
    });
    const corrupt = [];
    for await (const error of findCorruptEvents(tables.client, tables.names.events, strict)) {
      if (error.streamId === 'acc-legacy') corrupt.push(error.version);
    }
    expect(corrupt).toEqual([2]);
  });
});

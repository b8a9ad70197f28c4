import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  EventCatalogue,
  EventStore,
  ReactionFailedAt,
  createDynamoDbClient,
  type Projection,
  type Reaction,
  type RecordedEvent,
} from '../../functions/eventsourcing';
import { createConsumerHost, type ConsumerHostOptions } from '../../functions/eventsourcing/hosts';
import { freePort } from '../../local/ports';
import {
  balanceProjection,
  createReadModelTable,
  expectedBalances,
} from '../support/balance-projection';
import {
  createProjectionTestTables,
  generationItems,
  insertRecord,
  type ProjectionTestTables,
} from '../support/projection-fixture';

/**
 * The host decodes events itself, so the store writes these types with any data: one test
 * stores an event its consumer's decoder must refuse.
 */
const anyData = z.looseObject({});
const hostTestEvents = EventCatalogue.of({
  Opened: anyData,
  Deposited: anyData,
  Withdrawn: anyData,
  Audited: anyData,
  Placed: anyData,
  Shipped: anyData,
});

let tables: ProjectionTestTables;
let store: EventStore;
/** A second read-model table, for a projection of order events. */
let ordersTable: string;

beforeAll(async () => {
  tables = await createProjectionTestTables();
  store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: hostTestEvents,
  });
  ordersTable = await createReadModelTable(tables.client);
});

interface SentRequest {
  readonly command: string;
  readonly tables: readonly string[];
}

const WRITES = new Set(['TransactWriteItemsCommand', 'UpdateItemCommand', 'PutItemCommand']);

/** A client of the run's DynamoDB Local that records every request it sends. */
function recordingClient(): { client: DynamoDBClient; requests: SentRequest[] } {
  const client = createDynamoDbClient({ endpoint: tables.endpoint, region: 'local' });
  const requests: SentRequest[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as {
        TableName?: string;
        RequestItems?: Record<string, unknown>;
        TransactItems?: Record<string, { TableName?: string }>[];
      };
      const touched = input.TableName
        ? [input.TableName]
        : input.RequestItems
          ? Object.keys(input.RequestItems)
          : (input.TransactItems ?? []).flatMap((action) =>
              Object.values(action).map((operation) => operation.TableName!),
            );
      requests.push({ command: context.commandName!, tables: touched });
      return next(args);
    },
    { step: 'initialize', name: 'record-requests' },
  );
  return { client, requests };
}

/** A projection of `Placed`/`Shipped` events that records every event its code receives. */
function ordersProjection(name: string, received: string[] = []): Projection {
  return {
    name,
    readModel: 'testOrders',
    handles: ['Placed', 'Shipped'],
    apply(event) {
      received.push(event.type);
      return Promise.resolve([
        { put: { pk: `order#${event.streamId}`, sk: 'status', status: event.type } },
      ]);
    },
  };
}

/** A reaction that records the events it receives and fails on those `fail` picks. */
function recordingReaction(
  name: string,
  handles: string[],
  options: { fail?: (event: RecordedEvent) => boolean; until?: Promise<void> } = {},
) {
  const received: RecordedEvent[] = [];
  const reaction: Reaction = {
    name,
    handles,
    async react(events) {
      await options.until;
      for (const event of events) {
        if (options.fail?.(event)) throw new ReactionFailedAt(event, new Error('refused'));
        received.push(event);
      }
    },
  };
  return { reaction, received };
}

function hostOf(
  consumers: ConsumerHostOptions['consumers'],
  options: Partial<ConsumerHostOptions> = {},
) {
  return createConsumerHost({
    consumers,
    client: tables.client,
    tables: {
      events: tables.names.events,
      parkedStreams: tables.names.parkedStreams,
      reactionPositions: tables.names.reactionPositions,
      readModels: { testBalances: tables.projectionTables.readModel, testOrders: ordersTable },
    },
    ...options,
  });
}

const DATA: Readonly<Record<string, Record<string, unknown>>> = {
  Opened: { owner: 'ann' },
  Deposited: { amount: 5 },
  Withdrawn: { amount: 1 },
};

async function append(streamId: string, types: readonly string[]): Promise<RecordedEvent[]> {
  const { events } = await store.append(
    streamId,
    types.map((type) => ({ type, data: DATA[type] ?? {} })),
    { expectedVersion: 'any' },
  );
  return [...events];
}

const recordsOf = (events: readonly RecordedEvent[]) => events.map((event) => insertRecord(event));
const sequenceOf = (record: ReturnType<typeof insertRecord>) => record.dynamodb!.SequenceNumber!;

describe('a consumer host', () => {
  it('hands each consumer only the event types it handles', async () => {
    const receivedByOrders: string[] = [];
    const deposits = recordingReaction('deposits-only', ['Deposited']);
    const host = hostOf([
      balanceProjection({ name: 'only-balances' }),
      ordersProjection('only-orders', receivedByOrders),
      deposits.reaction,
    ]);
    const account = await append('acc-mixed', ['Opened', 'Deposited', 'Withdrawn', 'Deposited']);
    const order = await append('order-mixed', ['Placed', 'Audited', 'Shipped']);
    expect((await host({ Records: recordsOf([...account, ...order]) })).batchItemFailures).toEqual(
      [],
    );
    expect(receivedByOrders).toEqual(['Placed', 'Shipped']);
    expect(deposits.received.map((event) => `${event.streamId}@${event.version}`)).toEqual([
      'acc-mixed@2',
      'acc-mixed@4',
    ]);
  });

  it('spends nothing on streams a consumer ignores, and one read on versions it skipped', async () => {
    const { client, requests } = recordingClient();
    const host = hostOf([ordersProjection('thrifty-orders')], { client });
    const accounts = await append('acc-ignored', ['Opened', 'Deposited', 'Deposited']);
    expect((await host({ Records: recordsOf(accounts) })).batchItemFailures).toEqual([]);
    expect(requests).toEqual([]);

    // Versions 2 and 3 are not the projection's and reach it in no batch: at version 4 one
    // Query of the events table confirms them.
    const order = await append('order-skips', ['Placed', 'Audited', 'Audited', 'Shipped']);
    await host({ Records: recordsOf(order.slice(0, 1)) });
    const before = requests.length;
    expect((await host({ Records: recordsOf(order.slice(3)) })).batchItemFailures).toEqual([]);
    expect(requests.slice(before).filter((request) => request.command === 'QueryCommand')).toEqual([
      { command: 'QueryCommand', tables: [tables.names.events] },
    ]);
    // One transaction per handled event; the unhandled ones wrote nothing.
    expect(requests.filter((request) => WRITES.has(request.command))).toEqual([
      { command: 'TransactWriteItemsCommand', tables: [ordersTable, ordersTable] },
      { command: 'TransactWriteItemsCommand', tables: [ordersTable, ordersTable] },
    ]);
    client.destroy();
  });

  it('costs the other consumers one re-delivery of a poison event, then parks it for its consumer alone', async () => {
    const poisoned = balanceProjection({
      name: 'poisoned-balances',
      isPoison: (event) => event.streamId === 'acc-poison' && event.version === 2,
    });
    const reaction = recordingReaction('healthy-reaction', ['Opened', 'Deposited']);
    const { client, requests } = recordingClient();
    const host = hostOf(
      [poisoned, balanceProjection({ name: 'healthy-balances' }), reaction.reaction],
      {
        client,
      },
    );
    const events = [
      ...(await append('acc-poison', ['Opened', 'Deposited', 'Deposited'])),
      ...(await append('acc-fine', ['Opened', 'Deposited'])),
    ];
    const records = recordsOf(events);
    const parking = host.runtimes().get('poisoned-balances')!.parking;

    expect((await host({ Records: records })).batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(records[1]!) },
    ]);
    expect(await parking.get('poisoned-balances', 'acc-poison')).toMatchObject({
      status: 'failing',
      attempts: 1,
    });
    // The others processed the whole batch, the events after the poison included.
    expect(reaction.received).toHaveLength(5);
    const guards = await (
      await host.runtimes().get('healthy-balances')!.targets()
    )[0]!.appliedVersions(['acc-poison', 'acc-fine']);
    expect(guards).toEqual(
      new Map([
        ['acc-poison', 3],
        ['acc-fine', 2],
      ]),
    );

    // The re-delivery parks the stream; the others skip it without writing anything.
    const before = requests.length;
    expect((await host({ Records: records.slice(1) })).batchItemFailures).toEqual([]);
    expect(await parking.get('poisoned-balances', 'acc-poison')).toMatchObject({
      status: 'parked',
      version: 2,
      kind: 'poison',
      error: `cannot project ${events[1]!.eventId}`,
      attempts: 2,
    });
    const writes = requests.slice(before).filter((request) => WRITES.has(request.command));
    expect(writes.every((request) => request.tables.includes(tables.names.parkedStreams))).toBe(
      true,
    );
    expect(reaction.received).toHaveLength(5);
    client.destroy();
  });

  it('answers within the invocation while a consumer is slow, and parks that consumer once it stays slow', async () => {
    let release = () => {};
    const slow = recordingReaction('slow-reaction', ['Deposited'], {
      until: new Promise((resolve) => (release = resolve)),
    });
    const quick = recordingReaction('quick-reaction', ['Deposited']);
    const host = hostOf([slow.reaction, quick.reaction]);
    const records = recordsOf(await append('acc-slow', ['Opened', 'Deposited']));
    // One second of the invocation left: the host keeps a fifth for recording what it did.
    const context = { getRemainingTimeInMillis: () => 1_000 } as Context;
    const first = await host({ Records: records }, context);
    expect(slow.received).toEqual([]); // still stuck: the host did not wait for it
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: sequenceOf(records[0]!) }]);
    expect(quick.received.map((event) => event.version)).toEqual([2]);
    const parking = host.runtimes().get('slow-reaction')!.parking;
    expect(await parking.get('slow-reaction', 'acc-slow')).toMatchObject({
      status: 'failing',
      kind: 'transient',
      errorName: 'ConsumerTimeoutError',
    });
    expect((await host({ Records: records }, context)).batchItemFailures).toEqual([]);
    expect(await parking.get('slow-reaction', 'acc-slow')).toMatchObject({ status: 'parked' });
    expect(quick.received.map((event) => event.version)).toEqual([2]);
    release();
  });

  it('fails the batch from its first record when no consumer can record anything', async () => {
    const unreachable = createDynamoDbClient({
      endpoint: `http://127.0.0.1:${await freePort()}`,
      region: 'local',
      maxAttempts: 1,
    });
    const host = hostOf([balanceProjection({ name: 'cut-off' })], { client: unreachable });
    const records = recordsOf(await append('acc-cut-off', ['Opened', 'Deposited']));
    expect(await host({ Records: records })).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(records[0]!) }],
    });
    unreachable.destroy();
  });

  it('parks an event it cannot decode for the consumers handling its type only, with the reason', async () => {
    const amounts = z.object({ amount: z.int().positive() });
    const decode = (event: RecordedEvent) =>
      event.type === 'Deposited' ? { ...event, data: amounts.parse(event.data) } : event;
    const deposits = recordingReaction('decoded-deposits', ['Deposited']);
    const openings = recordingReaction('decoded-openings', ['Opened']);
    const host = hostOf([deposits.reaction, openings.reaction], {
      decode,
      parkAfterAttempts: 1,
    });
    const events = await store.append(
      'acc-undecodable',
      [
        { type: 'Opened', data: { owner: 'bo' } },
        { type: 'Deposited', data: { amount: 'ten' } },
      ],
      { expectedVersion: 'no_stream' },
    );
    expect((await host({ Records: recordsOf(events.events) })).batchItemFailures).toEqual([]);
    expect(openings.received.map((event) => event.version)).toEqual([1]);
    expect(deposits.received).toEqual([]);
    expect(
      await host
        .runtimes()
        .get('decoded-deposits')!
        .parking.get('decoded-deposits', 'acc-undecodable'),
    ).toMatchObject({ status: 'parked', version: 2, kind: 'poison', errorName: 'ZodError' });
  });

  it('acts on each event once although batches come twice, and moves the guard up to a reaction’s failure', async () => {
    let refusing = true;
    const reaction = recordingReaction('once-reaction', ['Deposited'], {
      fail: (event) => refusing && event.version === 3,
    });
    const host = hostOf([reaction.reaction]);
    const records = recordsOf(
      await append('acc-twice', ['Opened', 'Deposited', 'Deposited', 'Deposited']),
    );
    expect((await host({ Records: records })).batchItemFailures).toEqual([
      { itemIdentifier: sequenceOf(records[2]!) },
    ]);
    expect(reaction.received.map((event) => event.version)).toEqual([2]);
    refusing = false;
    await host({ Records: records });
    await host({ Records: records });
    expect(reaction.received.map((event) => event.version)).toEqual([2, 3, 4]);
    const guard = await host.runtimes().get('once-reaction')!.targets();
    expect(await guard[0]!.appliedVersions(['acc-twice'])).toEqual(new Map([['acc-twice', 4]]));
  });
});

/** The events of many streams as one batch: round-robin over the streams, each in reverse. */
function interleaved(histories: readonly (readonly RecordedEvent[])[]): RecordedEvent[] {
  const reversed = histories.map((events) => [...events].reverse());
  const longest = Math.max(...reversed.map((events) => events.length));
  return Array.from({ length: longest }, (_, index) =>
    reversed.flatMap((events) => (index < events.length ? [events[index]!] : [])),
  ).flat();
}

/** A projection that writes one item per event and records the events its code receives. */
function recordingProjection(name: string, received: string[]): Projection {
  return {
    name,
    readModel: 'testOrders',
    handles: ['Opened', 'Deposited', 'Withdrawn'],
    apply(event) {
      received.push(`${event.streamId}@${event.version}`);
      return Promise.resolve([
        { put: { pk: `seen#${event.streamId}`, sk: `${event.version}`, type: event.type } },
      ]);
    },
  };
}

/** A projection whose read of one stream names a key DynamoDB refuses, and whose write of another is too large. */
function refusingProjection(name: string, refuse: { read: string; write: string }): Projection {
  return {
    name,
    readModel: 'testOrders',
    handles: ['Opened', 'Deposited'],
    async apply(event, context) {
      if (event.streamId === refuse.read) await context.get({ pk: 'k'.repeat(3000), sk: 'x' });
      const tooLarge = event.streamId === refuse.write && event.type === 'Deposited';
      return [
        {
          put: {
            pk: `refusing#${event.streamId}`,
            sk: `${event.version}`,
            ...(tooLarge ? { padding: 'x'.repeat(500_000) } : {}),
          },
        },
      ];
    },
  };
}

describe('a consumer host running streams and consumers side by side', () => {
  it('commits the streams of a batch for every projection together, and a batch delivered again changes nothing', async () => {
    const { client, requests } = recordingClient();
    const names = ['together-a', 'together-b'];
    const host = hostOf(
      names.map((name) => balanceProjection({ name })),
      { client, concurrency: 16 },
    );
    const histories = await Promise.all(
      Array.from({ length: 12 }, (_, s) =>
        append(`acc-together-${s}`, ['Opened', 'Deposited', 'Withdrawn', 'Deposited']),
      ),
    );
    const records = recordsOf(interleaved(histories));
    const expected = expectedBalances(histories.flat());
    const readModels = () =>
      Promise.all(
        names.map((name) => generationItems(client, tables.projectionTables.readModel, name, 1)),
      );

    expect((await host({ Records: records })).batchItemFailures).toEqual([]);
    // 24 stream commits (12 streams, 2 projections), each one transaction before.
    const transactions = requests.filter(
      (request) => request.command === 'TransactWriteItemsCommand',
    );
    expect(transactions.length).toBeLessThanOrEqual(names.length);
    expect(await readModels()).toEqual([expected, expected]);

    const before = requests.length;
    expect((await host({ Records: records })).batchItemFailures).toEqual([]);
    expect(requests.slice(before).filter((request) => WRITES.has(request.command))).toEqual([]);
    expect(await readModels()).toEqual([expected, expected]);
    client.destroy();
  });

  it('keeps each stream in order, and a refused read or write to its own stream and projection', async () => {
    const received: string[] = [];
    const refuse = { read: 'acc-beside-1', write: 'acc-beside-2' };
    const host = hostOf([
      refusingProjection('refusing', refuse),
      recordingProjection('in-order', received),
    ]);
    const streamIds = Array.from({ length: 10 }, (_, s) => `acc-beside-${s}`);
    const histories = await Promise.all(
      streamIds.map((streamId) => append(streamId, ['Opened', 'Deposited', 'Deposited'])),
    );
    const { batchItemFailures } = await host({ Records: recordsOf(interleaved(histories)) });
    expect(batchItemFailures).toHaveLength(1);

    for (const streamId of streamIds) {
      expect(received.filter((seen) => seen.startsWith(`${streamId}@`))).toEqual(
        [1, 2, 3].map((version) => `${streamId}@${version}`),
      );
    }
    const refusing = host.runtimes().get('refusing')!;
    const [guard] = await refusing.targets();
    const applied = await guard!.appliedVersions(streamIds);
    expect(Object.fromEntries(applied)).toEqual(
      Object.fromEntries(
        streamIds.map((streamId) => [
          streamId,
          streamId === refuse.read ? 0 : streamId === refuse.write ? 1 : 3,
        ]),
      ),
    );
    expect(await refusing.parking.get('refusing', refuse.read)).toMatchObject({
      status: 'failing',
      version: 1,
      kind: 'poison',
    });
    expect(await refusing.parking.get('refusing', refuse.write)).toMatchObject({
      status: 'failing',
      version: 2,
      kind: 'poison',
    });
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { toDomainEvent } from '../../functions/domain-events';
import { EventStore, type RecordedEvent } from '../../functions/eventsourcing';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { createEventBridgeClient } from '../../functions/integration/eventbridge-client';
import { toIntegrationEvent } from '../../functions/integration/mapping';
import { integrationEventPublisher } from '../../functions/integration/publisher';
import { MAX_CALL_BYTES } from '../../functions/integration/put-events';
import { startLocalEventBus, type LocalEventBus, type ReceivedEvent } from '../../local/event-bus';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { waitFor } from '../../local/wait-for';
import { DOMAIN_EVENT_TYPES, newEvent, streamOf } from '../support/domain-events';
import { reactionHost } from '../support/projection-fixture';
import { createRunnerFixture, type RunnerFixture } from '../support/stream-runner-fixture';
import { domainEvents } from '../../functions/domain-events';

const WAIT = { timeoutMs: 30_000, intervalMs: 20 };

/** A reactions host publishing to `bus`, on the fixture's tables; `name` tells publishers apart. */
function publisherOn(fixture: RunnerFixture, bus: LocalEventBus, name = 'integration-publisher') {
  const client = createEventBridgeClient({ endpoint: bus.endpoint });
  const publisher = integrationEventPublisher(() => ({
    client,
    eventBusName: 'integration',
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  }));
  return reactionHost(fixture.tables, [{ ...publisher, name }], { decode: toDomainEvent });
}

const detailOf = (received: ReceivedEvent) =>
  JSON.parse(received.entry.Detail!) as { id: string } & Record<string, unknown>;

/** How many times each id arrived. */
const countById = (events: readonly ReceivedEvent[]) => {
  const counts = new Map<string, number>();
  for (const received of events) {
    const { id } = detailOf(received);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

/**
 * Every domain event type on several aggregates of each kind: one append per event type group,
 * so some appends are transactions of several events and batches cut through them.
 */
async function appendEveryType(store: EventStore, aggregates: number): Promise<RecordedEvent[]> {
  const streams = new Map<string, ReturnType<typeof newEvent>[]>();
  for (let aggregate = 0; aggregate < aggregates; aggregate++) {
    for (const type of DOMAIN_EVENT_TYPES) {
      const streamId = streamOf(type, `agg${aggregate}`);
      streams.set(streamId, [...(streams.get(streamId) ?? []), newEvent(type)]);
    }
  }
  await Promise.all(
    [...streams].map(async ([streamId, events]) => {
      const half = Math.ceil(events.length / 2);
      await store.append(streamId, events.slice(0, half), { expectedVersion: 'no_stream' });
      await store.append(streamId, events.slice(half), { expectedVersion: half });
    }),
  );
  const recorded = await Promise.all([...streams.keys()].map((streamId) => store.read(streamId)));
  return recorded.flat();
}

describe('integration events through DynamoDB Local, the stream runner and the local bus', () => {
  let fixture: RunnerFixture;
  let once: LocalEventBus;
  let twice: LocalEventBus;
  let directory: string;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
    directory = await mkdtemp(join(tmpdir(), 'integration-events-'));
    once = await startLocalEventBus({ file: join(directory, 'once.jsonl') });
    twice = await startLocalEventBus();
  });

  afterAll(async () => {
    await fixture.close();
    await once.stop();
    await twice.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('puts every appended domain event on the bus with its source id; delivered twice, each arrives once', async () => {
    const publishOnce = publisherOn(fixture, once);
    const publishTwice = publisherOn(fixture, twice, 'twice-delivered-publisher');
    const deliverTwice = async (event: DynamoDBStreamEvent) => {
      const first = await publishTwice(event);
      const second = await publishTwice(event);
      expect(second).toEqual(first);
      return first;
    };
    fixture.runner(publishOnce, { consumer: 'once', settings: { batchSize: 7 } });
    fixture.runner(deliverTwice, { consumer: 'twice', settings: { batchSize: 7 } });

    const store = new EventStore({
      client: fixture.tables.client,
      tableName: fixture.tables.names.events,
      catalogue: domainEvents,
    });
    const appended = await appendEveryType(store, 3);
    expect(appended).toHaveLength(DOMAIN_EVENT_TYPES.length * 3);

    await waitFor(() => (once.events.length >= appended.length ? true : undefined), {
      ...WAIT,
      description: 'every event on the bus',
    });
    await waitFor(() => (twice.events.length >= appended.length ? true : undefined), {
      ...WAIT,
      description: 'every event on the second bus',
    });
    // Every batch was delivered twice; the publisher's version guard skipped the repeats.
    await fixture.stopRunners();

    const ids = appended.map((event) => event.eventId).sort();
    expect([...countById(once.events).keys()].sort()).toEqual(ids);
    expect([...countById(once.events).values()].every((count) => count === 1)).toBe(true);
    expect([...countById(twice.events).keys()].sort()).toEqual(ids);
    expect([...countById(twice.events).values()].every((count) => count === 1)).toBe(true);

    // What arrived is exactly the public form of what was appended.
    const byId = new Map(appended.map((event) => [event.eventId, event]));
    for (const received of [...once.events, ...twice.events]) {
      const expected = toIntegrationEvent(byId.get(detailOf(received).id)!);
      expect(received.entry.Source).toBe(expected.source);
      expect(received.entry.DetailType).toBe(expected.detailType);
      expect(detailOf(received)).toEqual(expected.detail);
    }

    const lines = (await readFile(join(directory, 'once.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => detailOf(JSON.parse(line) as ReceivedEvent).id).sort()).toEqual(ids);
    const listed = (await (await fetch(`${once.endpoint}/events`)).json()) as ReceivedEvent[];
    expect(
      listed
        .map(detailOf)
        .map(({ id }) => id)
        .sort(),
    ).toEqual(ids);
  });
});

describe('entries EventBridge keeps refusing for a while', () => {
  let fixture: RunnerFixture;
  let bus: LocalEventBus;
  const attempts = new Map<string, number>();

  beforeAll(async () => {
    fixture = await createRunnerFixture();
    // Order events are refused on their first three attempts: more than one invocation retries.
    bus = await startLocalEventBus({
      refuse: (entry) => {
        const { id } = JSON.parse(entry.Detail!) as { id: string };
        const seen = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, seen);
        return entry.Source === 'eventsourcing.orders' && seen <= 3
          ? { code: 'ThrottlingException', message: 'Rate exceeded' }
          : undefined;
      },
    });
  });

  afterAll(async () => {
    await fixture.close();
    await bus.stop();
  });

  it('arrive once the stream runner delivers their records again, with their source ids', async () => {
    fixture.runner(publisherOn(fixture, bus), {
      consumer: 'publisher',
      settings: { batchSize: 10 },
    });
    const store = new EventStore({
      client: fixture.tables.client,
      tableName: fixture.tables.names.events,
      catalogue: domainEvents,
    });
    const appended = await appendEveryType(store, 2);
    const ids = appended.map((event) => event.eventId).sort();
    await waitFor(() => (ids.every((id) => countById(bus.events).has(id)) ? true : undefined), {
      ...WAIT,
      description: 'every event on the bus',
    });
    expect([...countById(bus.events).keys()].sort()).toEqual(ids);
    const orderIds = appended
      .filter((event) => event.streamId.startsWith('order-'))
      .map((event) => event.eventId);
    expect(orderIds.every((id) => attempts.get(id)! >= 4)).toBe(true);
    expect(await fixture.failures.list('publisher')).toEqual([]);
  });
});

describe('an event too large for EventBridge', () => {
  let fixture: RunnerFixture;
  let bus: LocalEventBus;

  beforeAll(async () => {
    fixture = await createRunnerFixture();
    bus = await startLocalEventBus();
  });

  afterAll(async () => {
    await fixture.close();
    await bus.stop();
  });

  it('is parked with its reason without holding back the events after it', async () => {
    const host = publisherOn(fixture, bus);
    fixture.runner(host, { consumer: 'publisher', settings: { batchSize: 10 } });
    const store = new EventStore({
      client: fixture.tables.client,
      tableName: fixture.tables.names.events,
      catalogue: domainEvents,
    });
    const before = await appendEveryType(store, 1);
    await store.append('order-huge', [newEvent('OrderCreated')], { expectedVersion: 'no_stream' });
    const {
      events: [huge],
    } = await store.append(
      'order-huge',
      [newEvent('OrderCancelled', { reason: 'x'.repeat(MAX_CALL_BYTES) })],
      { expectedVersion: 1 },
    );
    const { events: after } = await store.append('account-later', [newEvent('AccountOpened')], {
      expectedVersion: 'no_stream',
    });

    const parking = host.runtimes().get('integration-publisher')!.parking;
    const parked = await waitFor(
      async () => {
        const record = await parking.get('integration-publisher', 'order-huge');
        return record?.status === 'parked' ? record : undefined;
      },
      { ...WAIT, description: 'the stream to be parked' },
    );
    expect(parked).toMatchObject({
      version: 2,
      eventId: huge!.eventId,
      eventType: 'OrderCancelled',
      kind: 'poison',
      errorName: 'EntryTooLargeError',
    });

    const expected = [...before, ...after].map((event) => event.eventId);
    await waitFor(
      () => (expected.every((id) => countById(bus.events).has(id)) ? true : undefined),
      { ...WAIT, description: 'every other event on the bus' },
    );
    expect(countById(bus.events).has(huge!.eventId)).toBe(false);
    expect(await fixture.failures.list('publisher')).toEqual([]);
  });
});

describe('the local stack', () => {
  let stack: LocalStack;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'local-stack-'));
    stack = await startLocalStack({
      dynamoDbEndpoint: inject('dynamoDbEndpoint'),
      dataDir: join(directory, 'dynamodb'),
      tablePrefix: `i${randomUUID().slice(0, 8)}-`,
      httpPort: 0,
    });
  });

  afterAll(async () => {
    await stack.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('publishes the events of API commands to its bus and to the file next to its data', async () => {
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBeLessThan(300);
      return (await response.json()) as { accountId: string };
    };
    const { accountId } = await post('/accounts', { ownerId: 'ann' });
    await post(`/accounts/${accountId}/deposits`, { amount: 1200 });
    const client = createDynamoDbClient({ endpoint: stack.dynamoDbEndpoint });
    const store = new EventStore({
      client,
      tableName: stack.tableNames.events,
      catalogue: domainEvents,
    });
    const appended = await store.read(`account-${accountId}`);
    client.destroy();
    expect(appended.map((event) => event.type)).toEqual(['AccountOpened', 'MoneyDeposited']);

    const listed = await waitFor(
      async () => {
        const events = (await (
          await fetch(`${stack.eventBus.endpoint}/events`)
        ).json()) as ReceivedEvent[];
        return events.length >= appended.length ? events : undefined;
      },
      { ...WAIT, description: 'the events on the local bus' },
    );
    expect(listed.map((received) => received.entry.DetailType)).toEqual([
      'AccountOpened.v1',
      'MoneyDeposited.v1',
    ]);
    expect(listed.map((received) => detailOf(received).id)).toEqual(
      appended.map((event) => event.eventId),
    );
    expect(listed.map((received) => received.entry.EventBusName)).toEqual([
      expect.stringMatching(/integration$/),
      expect.stringMatching(/integration$/),
    ]);
    expect(stack.eventBusFile).toBe(join(directory, 'integration-events.jsonl'));
    const lines = (await readFile(stack.eventBusFile!, 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as ReceivedEvent)).toEqual(listed);
  });
});

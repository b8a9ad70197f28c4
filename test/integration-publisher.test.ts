import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { DynamoDBRecord } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../functions/eventsourcing/logger';
import { createEventBridgeClient } from '../functions/integration/eventbridge-client';
import { createIntegrationEventPublisher } from '../functions/integration/publisher';
import { MAX_CALL_BYTES } from '../functions/integration/put-events';
import {
  startLocalEventBus,
  type LocalEventBus,
  type LocalEventBusOptions,
} from '../local/event-bus';
import { DOMAIN_EVENT_TYPES, recordedEvent } from './support/domain-events';
import { insertRecord } from './support/projection-fixture';

let bus: LocalEventBus | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await bus?.stop();
  bus = undefined;
});

async function publisherWith(refuse?: LocalEventBusOptions['refuse']) {
  bus = await startLocalEventBus(refuse ? { refuse } : {});
  return createIntegrationEventPublisher({
    client: createEventBridgeClient({ endpoint: bus.endpoint }),
    eventBusName: 'integration',
    retry: { maxAttempts: 3, baseDelayMs: 1 },
  });
}

const idOf = (entry: PutEventsRequestEntry) => (JSON.parse(entry.Detail!) as { id: string }).id;
const publishedIds = () => bus!.events.map(({ entry }) => idOf(entry));
const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;

/** A record for every domain event type, in stream order. */
const everyType = () => DOMAIN_EVENT_TYPES.map((type) => insertRecord(recordedEvent(type)));

describe('integration event publisher', () => {
  it('publishes every domain event of a batch once, on the named bus, and reports no failure', async () => {
    const publish = await publisherWith();
    const records = everyType();
    const notAnEvent: DynamoDBRecord = {
      ...records[0]!,
      eventName: 'MODIFY',
      dynamodb: { ...records[0]!.dynamodb, SequenceNumber: '1' },
    };
    expect(await publish({ Records: [notAnEvent, ...records] })).toEqual({
      batchItemFailures: [],
    });
    const ids = records.map((record) => record.dynamodb!.NewImage!.eventId!.S!);
    expect(publishedIds()).toEqual(ids);
    expect(new Set(bus!.events.map(({ entry }) => entry.EventBusName))).toEqual(
      new Set(['integration']),
    );
    expect(bus!.events.map(({ entry }) => entry.DetailType)).toEqual(
      DOMAIN_EVENT_TYPES.map((type) => `${type}.v1`),
    );
  });

  it('sends refused entries again, and only those', async () => {
    const attempts = new Map<string, number>();
    const publish = await publisherWith((entry) => {
      const seen = (attempts.get(idOf(entry)) ?? 0) + 1;
      attempts.set(idOf(entry), seen);
      return entry.DetailType!.startsWith('Order') && seen === 1
        ? { code: 'ThrottlingException', message: 'Rate exceeded' }
        : undefined;
    });
    const records = everyType();
    expect(await publish({ Records: records })).toEqual({ batchItemFailures: [] });
    expect([...publishedIds()].sort()).toEqual(
      records.map((record) => record.dynamodb!.NewImage!.eventId!.S!).sort(),
    );
    const sentTwice = [...attempts].filter(([, count]) => count === 2).map(([id]) => id);
    expect(sentTwice).toHaveLength(6); // the order events
    expect([...attempts.values()].every((count) => count <= 2)).toBe(true);
  });

  it('reports the lowest record still refused; delivered again, it is published with the same id', async () => {
    let broken = true;
    const publish = await publisherWith((entry) =>
      broken && /^(OrderShipped|TransferDebited)/.test(entry.DetailType!)
        ? { code: 'InternalFailure', message: 'Service unavailable' }
        : undefined,
    );
    const warn = vi.spyOn(logger, 'warn');
    const records = everyType();
    const shipped = records.findIndex(
      (record) => record.dynamodb!.NewImage!.type!.S === 'OrderShipped',
    );
    const response = await publish({ Records: records });
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(records[shipped]!) }],
    });
    expect(publishedIds()).toHaveLength(records.length - 2);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('refused'),
      expect.objectContaining({
        refused: [
          expect.objectContaining({ type: 'OrderShipped', code: 'InternalFailure' }),
          expect.objectContaining({ type: 'TransferDebited', code: 'InternalFailure' }),
        ],
      }),
    );

    // Lambda delivers again from the reported record; the records after it are sent again too.
    broken = false;
    expect(await publish({ Records: records.slice(shipped) })).toEqual({ batchItemFailures: [] });
    const ids = publishedIds();
    const expected = records.map((record) => record.dynamodb!.NewImage!.eventId!.S!);
    expect(new Set(ids)).toEqual(new Set(expected));
    const counts = expected.map((id) => ids.filter((published) => published === id).length);
    // Sent again after the reported record, except TransferDebited, refused the first time.
    expect(counts).toEqual(
      DOMAIN_EVENT_TYPES.map((type, index) =>
        index > shipped && type !== 'TransferDebited' ? 2 : 1,
      ),
    );
  });

  it('reports an event too large for EventBridge with its reason, and publishes the others', async () => {
    const publish = await publisherWith();
    const error = vi.spyOn(logger, 'error');
    const huge = insertRecord(
      recordedEvent('OrderCancelled', { data: { reason: 'x'.repeat(MAX_CALL_BYTES) } }),
    );
    const records = [...everyType(), huge, ...everyType()];
    expect(await publish({ Records: records })).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(huge) }],
    });
    expect(publishedIds()).toHaveLength(records.length - 1);
    expect(publishedIds()).not.toContain(huge.dynamodb!.NewImage!.eventId!.S);
    expect(error).toHaveBeenCalledWith(
      expect.stringContaining('on-failure destination'),
      expect.objectContaining({
        eventId: huge.dynamodb!.NewImage!.eventId!.S,
        type: 'OrderCancelled',
        sequenceNumber: sequenceOf(huge),
        code: 'IntegrationEventTooLarge',
        reason: expect.stringContaining(`at most ${MAX_CALL_BYTES}`) as string,
      }),
    );
  });

  it('reports events that have no integration event: unknown type, data outside the schema', async () => {
    const publish = await publisherWith();
    const error = vi.spyOn(logger, 'error');
    const good = insertRecord(recordedEvent('AccountOpened'));
    const invalid = insertRecord(recordedEvent('MoneyDeposited', { data: { amount: 'ten' } }));
    const unknown = insertRecord({ ...recordedEvent('AccountClosed'), type: 'AccountFrozen' });
    expect(await publish({ Records: [good, unknown, invalid] })).toEqual({
      batchItemFailures: [{ itemIdentifier: sequenceOf(invalid) }],
    });
    expect(publishedIds()).toEqual([good.dynamodb!.NewImage!.eventId!.S]);
    expect(
      error.mock.calls.map(([, details]) => (details as { code: string }).code).sort(),
    ).toEqual(['CorruptEvent', 'UnknownEventType']);
  });

  it('fails the invocation when the bus cannot be reached, so the whole batch is retried', async () => {
    const publish = await publisherWith();
    await bus!.stop();
    bus = undefined;
    await expect(publish({ Records: everyType() })).rejects.toThrow();
  });
});

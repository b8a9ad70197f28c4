import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { afterEach, describe, expect, it } from 'vitest';
import { toDomainEvent, type DomainEvent } from '../../functions/domain-events';
import { ReactionFailedAt } from '../../functions/eventsourcing';
import { createEventBridgeClient } from '../../functions/integration/eventbridge-client';
import { integrationEventPublisher } from '../../functions/integration/publisher';
import { MAX_CALL_BYTES } from '../../functions/integration/put-events';
import {
  startLocalEventBus,
  type LocalEventBus,
  type LocalEventBusOptions,
} from '../../local/event-bus';
import { DOMAIN_EVENT_TYPES, recordedEvent } from '../support/domain-events';

let bus: LocalEventBus | undefined;
afterEach(async () => {
  await bus?.stop();
  bus = undefined;
});

async function publisherWith(refuse?: LocalEventBusOptions['refuse']) {
  bus = await startLocalEventBus(refuse ? { refuse } : {});
  const client = createEventBridgeClient({ endpoint: bus.endpoint });
  return integrationEventPublisher(() => ({
    client,
    eventBusName: 'integration',
    retry: { maxAttempts: 3, baseDelayMs: 1 },
  }));
}

const idOf = (entry: PutEventsRequestEntry) => (JSON.parse(entry.Detail!) as { id: string }).id;
const publishedIds = () => bus!.events.map(({ entry }) => idOf(entry));

/** Every domain event type, decoded as the consumer host hands them over. */
const everyType = (): DomainEvent[] =>
  DOMAIN_EVENT_TYPES.map((type, index) =>
    toDomainEvent({ ...recordedEvent(type), version: index + 1 }),
  );

/** What `react` threw, for assertions. */
async function failureOf(promise: Promise<void>): Promise<ReactionFailedAt> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ReactionFailedAt);
  return error as ReactionFailedAt;
}

describe('integration event publisher (a reaction)', () => {
  it('handles every domain event type and publishes each once, on the named bus', async () => {
    const publisher = await publisherWith();
    expect([...publisher.handles].sort()).toEqual([...DOMAIN_EVENT_TYPES].sort());
    const events = everyType();
    await publisher.react(events);
    expect(publishedIds()).toEqual(events.map((event) => event.eventId));
    expect(new Set(bus!.events.map(({ entry }) => entry.EventBusName))).toEqual(
      new Set(['integration']),
    );
    expect(bus!.events.map(({ entry }) => entry.DetailType)).toEqual(
      DOMAIN_EVENT_TYPES.map((type) => `${type}.v1`),
    );
  });

  it('sends refused entries again, and only those', async () => {
    const attempts = new Map<string, number>();
    const publisher = await publisherWith((entry) => {
      const seen = (attempts.get(idOf(entry)) ?? 0) + 1;
      attempts.set(idOf(entry), seen);
      return entry.DetailType!.startsWith('Order') && seen === 1
        ? { code: 'ThrottlingException', message: 'Rate exceeded' }
        : undefined;
    });
    const events = everyType();
    await publisher.react(events);
    expect([...publishedIds()].sort()).toEqual(events.map((event) => event.eventId).sort());
    const sentTwice = [...attempts].filter(([, count]) => count === 2).map(([id]) => id);
    const orderEvents = events.filter((event) => event.type.startsWith('Order'));
    expect(sentTwice.sort()).toEqual(orderEvents.map((event) => event.eventId).sort());
    expect([...attempts.values()].every((count) => count <= 2)).toBe(true);
  });

  it('fails at the first event still refused; reacting again from it publishes it with the same id', async () => {
    let broken = true;
    const publisher = await publisherWith((entry) =>
      broken && /^(OrderShipped|TransferDebited)/.test(entry.DetailType!)
        ? { code: 'InternalFailure', message: 'Service unavailable' }
        : undefined,
    );
    const events = everyType();
    const shipped = events.findIndex((event) => event.type === 'OrderShipped');
    const failure = await failureOf(publisher.react(events));
    expect(failure.event).toBe(events[shipped]);
    expect(failure.message).toContain('InternalFailure');
    expect(publishedIds()).toHaveLength(events.length - 2);

    // The host delivers again from the failed event; those after it are sent again too.
    broken = false;
    await publisher.react(events.slice(shipped));
    const ids = publishedIds();
    const counts = events.map(({ eventId }) => ids.filter((id) => id === eventId).length);
    expect(counts).toEqual(
      DOMAIN_EVENT_TYPES.map((type, index) =>
        index > shipped && type !== 'TransferDebited' ? 2 : 1,
      ),
    );
  });

  it('fails at an event too large for EventBridge, after publishing the events before it', async () => {
    const publisher = await publisherWith();
    const before = everyType();
    const huge = toDomainEvent({
      ...recordedEvent('OrderCancelled', { data: { reason: 'x'.repeat(MAX_CALL_BYTES) } }),
      version: before.length + 1,
    });
    const after = toDomainEvent({ ...recordedEvent('OrderDelivered'), version: before.length + 2 });
    const failure = await failureOf(publisher.react([...before, huge, after]));
    expect(failure.event).toBe(huge);
    expect(failure.cause).toMatchObject({ code: 'IntegrationEventTooLarge' });
    expect(failure.message).toContain(`at most ${MAX_CALL_BYTES}`);
    expect(publishedIds()).toEqual(before.map((event) => event.eventId));
  });

  it('fails the whole call when the bus cannot be reached', async () => {
    const publisher = await publisherWith();
    await bus!.stop();
    bus = undefined;
    const error = await publisher.react(everyType()).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(ReactionFailedAt);
  });
});

import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { accountEvents } from '../../functions/accounts/events';
import { CorruptEventError } from '../../functions/eventsourcing';
import { integrationEventSchemas } from '../../functions/integration/contract';
import {
  integrationMappings,
  toIntegrationEvent,
  type PublishedEventType,
} from '../../functions/integration/mapping';
import { toPutEventsEntry } from '../../functions/integration/publisher';
import { orderEvents } from '../../functions/orders/events';
import { transferEvents } from '../../functions/transfers/events';
import { DOMAIN_EVENT_TYPES, recordedEvent } from '../support/domain-events';

/** The published form of each sample in `support/domain-events.ts`, written out by hand. */
const expected: Record<
  PublishedEventType,
  { source: string; detailType: string; idField: string; data: Record<string, unknown> }
> = {
  AccountOpened: {
    source: 'eventsourcing.accounts',
    detailType: 'AccountOpened.v1',
    idField: 'accountId',
    data: { ownerId: 'owner-1', accountType: 'savings', currency: 'USD' },
  },
  MoneyDeposited: {
    source: 'eventsourcing.accounts',
    detailType: 'MoneyDeposited.v1',
    idField: 'accountId',
    // The depositor's free-text note stays internal.
    data: { amount: 2500, transferId: 'tr-1' },
  },
  MoneyWithdrawn: {
    source: 'eventsourcing.accounts',
    detailType: 'MoneyWithdrawn.v1',
    idField: 'accountId',
    data: { amount: 700 },
  },
  AccountClosed: {
    source: 'eventsourcing.accounts',
    detailType: 'AccountClosed.v1',
    idField: 'accountId',
    data: {},
  },
  OrderCreated: {
    source: 'eventsourcing.orders',
    detailType: 'OrderCreated.v1',
    idField: 'orderId',
    data: { customerId: 'customer-1' },
  },
  OrderItemAdded: {
    source: 'eventsourcing.orders',
    detailType: 'OrderItemAdded.v1',
    idField: 'orderId',
    data: { productId: 'book-1', quantity: 2, unitPrice: 1299 },
  },
  OrderConfirmed: {
    source: 'eventsourcing.orders',
    detailType: 'OrderConfirmed.v1',
    idField: 'orderId',
    data: { total: 2598 },
  },
  OrderPaymentSubmitted: {
    source: 'eventsourcing.orders',
    detailType: 'OrderPaymentSubmitted.v1',
    idField: 'orderId',
    data: { accountId: 'acc-a' },
  },
  OrderPaid: {
    source: 'eventsourcing.orders',
    detailType: 'OrderPaid.v1',
    idField: 'orderId',
    data: { accountId: 'acc-a', amount: 2598 },
  },
  OrderShipped: {
    source: 'eventsourcing.orders',
    detailType: 'OrderShipped.v1',
    idField: 'orderId',
    data: { carrier: 'DHL', trackingNumber: 'TRK-1' },
  },
  OrderDelivered: {
    source: 'eventsourcing.orders',
    detailType: 'OrderDelivered.v1',
    idField: 'orderId',
    data: {},
  },
  OrderCancelled: {
    source: 'eventsourcing.orders',
    detailType: 'OrderCancelled.v1',
    idField: 'orderId',
    data: { reason: 'changed my mind' },
  },
  TransferPosted: {
    source: 'eventsourcing.transfers',
    detailType: 'TransferPosted.v1',
    idField: 'transferId',
    data: { fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 300 },
  },
  TransferRequested: {
    source: 'eventsourcing.transfers',
    detailType: 'TransferRequested.v1',
    idField: 'transferId',
    data: { fromAccountId: 'acc-a', toAccountId: 'acc-b', amount: 300 },
  },
  TransferDebited: {
    source: 'eventsourcing.transfers',
    detailType: 'TransferDebited.v1',
    idField: 'transferId',
    data: {},
  },
  TransferCompleted: {
    source: 'eventsourcing.transfers',
    detailType: 'TransferCompleted.v1',
    idField: 'transferId',
    data: {},
  },
  TransferFailed: {
    source: 'eventsourcing.transfers',
    detailType: 'TransferFailed.v1',
    idField: 'transferId',
    data: { reason: 'InsufficientFunds', message: 'Balance too low', refunded: false },
  },
};

describe('integration event mapping', () => {
  it('has a mapping for every type of every domain, and no other', () => {
    const domainTypes = [...accountEvents.types, ...orderEvents.types, ...transferEvents.types];
    // One event type belongs to one domain: the mapping is keyed by type alone.
    expect(new Set(domainTypes).size).toBe(domainTypes.length);
    expect(Object.keys(integrationMappings).sort()).toEqual([...domainTypes].sort());
    expect([...DOMAIN_EVENT_TYPES].sort()).toEqual([...domainTypes].sort());
  });

  it.each(DOMAIN_EVENT_TYPES)('publishes %s with its source id and public data', (type) => {
    const event = recordedEvent(type, { metadata: { correlationId: 'corr-1', actor: 'alice' } });
    const published = toIntegrationEvent(event);
    const { source, detailType, idField, data } = expected[type];
    expect(published).toEqual({
      source,
      detailType,
      detail: {
        id: event.eventId,
        schemaVersion: 1,
        occurredAt: event.recordedAt,
        sequence: event.version,
        correlationId: 'corr-1',
        [idField]: 'agg-1',
        data,
      },
    });
  });

  it('publishes every integration event type of the contract from some domain event', () => {
    const published = new Set(
      DOMAIN_EVENT_TYPES.map((type) => toIntegrationEvent(recordedEvent(type)).detailType),
    );
    const contract = Object.values(integrationEventSchemas).flatMap((bySource) =>
      Object.keys(bySource),
    );
    expect([...published].sort()).toEqual(contract.sort());
  });

  it('leaves out what the domain event does not carry', () => {
    const published = toIntegrationEvent(
      recordedEvent('MoneyWithdrawn', { data: { amount: 5 }, metadata: {} }),
    );
    expect(published.detail).not.toHaveProperty('correlationId');
    expect(published.detail.data).toEqual({ amount: 5 });
  });

  it('refuses an unknown event type and data outside its schema', () => {
    expect(() =>
      toIntegrationEvent({ ...recordedEvent('AccountClosed'), type: 'Mystery' }),
    ).toThrow(CorruptEventError);
    expect(() =>
      toIntegrationEvent(recordedEvent('MoneyDeposited', { data: { amount: -3 } })),
    ).toThrow(CorruptEventError);
    // A stream id without the aggregate's id is refused before any detail is built.
    expect(() => toIntegrationEvent(recordedEvent('OrderCreated', { streamId: 'order-' }))).toThrow(
      "'order-' is not a stream of this aggregate (order-…)",
    );
  });

  it('makes an EventBridge entry on the given bus, timed when the event was recorded', () => {
    const event = recordedEvent('OrderShipped');
    const entry = toPutEventsEntry(toIntegrationEvent(event), 'the-bus');
    expect(entry).toEqual({
      EventBusName: 'the-bus',
      Source: 'eventsourcing.orders',
      DetailType: 'OrderShipped.v1',
      Detail: expect.any(String) as string,
      Time: new Date(event.recordedAt),
    });
    expect(JSON.parse(entry.Detail!)).toMatchObject({ id: event.eventId, orderId: 'agg-1' });
  });
});

describe('integration event contract', () => {
  it('keeps every published schema exactly as consumers were promised', async () => {
    const schemas = Object.fromEntries(
      Object.entries(integrationEventSchemas).flatMap(([source, bySource]) =>
        Object.entries(bySource).map(([detailType, schema]) => [
          `${source}/${detailType}`,
          z.toJSONSchema(schema),
        ]),
      ),
    );
    // A change here breaks consumers: publish a new version (`.v2`) instead of editing one.
    // Formatted as the repository formats JSON, so the committed file passes the format check.
    const file = resolve('test/fixtures/integration-event-schemas.json');
    const json = await format(JSON.stringify(schemas), {
      ...(await resolveConfig(file)),
      filepath: file,
    });
    await expect(json).toMatchFileSnapshot(file);
  });

  it('rejects fields outside the contract', () => {
    const schema = integrationEventSchemas.accounts['AccountClosed.v1'];
    const detail = toIntegrationEvent(recordedEvent('AccountClosed')).detail;
    expect(schema.safeParse(detail).success).toBe(true);
    expect(schema.safeParse({ ...detail, internal: 1 }).success).toBe(false);
    expect(schema.safeParse({ ...detail, data: { note: 'x' } }).success).toBe(false);
  });
});

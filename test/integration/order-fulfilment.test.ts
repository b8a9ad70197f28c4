import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventCatalogue, EventStore, createDynamoDbClient } from '../../functions/eventsourcing';
import { ReactionRuntime } from '../../functions/eventsourcing/consumers/reaction';
import { createConsumerHost } from '../../functions/eventsourcing/hosts';
import {
  ProcessManagerRuntime,
  processReaction,
} from '../../functions/eventsourcing/process-manager';
import type { TimerScheduler } from '../../functions/eventsourcing/timers';
import { productEvents } from '../../functions/inventory/events';
import { orderEvents } from '../../functions/orders/events';
import { orderFulfilment } from '../../functions/orders/fulfilment';
import { createTestTables, reactionOptions, type TestTables } from '../support/dynamodb';
import { insertRecord } from '../support/projection-fixture';

let tables: TestTables;
let store: EventStore;

beforeAll(async () => {
  tables = await createTestTables();
  store = new EventStore({
    client: tables.client,
    tableName: tables.names.events,
    catalogue: EventCatalogue.combine(orderEvents.catalogue, productEvents.catalogue),
  });
});

/** When set, every write to a product's stream fails as DynamoDB does when it cannot serve one. */
let productsUnavailable = false;

function clientWithProductOutage(): DynamoDBClient {
  const client = createDynamoDbClient({ endpoint: tables.endpoint, region: 'local' });
  client.middlewareStack.add(
    (next, context) => (args) => {
      const touchesProducts = JSON.stringify(args.input).includes('"product-');
      if (
        productsUnavailable &&
        context.commandName === 'TransactWriteItemsCommand' &&
        touchesProducts
      ) {
        throw Object.assign(new Error('Internal server error'), {
          name: 'InternalServerError',
          $fault: 'server',
        });
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  return client;
}

const timers: TimerScheduler = { put: () => Promise.resolve(), remove: () => Promise.resolve() };

async function stockOf(productId: string) {
  const events = await store.read(productEvents.streamId(productId));
  const reserved = new Map<string, number>();
  for (const { type, data } of events) {
    const { orderId, quantity } = data as { orderId: string; quantity: number };
    if (type === 'StockReserved') reserved.set(orderId, quantity);
    if (type === 'StockReleased') reserved.delete(orderId);
  }
  return [...reserved.values()].reduce((sum, quantity) => sum + quantity, 0);
}

describe('order fulfilment over DynamoDB', () => {
  it('parks a release that keeps failing with its reason, and a redrive completes it', async () => {
    const productId = `pen-${Date.now()}`;
    const orderId = `order-${Date.now()}`;
    await store.append(
      productEvents.streamId(productId),
      [
        { type: 'ProductAdded', data: { name: 'Pen', unitPrice: 100 } },
        { type: 'StockAdded', data: { quantity: 5 } },
      ],
      { expectedVersion: 'no_stream' },
    );
    const lines = [{ productId, quantity: 2 }];
    const { events } = await store.append(
      orderEvents.streamId(orderId),
      [
        { type: 'OrderCreated', data: { customerId: 'ann' } },
        { type: 'OrderItemAdded', data: { productId, quantity: 2, unitPrice: 100 } },
        { type: 'OrderConfirmed', data: { total: 200, customerId: 'ann', lines } },
        { type: 'OrderCancelled', data: { reason: 'changed my mind' } },
      ],
      { expectedVersion: 'no_stream' },
    );
    const [, , confirmed, cancelled] = events;
    const options = reactionOptions(tables);
    const runtime = new ProcessManagerRuntime(orderFulfilment, {
      storage: { client: clientWithProductOutage(), eventsTable: tables.names.events },
      timers,
    });
    const reaction = processReaction(orderFulfilment, () => runtime);
    const host = createConsumerHost({
      consumers: [reaction],
      decode: (event) => orderEvents.parse(event),
      ...options,
    });
    await host({ Records: [insertRecord(confirmed!)] });
    expect(await stockOf(productId)).toBe(2);

    // The cancellation's compensation cannot reach the product: twice, then parked with why.
    productsUnavailable = true;
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        await host({ Records: [insertRecord(cancelled!)] });
      }
      const [parked] = await new ReactionRuntime(reaction, options).redrive([
        orderEvents.streamId(orderId),
      ]);
      expect(parked?.released).toBe(false);
      expect(parked?.failure?.error.message).toBe('Internal server error');
      expect(await stockOf(productId)).toBe(2);
    } finally {
      productsUnavailable = false;
    }

    const [redriven] = await new ReactionRuntime(reaction, options).redrive([
      orderEvents.streamId(orderId),
    ]);
    expect(redriven).toMatchObject({ released: true });
    expect(await stockOf(productId)).toBe(0);
    const instance = await runtime.load(orderId);
    expect(instance.completed).toBe(true);
    expect(instance.pending).toEqual([]);
    expect(instance.timers.size).toBe(0);
  });
});

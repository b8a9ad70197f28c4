import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { commandFunction, queryFunction } from '../http/functions';
import { eventsFrom } from '../integration/context-events';
import type { IntegrationEvent } from '../integration/contract';
import { orderEvents, orderIdOf } from './events';
import { customerOrdersProjection } from './projections/customer-orders';
import { orderSummariesProjection } from './projections/summaries';

const order = eventsFrom('orders', 'orderId', orderIdOf);

/** Orders: creating, adding items, confirming, shipping, delivering, cancelling. */
export const ordersModule = contextModule<IntegrationEvent>()({
  events: orderEvents,
  tables: {
    orderSummaries: readModelTable(
      'Read model: each order with its items, total, shipping and timeline.',
    ),
    customerOrders: readModelTable('Read model: the orders of each customer, newest first.'),
  },
  functions: {
    orderCommands: commandFunction({
      description: 'Creates orders, adds items, confirms, ships, delivers and cancels them.',
      entry: 'functions/orders/commands.ts',
      routes: [
        'POST /orders',
        'POST /orders/{orderId}/items',
        'POST /orders/{orderId}/confirm',
        'POST /orders/{orderId}/ship',
        'POST /orders/{orderId}/deliver',
        'POST /orders/{orderId}/cancel',
      ],
    }),
    orderQueries: queryFunction({
      description: 'Orders and the orders of a customer, from read models.',
      entry: 'functions/orders/queries.ts',
      routes: ['GET /orders/{orderId}', 'GET /customers/{customerId}/orders'],
      tables: { orderSummaries: 'read', customerOrders: 'read' },
    }),
  },
  projections: [orderSummariesProjection, customerOrdersProjection],
  reactions: {},
  integration: {
    OrderCreated: (event) => order(event, 'OrderCreated.v1', { customerId: event.data.customerId }),
    OrderItemAdded: (event) =>
      order(event, 'OrderItemAdded.v1', {
        productId: event.data.productId,
        quantity: event.data.quantity,
        unitPrice: event.data.unitPrice,
      }),
    OrderConfirmed: (event) => order(event, 'OrderConfirmed.v1', { total: event.data.total }),
    OrderShipped: (event) =>
      order(event, 'OrderShipped.v1', {
        carrier: event.data.carrier,
        trackingNumber: event.data.trackingNumber,
      }),
    OrderDelivered: (event) => order(event, 'OrderDelivered.v1', {}),
    OrderCancelled: (event) => order(event, 'OrderCancelled.v1', { reason: event.data.reason }),
  },
});

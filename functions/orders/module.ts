import { contextModule, readModelTable } from '../eventsourcing/declaration';
import { processDeclaration } from '../eventsourcing/process-manager';
import { commandFunction, queryFunction } from '../eventsourcing/http';
import { eventsFrom } from '../integration/context-events';
import type { IntegrationEvent } from '../integration/contract';
import { orderEvents } from './events';
import { orderFulfilment } from './fulfilment';
import { customerOrdersProjection } from './projections/customer-orders';
import { orderSummariesProjection } from './projections/summaries';

const order = eventsFrom('orders', 'orderId', orderEvents.idOf);

/** Orders: creating, adding items, confirming, paying, shipping, delivering, cancelling. */
export const ordersModule = contextModule<IntegrationEvent>()({
  events: orderEvents.catalogue,
  // A delivered or cancelled order is done with after 90 days (returns); an open one after a year.
  retention: [
    {
      streamPrefix: orderEvents.streamId(''),
      inactiveDays: 365,
      terminal: { events: ['OrderDelivered', 'OrderCancelled'], afterDays: 90 },
    },
  ],
  tables: {
    orderSummaries: readModelTable(
      'Read model: each order with its items, total, shipping and timeline.',
    ),
    customerOrders: readModelTable('Read model: the orders of each customer, newest first.'),
  },
  functions: {
    orderCommands: commandFunction(
      {
        description:
          'Creates orders, adds items, confirms, pays, ships, delivers and cancels them.',
        entry: 'functions/orders/commands.ts',
        routes: [
          {
            route: 'POST /orders',
            example: {
              body: {
                customerId: 'bob',
                items: [{ productId: 'book', quantity: 2, unitPrice: 1500 }],
              },
            },
          },
          {
            route: 'POST /orders/{orderId}/items',
            example: {
              params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' },
              body: { productId: 'pen', quantity: 3, unitPrice: 200 },
            },
          },
          {
            route: 'POST /orders/{orderId}/confirm',
            example: { params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' } },
          },
          {
            route: 'POST /orders/{orderId}/pay',
            example: {
              params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' },
              body: { accountId: '01KAXQ5T2N8P4R6S0V1W3X5Y7Z' },
            },
          },
          {
            route: 'POST /orders/{orderId}/ship',
            example: {
              params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' },
              body: { trackingNumber: '1Z999AA1', carrier: 'UPS' },
            },
          },
          {
            route: 'POST /orders/{orderId}/deliver',
            example: { params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' } },
          },
          {
            route: 'POST /orders/{orderId}/cancel',
            example: {
              params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' },
              body: { reason: 'changed my mind' },
            },
          },
        ],
      },
      { snapshots: true, personalData: true },
    ),
    orderQueries: queryFunction({
      description: 'Orders and the orders of a customer, from read models.',
      entry: 'functions/orders/queries.ts',
      routes: [
        {
          route: 'GET /orders/{orderId}',
          example: { params: { orderId: '01KAXQ6A1B2C3D4E5F6G7H8J9K' } },
        },
        {
          route: 'GET /customers/{customerId}/orders',
          example: { params: { customerId: 'bob' }, query: { status: 'shipped' } },
        },
      ],
      // Shipping addresses, to their customers and operators.
      personalData: 'reveal',
      tables: { events: 'read', dataKeys: 'read', orderSummaries: 'read', customerOrders: 'read' },
    }),
  },
  projections: [orderSummariesProjection, customerOrdersProjection],
  reactions: {
    [orderFulfilment.name]: processDeclaration(orderFulfilment, {
      tables: { events: 'append', snapshots: 'read' },
    }),
  },
  integration: {
    OrderCreated: (event) => order(event, 'OrderCreated.v1', { customerId: event.data.customerId }),
    OrderItemAdded: (event) =>
      order(event, 'OrderItemAdded.v1', {
        productId: event.data.productId,
        quantity: event.data.quantity,
        unitPrice: event.data.unitPrice,
      }),
    OrderConfirmed: (event) => order(event, 'OrderConfirmed.v1', { total: event.data.total }),
    OrderPaymentSubmitted: (event) =>
      order(event, 'OrderPaymentSubmitted.v1', { accountId: event.data.accountId }),
    OrderPaid: (event) =>
      order(event, 'OrderPaid.v1', { accountId: event.data.accountId, amount: event.data.amount }),
    OrderShipped: (event) =>
      order(event, 'OrderShipped.v1', {
        carrier: event.data.carrier,
        trackingNumber: event.data.trackingNumber,
      }),
    OrderDelivered: (event) => order(event, 'OrderDelivered.v1', {}),
    OrderCancelled: (event) => order(event, 'OrderCancelled.v1', { reason: event.data.reason }),
  },
});

/** A request the API description shows for a route: what "Try it out" starts from. */
export interface RouteExample {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

const ACCOUNT = '01KAXQ5T2N8P4R6S0V1W3X5Y7Z';
const OTHER_ACCOUNT = '01KAXQ5V8J3M9T0R2B7C4D6E8F';
const ORDER = '01KAXQ6A1B2C3D4E5F6G7H8J9K';
const TRANSFER = '01KAXQ6M4N5P6Q7R8S9T0V1W2X';

const account = { accountId: ACCOUNT };
const order = { orderId: ORDER };

/**
 * One example per route, by API Gateway route key; a test checks each against the zod schemas
 * the route validates with, so none can drift from what the API accepts.
 */
export const routeExamples: Readonly<Record<string, RouteExample>> = {
  'POST /accounts': { body: { ownerId: 'alice', accountType: 'checking', currency: 'USD' } },
  'POST /accounts/{accountId}/deposits': {
    params: account,
    body: { amount: 5000, source: 'salary' },
  },
  'POST /accounts/{accountId}/withdrawals': {
    params: account,
    body: { amount: 1500, destination: 'rent' },
  },
  'POST /accounts/{accountId}/close': { params: account },
  'GET /accounts/{accountId}': { params: account },
  'GET /accounts/{accountId}/history': { params: account, query: { limit: '20' } },
  'GET /accounts/{accountId}/state': { params: account, query: { version: '2' } },
  'GET /accounts/{accountId}/events': { params: account, query: { fromVersion: '1' } },
  'GET /owners/{ownerId}/accounts': { params: { ownerId: 'alice' } },
  'POST /orders': {
    body: { customerId: 'bob', items: [{ productId: 'book', quantity: 2, unitPrice: 1500 }] },
  },
  'POST /orders/{orderId}/items': {
    params: order,
    body: { productId: 'pen', quantity: 3, unitPrice: 200 },
  },
  'POST /orders/{orderId}/confirm': { params: order },
  'POST /orders/{orderId}/ship': {
    params: order,
    body: { trackingNumber: '1Z999AA1', carrier: 'UPS' },
  },
  'POST /orders/{orderId}/deliver': { params: order },
  'POST /orders/{orderId}/cancel': { params: order, body: { reason: 'changed my mind' } },
  'GET /orders/{orderId}': { params: order },
  'GET /customers/{customerId}/orders': {
    params: { customerId: 'bob' },
    query: { status: 'shipped' },
  },
  'POST /transfers': {
    body: { fromAccountId: ACCOUNT, toAccountId: OTHER_ACCOUNT, amount: 1000 },
  },
  'GET /transfers/{transferId}': { params: { transferId: TRANSFER } },
  'POST /products': { body: { productId: 'pen', name: 'Fountain pen', unitPrice: 2500 } },
  'GET /products/{productId}': { params: { productId: 'pen' } },
  'GET /events': { query: { after: '0', limit: '10', types: 'OrderShipped' } },
  'GET /health': {},
};

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { orderEvents } from '../../functions/orders/events';
import { startTestApi, type TestApi } from '../support/local-api';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.stop());

const customerId = `customer-${Date.now()}`;

/** A product an operator added to the catalogue with `quantity` units in stock. */
async function stockedProduct(name: string, unitPrice: number, quantity: number) {
  const productId = `${name}-${randomUUID().slice(0, 8)}`;
  const added = await t.api.post('/products', { body: { productId, name, unitPrice } });
  expect(added.status, added.text).toBe(201);
  const stocked = await t.api.post(`/products/${productId}/stock`, { body: { quantity } });
  expect(stocked.status, stocked.text).toBe(200);
  return productId;
}

/** Confirms the order, then waits for the fulfilment process to reserve its stock. */
async function confirmAndReserve(orderId: string, productId: string, reserved: number) {
  const confirmed = await t.api.post(`/orders/${orderId}/confirm`);
  expect(confirmed.body).toMatchObject({ status: 'confirmed' });
  await t.eventually(
    `/products/${productId}`,
    (r) => (r.body.stock as { reserved: number }).reserved === reserved,
  );
  return confirmed;
}

/**
 * The events of the streams matching `where`: the fulfilment process writes to other orders'
 * streams while a test looks at its own.
 */
const eventsWhere = async (where: (event: RecordedEvent) => boolean) =>
  (await t.events()).filter(where);

async function createOrder(
  items: { productId: string; quantity: number; unitPrice: number }[] = [],
) {
  const response = await t.api.post('/orders', { body: { customerId, items } });
  expect(response.status, response.text).toBe(201);
  return response.body.orderId as string;
}

describe('orders over HTTP', () => {
  it('takes an order through its whole life and shows the summary catching up', async () => {
    const book = await stockedProduct('book', 1500, 10);
    const pen = await stockedProduct('pen', 200, 10);
    const account = await t.openAccount(customerId, 10_000);
    const created = await t.api.post('/orders', {
      body: {
        customerId,
        items: [
          { productId: book, quantity: 2, unitPrice: 1500 },
          { productId: pen, quantity: 3, unitPrice: 200 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;
    expect(created.body).toEqual({ orderId, version: 3 });
    expect(created.headers.get('location')).toBe(`/orders/${orderId}`);
    expect(created.headers.get('etag')).toBe('"3"');

    const added = await t.api.post(`/orders/${orderId}/items`, {
      body: { productId: book, quantity: 1, unitPrice: 1500 },
    });
    expect(added.body).toEqual({ orderId, version: 4, status: 'pending', total: 5100 });
    const confirmed = await confirmAndReserve(orderId, book, 3);
    expect(confirmed.body).toMatchObject({ version: 5 });
    const unpaid = await t.api.post(`/orders/${orderId}/ship`, {
      body: { trackingNumber: '1Z999', carrier: 'UPS' },
    });
    expect(unpaid.status).toBe(422);
    expect(unpaid.body.error?.code).toBe('OrderNotPaid');
    const paying = await t.api.post(`/orders/${orderId}/pay`, { body: { accountId: account } });
    expect(paying.body).toEqual({ orderId, version: 6, status: 'confirmed', total: 5100 });
    const again = await t.api.post(`/orders/${orderId}/pay`, { body: { accountId: account } });
    expect(again.body.error?.code).toBe('PaymentAlreadySubmitted');
    await t.eventually(`/orders/${orderId}`, (r) => r.body.status === 'paid');
    const charged = await t.eventually(`/accounts/${account}`, (r) => r.body.version === 3);
    expect(charged.body).toMatchObject({ balance: 10_000 - 5100 });

    const shipped = await t.api.post(`/orders/${orderId}/ship`, {
      body: { trackingNumber: '1Z999', carrier: 'UPS' },
    });
    expect(shipped.body).toMatchObject({ version: 8, status: 'shipped' });
    expect((await t.api.post(`/orders/${orderId}/deliver`, { body: {} })).body).toMatchObject({
      version: 9,
      status: 'delivered',
    });

    const summary = await t.eventually(`/orders/${orderId}`, (r) => r.body.version === 9);
    expect(summary.body).toMatchObject({
      orderId,
      customerId,
      status: 'delivered',
      items: [
        { productId: book, quantity: 3, unitPrice: 1500, lineTotal: 4500 },
        { productId: pen, quantity: 3, unitPrice: 200, lineTotal: 600 },
      ],
      total: 5100,
      itemCount: 6,
      shipping: { trackingNumber: '1Z999', carrier: 'UPS' },
      version: 9,
    });
    expect((summary.body.timeline as { type: string }[]).map((entry) => entry.type)).toEqual([
      'OrderCreated',
      'OrderItemAdded',
      'OrderItemAdded',
      'OrderItemAdded',
      'OrderConfirmed',
      'OrderPaymentSubmitted',
      'OrderPaid',
      'OrderShipped',
      'OrderDelivered',
    ]);
    expect(summary.headers.get('etag')).toBe('"9"');
    expect(summary.body.createdAt).toMatch(/^\d{4}-/);
    const stock = await t.api.get(`/products/${pen}`);
    expect(stock.body.stock).toEqual({ onHand: 10, reserved: 3, available: 7 });
  });

  it('cancels a confirmed order it cannot fulfil and gives back what it reserved', async () => {
    const released = { onHand: 5, reserved: 0, available: 5 };
    const pen = await stockedProduct('pen', 200, 5);
    const scarce = await stockedProduct('globe', 9000, 1);
    const outOfStock = await createOrder([
      { productId: pen, quantity: 3, unitPrice: 200 },
      { productId: scarce, quantity: 2, unitPrice: 9000 },
    ]);
    await t.api.post(`/orders/${outOfStock}/confirm`);
    const cancelled = await t.eventually(
      `/orders/${outOfStock}`,
      (r) => r.body.status === 'cancelled',
    );
    expect(cancelled.body.cancellationReason).toMatch(/^OutOfStock: /);
    // Added, stocked, reserved, released.
    const afterOutOfStock = await t.eventually(`/products/${pen}`, (r) => r.body.version === 4);
    expect(afterOutOfStock.body.stock).toEqual(released);

    const unfunded = await createOrder([{ productId: pen, quantity: 1, unitPrice: 200 }]);
    await confirmAndReserve(unfunded, pen, 1);
    const account = await t.openAccount(customerId, 100);
    const paying = await t.api.post(`/orders/${unfunded}/pay`, { body: { accountId: account } });
    expect(paying.status).toBe(200);
    const refused = await t.eventually(`/orders/${unfunded}`, (r) => r.body.status === 'cancelled');
    expect(refused.body.cancellationReason).toBe('PaymentRefused: InsufficientFunds');
    const afterRefusal = await t.eventually(`/products/${pen}`, (r) => r.body.version === 6);
    expect(afterRefusal.body.stock).toEqual(released);
  });

  it('answers illegal transitions with 422 and appends nothing', async () => {
    const empty = await createOrder();
    const ofEmpty = (event: RecordedEvent) => event.streamId === orderEvents.streamId(empty);
    const before = await eventsWhere(ofEmpty);
    const confirmEmpty = await t.api.post(`/orders/${empty}/confirm`);
    expect(confirmEmpty.status).toBe(422);
    expect(confirmEmpty.body.error?.code).toBe('OrderEmpty');
    const shipPending = await t.api.post(`/orders/${empty}/ship`, {
      body: { trackingNumber: 'T', carrier: 'C' },
    });
    expect(shipPending.body.error?.code).toBe('OrderNotPaid');
    expect((await t.api.post(`/orders/${empty}/deliver`)).body.error?.code).toBe('OrderNotShipped');
    expect(await eventsWhere(ofEmpty)).toEqual(before);

    const cancelled = await t.api.post(`/orders/${empty}/cancel`, {
      body: { reason: 'duplicate' },
    });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', version: 2 });
    const addAfter = await t.api.post(`/orders/${empty}/items`, {
      body: { productId: 'p', quantity: 1, unitPrice: 1 },
    });
    expect(addAfter.status).toBe(422);
    expect(addAfter.body.error?.code).toBe('OrderNotPending');
    const cancelAgain = await t.api.post(`/orders/${empty}/cancel`, { body: { reason: 'again' } });
    expect(cancelAgain.body.error?.code).toBe('OrderNotCancellable');
    const priceChange = await t.api.post(
      `/orders/${await createOrder([{ productId: 'p', quantity: 1, unitPrice: 5 }])}/items`,
      {
        body: { productId: 'p', quantity: 1, unitPrice: 6 },
      },
    );
    expect(priceChange.status).toBe(422);
    expect(priceChange.body.error?.code).toBe('ItemPriceMismatch');

    const summary = await t.eventually(`/orders/${empty}`, (r) => r.body.status === 'cancelled');
    expect(summary.body).toMatchObject({ cancellationReason: 'duplicate', total: 0, items: [] });
  });

  it("lists a customer's orders newest first, by status, page by page", async () => {
    const customer = `lister-${Date.now()}`;
    // In stock, so the confirmed order stays confirmed.
    const product = await stockedProduct('mug', 100, 10);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await t.api.post('/orders', {
        body: {
          customerId: customer,
          items: [{ productId: product, quantity: i + 1, unitPrice: 100 }],
        },
      });
      ids.push(response.body.orderId as string);
    }
    await confirmAndReserve(ids[1]!, product, 2);
    await t.eventually(`/customers/${customer}/orders`, (r) => {
      const orders = r.body.orders as { status: string }[];
      return orders.length === 3 && orders.some((o) => o.status === 'confirmed');
    });

    const all = await t.api.get(`/customers/${customer}/orders`);
    expect((all.body.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual(
      [...ids].reverse(),
    );
    expect(all.body.orders).toContainEqual(
      expect.objectContaining({ orderId: ids[2], status: 'pending', total: 300, itemCount: 3 }),
    );

    const pending = await t.api.get(`/customers/${customer}/orders?status=pending&limit=1`);
    expect((pending.body.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[2]]);
    const next = await t.api.get(
      `/customers/${customer}/orders?status=pending&limit=1&cursor=${pending.body.nextCursor as string}`,
    );
    expect((next.body.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[0]]);
    const confirmed = await t.api.get(`/customers/${customer}/orders?status=confirmed`);
    expect((confirmed.body.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual([
      ids[1],
    ]);

    const nobody = await t.api.get('/customers/nobody/orders');
    expect(nobody.body).toEqual({ customerId: 'nobody', orders: [] });
    const badStatus = await t.api.get(`/customers/${customer}/orders?status=lost`);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error?.fields?.[0]?.field).toBe('status');
  });

  it('answers 404, 400, 412 and idempotent repeats like the accounts do', async () => {
    expect((await t.api.get('/orders/nope')).body.error?.code).toBe('OrderNotFound');
    const missing = await t.api.post('/orders/nope/confirm');
    expect(missing.status).toBe(404);
    expect(missing.body.error?.code).toBe('OrderNotFound');

    const invalid = await t.api.post('/orders', {
      body: {
        customerId: 'c',
        items: [{ productId: 'p', quantity: 0, unitPrice: -1, colour: 'red' }],
      },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error?.fields?.map((f) => f.field).sort()).toEqual([
      'items[0].colour',
      'items[0].quantity',
      'items[0].unitPrice',
    ]);
    expect(
      (await t.api.post('/orders/x/ship', { body: { carrier: 'UPS' } })).body.error?.fields,
    ).toEqual([expect.objectContaining({ field: 'trackingNumber' })]);

    const orderId = await createOrder([{ productId: 'p', quantity: 1, unitPrice: 1 }]);
    const stale = await t.api.post(`/orders/${orderId}/confirm`, {
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    const pinned = await t.api.post(`/orders/${orderId}/confirm`, {
      headers: { 'if-match': '"2"' },
    });
    expect(pinned.status).toBe(200);

    const key = { 'idempotency-key': `order-${Date.now()}` };
    const first = await t.api.post('/orders', { body: { customerId }, headers: key });
    const creations = (event: RecordedEvent) => event.type === 'OrderCreated';
    const before = await eventsWhere(creations);
    const repeat = await t.api.post('/orders', { body: { customerId }, headers: key });
    expect(repeat.text).toBe(first.text);
    expect(await eventsWhere(creations)).toEqual(before);
    const reused = await t.api.post('/orders', {
      body: { customerId: 'someone-else' },
      headers: key,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe('IdempotencyKeyReused');
  });
});

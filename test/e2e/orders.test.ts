import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.stop());

const customerId = `customer-${Date.now()}`;

async function createOrder(
  items: { productId: string; quantity: number; unitPrice: number }[] = [],
) {
  const response = await t.api.post('/orders', { body: { customerId, items } });
  expect(response.status, response.text).toBe(201);
  return response.body.orderId as string;
}

describe('orders over HTTP', () => {
  it('takes an order through its whole life and shows the summary catching up', async () => {
    const created = await t.api.post('/orders', {
      body: {
        customerId,
        items: [
          { productId: 'book', quantity: 2, unitPrice: 1500 },
          { productId: 'pen', quantity: 3, unitPrice: 200 },
        ],
      },
    });
    expect(created.status).toBe(201);
    const orderId = created.body.orderId as string;
    expect(created.body).toEqual({ orderId, version: 3 });
    expect(created.headers.get('location')).toBe(`/orders/${orderId}`);
    expect(created.headers.get('etag')).toBe('"3"');

    const added = await t.api.post(`/orders/${orderId}/items`, {
      body: { productId: 'book', quantity: 1, unitPrice: 1500 },
    });
    expect(added.body).toEqual({ orderId, version: 4, status: 'pending', total: 5100 });
    expect((await t.api.post(`/orders/${orderId}/confirm`)).body).toMatchObject({
      version: 5,
      status: 'confirmed',
    });
    const shipped = await t.api.post(`/orders/${orderId}/ship`, {
      body: { trackingNumber: '1Z999', carrier: 'UPS' },
    });
    expect(shipped.body).toMatchObject({ version: 6, status: 'shipped' });
    expect((await t.api.post(`/orders/${orderId}/deliver`, { body: {} })).body).toMatchObject({
      version: 7,
      status: 'delivered',
    });

    const summary = await t.eventually(`/orders/${orderId}`, (r) => r.body.version === 7);
    expect(summary.body).toMatchObject({
      orderId,
      customerId,
      status: 'delivered',
      items: [
        { productId: 'book', quantity: 3, unitPrice: 1500, lineTotal: 4500 },
        { productId: 'pen', quantity: 3, unitPrice: 200, lineTotal: 600 },
      ],
      total: 5100,
      itemCount: 6,
      shipping: { trackingNumber: '1Z999', carrier: 'UPS' },
      version: 7,
    });
    expect((summary.body.timeline as { type: string }[]).map((entry) => entry.type)).toEqual([
      'OrderCreated',
      'OrderItemAdded',
      'OrderItemAdded',
      'OrderItemAdded',
      'OrderConfirmed',
      'OrderShipped',
      'OrderDelivered',
    ]);
    expect(summary.headers.get('etag')).toBe('"7"');
    expect(summary.body.createdAt).toMatch(/^\d{4}-/);
  });

  it('answers illegal transitions with 422 and appends nothing', async () => {
    const empty = await createOrder();
    const before = await t.events();
    const confirmEmpty = await t.api.post(`/orders/${empty}/confirm`);
    expect(confirmEmpty.status).toBe(422);
    expect(confirmEmpty.body.error?.code).toBe('OrderEmpty');
    const shipPending = await t.api.post(`/orders/${empty}/ship`, {
      body: { trackingNumber: 'T', carrier: 'C' },
    });
    expect(shipPending.body.error?.code).toBe('OrderNotConfirmed');
    expect((await t.api.post(`/orders/${empty}/deliver`)).body.error?.code).toBe('OrderNotShipped');
    expect(await t.events()).toEqual(before);

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
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await t.api.post('/orders', {
        body: {
          customerId: customer,
          items: [{ productId: 'p', quantity: i + 1, unitPrice: 100 }],
        },
      });
      ids.push(response.body.orderId as string);
    }
    await t.api.post(`/orders/${ids[1]}/confirm`);
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
    const before = await t.events();
    const repeat = await t.api.post('/orders', { body: { customerId }, headers: key });
    expect(repeat.text).toBe(first.text);
    expect(await t.events()).toEqual(before);
    const reused = await t.api.post('/orders', {
      body: { customerId: 'someone-else' },
      headers: key,
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error?.code).toBe('IdempotencyKeyReused');
  });
});

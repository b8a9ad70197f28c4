import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../local/wait-for';
import { startTestApi, type TestApi } from '../support/local-api';

/** Short enough for a test to see orders time out, long enough for a paying customer. */
const PAYMENT_TIMEOUT_SECONDS = 4;

let t: TestApi;
let run = 0;

beforeAll(async () => {
  process.env.ORDER_PAYMENT_TIMEOUT_SECONDS = String(PAYMENT_TIMEOUT_SECONDS);
  // Every batch of the events stream reaches the process twice.
  t = await startTestApi({ deliverEachBatch: 2 });
});
afterAll(async () => {
  await t?.stop();
  delete process.env.ORDER_PAYMENT_TIMEOUT_SECONDS;
});

interface Stock {
  readonly onHand: number;
  readonly reserved: number;
  readonly available: number;
}

async function stockedProducts(count: number, units: number): Promise<string[]> {
  run++;
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const productId = `p${run}-${Date.now()}-${index}`;
      const added = await t.api.post('/products', {
        body: { productId, name: `Product ${index}`, unitPrice: 100 },
      });
      expect(added.status, added.text).toBe(201);
      const stocked = await t.api.post(`/products/${productId}/stock`, {
        body: { quantity: units },
      });
      expect(stocked.status, stocked.text).toBe(200);
      return productId;
    }),
  );
}

type Line = { readonly productId: string; readonly quantity: number };

async function confirmedOrder(customerId: string, lines: readonly Line[]): Promise<string> {
  const created = await t.api.post('/orders', {
    body: { customerId, items: lines.map((line) => ({ ...line, unitPrice: 100 })) },
  });
  expect(created.status, created.text).toBe(201);
  const orderId = created.body.orderId as string;
  const confirmed = await t.api.post(`/orders/${orderId}/confirm`);
  expect(confirmed.status, confirmed.text).toBe(200);
  return orderId;
}

interface SettledOrder {
  readonly status: string;
  readonly timeline: unknown[];
}

/** The order once the process settled it: paid or cancelled (polled gently: many wait at once). */
function settled(orderId: string): Promise<SettledOrder> {
  return waitFor(
    async () => {
      const response = await t.api.get(`/orders/${orderId}`);
      const order = response.body as unknown as SettledOrder;
      return ['paid', 'cancelled'].includes(order.status) ? order : undefined;
    },
    {
      timeoutMs: 120_000,
      intervalMs: 250,
      description: `order ${orderId} to be paid or cancelled`,
    },
  );
}

/**
 * The status of each order once every one is paid or cancelled: those not settled yet are read
 * again, a few at a time, so that waiting for many puts little load on the stack.
 */
async function settledStatuses(orderIds: readonly string[]): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  await waitFor(
    async () => {
      const open = orderIds.filter((id) => !statuses.has(id));
      for (let start = 0; start < open.length; start += 20) {
        await Promise.all(
          open.slice(start, start + 20).map(async (orderId) => {
            const { status } = (await t.api.get(`/orders/${orderId}`)).body as { status?: string };
            if (status === 'paid' || status === 'cancelled') statuses.set(orderId, status);
          }),
        );
      }
      return statuses.size === orderIds.length ? true : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 500, description: 'every order to be paid or cancelled' },
  );
  return statuses;
}

async function stockOf(productId: string): Promise<Stock> {
  const response = await t.api.get(`/products/${productId}`);
  return response.body.stock as Stock;
}

/** Stock as the read model shows it once `accept` holds for every product. */
async function stockWhen(
  productIds: readonly string[],
  accept: (stock: Stock, productId: string) => boolean,
): Promise<Map<string, Stock>> {
  return waitFor(
    async () => {
      const stocks = new Map(
        await Promise.all(productIds.map(async (id) => [id, await stockOf(id)] as const)),
      );
      return [...stocks].every(([id, stock]) => accept(stock, id)) ? stocks : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: 'the stock to settle' },
  );
}

describe('order fulfilment across orders, inventory and accounts', () => {
  it('reserves the stock, charges the customer and marks the order paid', async () => {
    const [book, pen] = await stockedProducts(2, 10);
    const accountId = await t.openAccount('fulfilled-customer', 10_000);
    const orderId = await confirmedOrder('fulfilled-customer', [
      { productId: book!, quantity: 2 },
      { productId: pen!, quantity: 3 },
    ]);
    await stockWhen([book!, pen!], (stock) => stock.reserved > 0);
    const paid = await t.api.post(`/orders/${orderId}/pay`, { body: { accountId } });
    expect(paid.status, paid.text).toBe(200);
    expect((await settled(orderId)).status).toBe('paid');
    const balance = await t.eventually(
      `/accounts/${accountId}`,
      (r) => r.body.balance === 10_000 - 500,
    );
    expect(balance.body.balance).toBe(9_500);
    expect(Object.fromEntries(await stockWhen([book!, pen!], () => true))).toEqual({
      [book!]: { onHand: 10, reserved: 2, available: 8 },
      [pen!]: { onHand: 10, reserved: 3, available: 7 },
    });
    const shipped = await t.api.post(`/orders/${orderId}/ship`, {
      body: { trackingNumber: '1Z1', carrier: 'UPS' },
    });
    expect(shipped.status, shipped.text).toBe(200);
  });

  it('cancels an order nobody pays for in time and releases its stock', async () => {
    const [product] = await stockedProducts(1, 5);
    const orderId = await confirmedOrder('slow-customer', [{ productId: product!, quantity: 4 }]);
    await stockWhen([product!], (stock) => stock.reserved === 4);
    const order = await settled(orderId);
    expect(order.status).toBe('cancelled');
    expect(JSON.stringify(order)).toContain('PaymentTimeout');
    await stockWhen([product!], (stock) => stock.available === 5 && stock.reserved === 0);
  });

  it('releases the stock of an order cancelled midway, and refuses a refused payment', async () => {
    const [product] = await stockedProducts(1, 5);
    const cancelledMidway = await confirmedOrder('cancelling-customer', [
      { productId: product!, quantity: 2 },
    ]);
    await stockWhen([product!], (stock) => stock.reserved === 2);
    const cancelled = await t.api.post(`/orders/${cancelledMidway}/cancel`, {
      body: { reason: 'changed my mind' },
    });
    expect(cancelled.status, cancelled.text).toBe(200);

    const poor = await t.openAccount('poor-customer', 100);
    const refused = await confirmedOrder('poor-customer', [{ productId: product!, quantity: 3 }]);
    await t.api.post(`/orders/${refused}/pay`, { body: { accountId: poor } });
    const order = await settled(refused);
    expect(order.status).toBe('cancelled');
    expect(JSON.stringify(order)).toContain('PaymentRefused: InsufficientFunds');
    await stockWhen([product!], (stock) => stock.available === 5 && stock.reserved === 0);
    expect((await t.api.get(`/accounts/${poor}`)).body.balance).toBe(100);
  });

  it(
    'never oversells 20 products to 200 concurrent orders, and releases what it does not sell',
    { timeout: 240_000 },
    async () => {
      const products = await stockedProducts(20, 10);
      const rich = await t.openAccount('crowd', 1_000_000);
      const broke = await t.openAccount('crowd', 0);
      let seed = 7;
      const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
      const orders = Array.from({ length: 200 }, (_, index) => {
        const lines = new Map<string, number>();
        for (let line = 0; line < 1 + Math.floor(random() * 3); line++) {
          lines.set(
            products[Math.floor(random() * products.length)]!,
            1 + Math.floor(random() * 2),
          );
        }
        // Most pay, some from an empty account, some never.
        const pays = index % 10 < 7 ? rich : index % 10 < 9 ? broke : undefined;
        return {
          lines: [...lines].map(([productId, quantity]) => ({ productId, quantity })),
          pays,
        };
      });
      const placed = await Promise.all(
        orders.map(async (order) => {
          const orderId = await confirmedOrder('crowd', order.lines);
          if (order.pays)
            await t.api.post(`/orders/${orderId}/pay`, { body: { accountId: order.pays } });
          return { ...order, orderId };
        }),
      );
      const statuses = await settledStatuses(placed.map((order) => order.orderId));
      const outcomes = placed.map((order) => ({ ...order, status: statuses.get(order.orderId)! }));
      const sold = new Map<string, number>();
      for (const order of outcomes.filter((o) => o.status === 'paid')) {
        expect(order.pays).toBe(rich);
        for (const line of order.lines) {
          sold.set(line.productId, (sold.get(line.productId) ?? 0) + line.quantity);
        }
      }
      expect(outcomes.filter((o) => o.status === 'paid').length).toBeGreaterThan(0);
      expect(outcomes.filter((o) => o.pays !== rich && o.status === 'paid')).toEqual([]);
      const stock = await stockWhen(
        products,
        (s, id) => s.reserved === (sold.get(id) ?? 0) && s.onHand === 10,
      );
      for (const [id, s] of stock) {
        expect(s.reserved, id).toBeLessThanOrEqual(10);
        expect(s.available, id).toBe(10 - (sold.get(id) ?? 0));
      }
      const charged = outcomes
        .filter((o) => o.status === 'paid')
        .reduce((sum, o) => sum + o.lines.reduce((total, l) => total + l.quantity * 100, 0), 0);
      const account = await t.eventually(
        `/accounts/${rich}`,
        (r) => r.body.balance === 1_000_000 - charged,
      );
      expect(account.body.balance).toBe(1_000_000 - charged);
    },
  );
});

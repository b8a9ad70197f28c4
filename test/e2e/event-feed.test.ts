import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/local-api';

let t: TestApi;

beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t?.stop());

interface FeedEvent {
  position: number;
  streamId: string;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

const feed = (body: Record<string, unknown>) => ({
  events: body.events as FeedEvent[],
  next: body.next as number,
});

/** Opens an account with two deposits, and an order: 5 events in 2 streams. */
async function someActivity(owner: string) {
  const opened = await t.api.post('/accounts', { body: { ownerId: owner } });
  const accountId = opened.body.accountId as string;
  for (const amount of [100, 250]) {
    const deposit = await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount } });
    expect(deposit.status, deposit.text).toBe(200);
  }
  const order = await t.api.post('/orders', {
    body: { customerId: owner, items: [{ productId: 'book', quantity: 1, unitPrice: 900 }] },
  });
  expect(order.status, order.text).toBe(201);
  return { accountId, orderId: order.body.orderId as string };
}

describe('GET /events: the global log over HTTP', () => {
  it('lists every event with its position, pages with next, and filters by type', async () => {
    const { accountId, orderId } = await someActivity('feed-owner');
    const all = await t.eventually('/events?limit=1000', (r) => feed(r.body).events.length >= 5);
    expect(all.status).toBe(200);
    const { events, next } = feed(all.body);
    expect(events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
    expect(next).toBe(events.length);
    const account = events.filter((e) => e.streamId === `account-${accountId}`);
    expect(account.map((e) => [e.version, e.type, e.data])).toEqual([
      [1, 'AccountOpened', { ownerId: 'feed-owner', accountType: 'checking', currency: 'USD' }],
      [2, 'MoneyDeposited', { amount: 100 }],
      [3, 'MoneyDeposited', { amount: 250 }],
    ]);
    expect(Object.keys(account[0]!).sort()).toEqual(
      ['data', 'metadata', 'position', 'recordedAt', 'streamId', 'type', 'version'].sort(),
    );
    expect(account[0]!.metadata).toHaveProperty('correlationId');
    expect(events.some((e) => e.streamId === `order-${orderId}`)).toBe(true);

    // Page by page with `next`, two at a time: the same events, in the same order.
    const paged: FeedEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await t.api.get(`/events?after=${after}&limit=2`);
      expect(page.status).toBe(200);
      const { events: some, next: following } = feed(page.body);
      expect(some.length).toBeLessThanOrEqual(2);
      paged.push(...some);
      if (following === after) break;
      after = following;
    }
    expect(paged).toEqual(events);

    const deposits = await t.api.get('/events?types=MoneyDeposited,OrderCreated');
    expect(feed(deposits.body).events.map((e) => e.type)).toEqual(
      events.filter((e) => ['MoneyDeposited', 'OrderCreated'].includes(e.type)).map((e) => e.type),
    );
    const closed = await t.api.get('/events?types=AccountClosed');
    expect(feed(closed.body)).toEqual({ events: [], next: events.length });
  });

  it.each([
    ['after=-1', 'after'],
    ['after=1.5', 'after'],
    ['after=abc', 'after'],
    ['after=99999999', 'after'],
    ['limit=0', 'limit'],
    ['limit=1001', 'limit'],
    ['limit=ten', 'limit'],
    ['types=NoSuchEvent', 'types[0]'],
    ['types=', 'types[0]'],
    ['from=3', 'from'],
  ])('refuses ?%s with 400 naming %s', async (query, field) => {
    const response = await t.api.get(`/events?${query}`);
    expect(response.status, response.text).toBe(400);
    expect(response.body.error).toMatchObject({
      code: 'ValidationFailed',
      fields: [expect.objectContaining({ in: 'query', field })],
    });
  });
});

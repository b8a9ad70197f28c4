import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { eventFromItem, isEventItem } from '../../functions/eventsourcing/event-items';
import type { RecordedEvent } from '../../functions/eventsourcing';
import { prefixedTableNames } from '../../functions/eventsourcing/declaration';
import { tables as declaredTables } from '../../functions/system';
import { startStackProcess, type StackProcess } from '../support/stack-process';
import { waitFor } from '../../local/wait-for';

const ACCOUNTS = 20;
const DEPOSITS = 180;
const CONCURRENCY = 30;
/** The stack is killed once this many deposits were answered. */
const KILL_AFTER = 100;

interface Deposit {
  readonly key: string;
  readonly accountId: string;
  readonly amount: number;
  /** Whether the request went out before the crash. */
  sent?: boolean;
  /** The answer the client got, if it got one before the crash or on a retry. */
  answer?: { status: number; body: { version?: number; balance?: number } };
}

let directory: string;
let stack: StackProcess | undefined;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'crash-recovery-'));
});

afterAll(async () => {
  await stack?.kill();
  await rm(directory, { recursive: true, force: true });
});

async function post(url: string, path: string, body: unknown, headers: Record<string, string>) {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { version?: number; balance?: number; accountId?: string },
  };
}

/**
 * Sends a deposit with its key, again after each 409 or 503 (as a client does), until it gets a
 * final answer; leaves it unanswered when the connection fails.
 */
async function send(url: string, deposit: Deposit): Promise<void> {
  for (;;) {
    deposit.sent = true;
    deposit.answer = undefined;
    try {
      deposit.answer = await post(
        url,
        `/accounts/${deposit.accountId}/deposits`,
        { amount: deposit.amount, source: deposit.key },
        { 'idempotency-key': deposit.key },
      );
    } catch {
      return; // No answer: the request may or may not have taken effect.
    }
    // 409: conflicts outlived the retries; 503: the gateway gave up waiting (the machine is slow).
    if (deposit.answer.status !== 409 && deposit.answer.status !== 503) return;
  }
}

describe('a crash of the whole local stack', () => {
  it(
    'leaves every acknowledged deposit exactly once, and a retry with its key applies nothing twice',
    { timeout: 300_000 },
    async () => {
      const dataDir = join(directory, 'dynamodb');
      stack = await startStackProcess(dataDir);
      const accountIds: string[] = [];
      for (let i = 0; i < ACCOUNTS; i++) {
        const opened = await post(stack.url, '/accounts', { ownerId: `crash-${i}` }, {});
        expect(opened.status).toBe(201);
        accountIds.push(opened.body.accountId!);
      }
      const deposits: Deposit[] = Array.from({ length: DEPOSITS }, (_, i) => ({
        key: `deposit-${i}`,
        accountId: accountIds[i % ACCOUNTS]!,
        amount: 1 + (i % 7),
      }));

      // Keyed deposits, CONCURRENCY at a time; SIGKILL of every process mid-way.
      let next = 0;
      let answered = 0;
      let killed: Promise<void> | undefined;
      const running = stack;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < deposits.length && !killed) {
            const deposit = deposits[next++]!;
            await send(running.url, deposit);
            if (deposit.answer && ++answered >= KILL_AFTER) killed ??= running.kill();
          }
        }),
      );
      await killed;
      stack = undefined;
      const acknowledged = deposits.filter((d) => d.answer?.status === 200);
      const unanswered = deposits.filter((d) => d.answer === undefined);
      expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
      // Some were in flight when every process died.
      expect(unanswered.filter((d) => d.sent).length).toBeGreaterThan(0);
      const acknowledgedBefore = new Map(acknowledged.map((d) => [d.key, d.answer!]));

      // Restart on the same data; every client retries its unanswered deposit with its key.
      stack = await startStackProcess(dataDir);
      const restarted = stack;
      let retry = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (retry < unanswered.length) {
            await send(restarted.url, unanswered[retry++]!);
          }
        }),
      );
      expect(deposits.map((d) => d.answer?.status)).toEqual(deposits.map(() => 200));

      // The events table: one deposit per key, at the version its answer named.
      const client = createDynamoDbClient({ endpoint: restarted.dynamoDbEndpoint });
      const items: RecordedEvent[] = [];
      let start: Record<string, never> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: prefixedTableNames(declaredTables, 'local-').events,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(page.Items ?? []).filter(isEventItem).map(eventFromItem));
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      client.destroy();
      const byKey = new Map<string, { streamId: string; version: number }[]>();
      for (const item of items) {
        if (item.type !== 'MoneyDeposited') continue;
        const key = (item.data as { source: string }).source;
        byKey.set(key, [
          ...(byKey.get(key) ?? []),
          { streamId: item.streamId, version: item.version },
        ]);
      }
      for (const deposit of deposits) {
        const applied = byKey.get(deposit.key) ?? [];
        expect(applied, deposit.key).toHaveLength(1);
        expect(applied[0]).toEqual({
          streamId: `account-${deposit.accountId}`,
          version: deposit.answer!.body.version,
        });
      }
      // What was acknowledged before the crash is what a retry is told now.
      await Promise.all(
        deposits
          .filter((deposit) => acknowledgedBefore.has(deposit.key))
          .map(async (deposit) => {
            await send(restarted.url, deposit);
            expect(deposit.answer).toEqual(acknowledgedBefore.get(deposit.key));
          }),
      );
      // And the balances are the sums of the deposits, each counted once.
      for (const accountId of accountIds) {
        const expected = deposits
          .filter((d) => d.accountId === accountId)
          .reduce((sum, d) => sum + d.amount, 0);
        const state = (await (
          await fetch(`${restarted.url}/accounts/${accountId}/state`)
        ).json()) as {
          state: { balance: number };
        };
        expect(state.state.balance).toBe(expected);
      }
    },
  );

  it(
    'leaves order fulfilment consistent when the stack dies between its steps, timers included',
    { timeout: 300_000 },
    async () => {
      process.env.ORDER_PAYMENT_TIMEOUT_SECONDS = String(PAYMENT_TIMEOUT_SECONDS);
      try {
        await fulfilmentSurvivesACrash(join(directory, 'fulfilment'));
      } finally {
        delete process.env.ORDER_PAYMENT_TIMEOUT_SECONDS;
      }
    },
  );
});

/** Unpaid orders are cancelled this long after their confirmation, by their timers. */
const PAYMENT_TIMEOUT_SECONDS = 20;
const PRODUCTS = 4;
const UNITS = 8;
const ORDERS = 24;

interface PlacedOrder {
  readonly index: number;
  readonly lines: readonly { productId: string; quantity: number }[];
  orderId?: string;
  /** Which of its requests got an answer. */
  confirmed?: boolean;
  paid?: boolean;
}

/** Whether the order's customer pays for it. */
const pays = (order: PlacedOrder) => order.index % 4 !== 3;

async function call(url: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Orders are placed, confirmed and (most of them) paid while the stack is killed mid-way; on
 * restart every confirmed order settles, paid or cancelled, and stock and money agree with it:
 * what paid orders bought stays reserved, everything else is released, each charge is taken
 * once, and unpaid orders are cancelled by timers set before the crash.
 */
async function fulfilmentSurvivesACrash(root: string): Promise<void> {
  const dataDir = join(root, 'dynamodb');
  stack = await startStackProcess(dataDir);
  const first = stack;
  const productIds = Array.from({ length: PRODUCTS }, (_, i) => `crash-product-${i}`);
  for (const productId of productIds) {
    await call(first.url, 'POST', '/products', { productId, name: productId, unitPrice: 10 });
    await call(first.url, 'POST', `/products/${productId}/stock`, { quantity: UNITS });
  }
  const opened = await call(first.url, 'POST', '/accounts', { ownerId: 'crash-shopper' });
  const accountId = opened.body.accountId as string;
  await call(first.url, 'POST', `/accounts/${accountId}/deposits`, { amount: 100_000 });
  const orders: PlacedOrder[] = Array.from({ length: ORDERS }, (_, index) => ({
    index,
    lines: [{ productId: productIds[index % PRODUCTS]!, quantity: 1 + (index % 2) }],
  }));

  // Each order is created, confirmed and, unless its index says otherwise, paid; the stack is
  // killed once half of them are confirmed, with the rest of the requests in flight.
  let confirmed = 0;
  let killed: Promise<void> | undefined;
  await Promise.all(
    orders.map(async (order) => {
      try {
        const created = await call(first.url, 'POST', '/orders', {
          customerId: 'crash-shopper',
          items: order.lines.map((line) => ({ ...line, unitPrice: 10 })),
        });
        order.orderId = created.body.orderId as string;
        await call(first.url, 'POST', `/orders/${order.orderId}/confirm`);
        order.confirmed = true;
        if (++confirmed >= ORDERS / 2) killed ??= first.kill();
        if (pays(order)) {
          await call(first.url, 'POST', `/orders/${order.orderId}/pay`, { accountId });
          order.paid = true;
        }
      } catch {
        // The stack died under this request: whatever it did or did not record stands.
      }
    }),
  );
  await killed;
  stack = await startStackProcess(dataDir);
  const restarted = stack;
  const placed = orders.filter((order) => order.orderId !== undefined);
  expect(
    placed.filter((order) => !order.confirmed || (pays(order) && !order.paid)).length,
  ).toBeGreaterThan(0);

  // Clients send again what got no answer (a 422 says it had landed); then every order settles:
  // paid, or cancelled by its timer or a refusal.
  for (const order of placed) {
    if (!order.confirmed) await call(restarted.url, 'POST', `/orders/${order.orderId}/confirm`);
    if (pays(order) && !order.paid) {
      await call(restarted.url, 'POST', `/orders/${order.orderId}/pay`, { accountId });
    }
  }
  const outcomes = await waitFor(
    async () => {
      const read = await Promise.all(
        placed.map(async (order) => {
          const { body } = await call(restarted.url, 'GET', `/orders/${order.orderId}`);
          return { order, status: body.status as string, body };
        }),
      );
      const unsettled = read.filter(({ status }) => status !== 'paid' && status !== 'cancelled');
      return unsettled.length === 0 ? read : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, description: 'every confirmed order to settle' },
  );
  const paid = outcomes.filter(({ status }) => status === 'paid').map(({ order }) => order);
  expect(paid.length).toBeGreaterThan(0);
  expect(JSON.stringify(outcomes)).toContain('PaymentTimeout');

  const sold = new Map<string, number>();
  for (const { lines } of paid) {
    for (const { productId, quantity } of lines) {
      sold.set(productId, (sold.get(productId) ?? 0) + quantity);
    }
  }
  await waitFor(
    async () => {
      const stocks = await Promise.all(
        productIds.map(async (productId) => {
          const { body } = await call(restarted.url, 'GET', `/products/${productId}`);
          return { productId, stock: body.stock as { reserved: number; available: number } };
        }),
      );
      return stocks.every(
        ({ productId, stock }) =>
          stock.reserved === (sold.get(productId) ?? 0) &&
          stock.available === UNITS - stock.reserved,
      )
        ? true
        : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, description: 'stock to match the paid orders' },
  );
  const charged = paid.reduce(
    (sum, order) => sum + order.lines.reduce((total, line) => total + line.quantity * 10, 0),
    0,
  );
  const state = await call(restarted.url, 'GET', `/accounts/${accountId}/state`);
  expect((state.body.state as { balance: number }).balance).toBe(100_000 - charged);
}

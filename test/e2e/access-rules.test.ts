import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/system';
import type { ApiResponse } from '../support/api-client';
import { startTestApi, type TestApi } from '../support/local-api';

/**
 * Who may call each route, as a JWT caller who is not an operator:
 * - `owner`: only on what it owns (a stranger gets 403);
 * - `operators`: never (only operators and IAM callers);
 * - `iam`: never, operators included (API Gateway admits only IAM callers);
 * - `open`: always.
 */
type Rule = 'owner' | 'operators' | 'iam' | 'open';

/** What the setup made, all of it Alice's. */
interface World {
  readonly account: string;
  readonly order: string;
  readonly transfer: string;
  readonly product: string;
}

interface Call {
  readonly path: string;
  readonly body?: unknown;
}

const OWNER = { 'x-local-principal': 'alice' };
const STRANGER = { 'x-local-principal': 'mallory' };
const OPERATOR = { 'x-local-principal': 'olga', 'x-local-groups': 'support,operators' };
/** No identity header: the local API's IAM caller. */
const IAM = {};

const item = { productId: 'pen', quantity: 1, unitPrice: 200 };

/** Every declared route, with its rule and a call of it on Alice's resources. */
const cases: Record<string, { rule: Rule; call: (world: World) => Call }> = {
  'POST /accounts': {
    rule: 'owner',
    call: () => ({ path: '/accounts', body: { ownerId: 'alice' } }),
  },
  'POST /accounts/{accountId}/deposits': {
    rule: 'owner',
    call: (w) => ({ path: `/accounts/${w.account}/deposits`, body: { amount: 1 } }),
  },
  'POST /accounts/{accountId}/withdrawals': {
    rule: 'owner',
    call: (w) => ({ path: `/accounts/${w.account}/withdrawals`, body: { amount: 1 } }),
  },
  // The balance is not zero: the owner's close is refused by the rule of the account (422).
  'POST /accounts/{accountId}/close': {
    rule: 'owner',
    call: (w) => ({ path: `/accounts/${w.account}/close` }),
  },
  'GET /accounts/{accountId}': { rule: 'owner', call: (w) => ({ path: `/accounts/${w.account}` }) },
  'GET /accounts/{accountId}/history': {
    rule: 'owner',
    call: (w) => ({ path: `/accounts/${w.account}/history` }),
  },
  'GET /accounts/{accountId}/state': {
    rule: 'owner',
    call: (w) => ({ path: `/accounts/${w.account}/state` }),
  },
  'GET /accounts/{accountId}/events': {
    rule: 'owner',
    call: (w) => ({ path: `/accounts/${w.account}/events` }),
  },
  'GET /owners/{ownerId}/accounts': {
    rule: 'owner',
    call: () => ({ path: '/owners/alice/accounts' }),
  },
  'POST /orders': {
    rule: 'owner',
    call: () => ({ path: '/orders', body: { customerId: 'alice', items: [item] } }),
  },
  'POST /orders/{orderId}/items': {
    rule: 'owner',
    call: (w) => ({ path: `/orders/${w.order}/items`, body: item }),
  },
  'POST /orders/{orderId}/confirm': {
    rule: 'owner',
    call: (w) => ({ path: `/orders/${w.order}/confirm` }),
  },
  // Admitted callers get 200 or 422: a payment submitted already, or the order cancelled (the
  // fulfilment process finds no product 'pen').
  'POST /orders/{orderId}/pay': {
    rule: 'owner',
    call: (w) => ({ path: `/orders/${w.order}/pay`, body: { accountId: w.account } }),
  },
  'POST /orders/{orderId}/ship': {
    rule: 'operators',
    call: (w) => ({
      path: `/orders/${w.order}/ship`,
      body: { trackingNumber: '1Z999AA1', carrier: 'UPS' },
    }),
  },
  'POST /orders/{orderId}/deliver': {
    rule: 'operators',
    call: (w) => ({ path: `/orders/${w.order}/deliver` }),
  },
  'POST /orders/{orderId}/cancel': {
    rule: 'owner',
    call: (w) => ({ path: `/orders/${w.order}/cancel`, body: { reason: 'changed my mind' } }),
  },
  'GET /orders/{orderId}': { rule: 'owner', call: (w) => ({ path: `/orders/${w.order}` }) },
  'GET /customers/{customerId}/orders': {
    rule: 'owner',
    call: () => ({ path: '/customers/alice/orders' }),
  },
  'POST /transfers': {
    rule: 'owner',
    call: (w) => ({
      path: '/transfers',
      body: { fromAccountId: w.account, toAccountId: 'elsewhere', amount: 1 },
    }),
  },
  'GET /transfers/{transferId}': {
    rule: 'owner',
    call: (w) => ({ path: `/transfers/${w.transfer}` }),
  },
  'POST /products': {
    rule: 'operators',
    call: () => ({ path: '/products', body: { productId: 'lamp', name: 'Lamp', unitPrice: 4999 } }),
  },
  'POST /products/{productId}/stock': {
    rule: 'operators',
    call: (w) => ({ path: `/products/${w.product}/stock`, body: { quantity: 1 } }),
  },
  'GET /products/{productId}': { rule: 'open', call: (w) => ({ path: `/products/${w.product}` }) },
  'GET /streams/{streamId}/events/{version}/proof': {
    rule: 'operators',
    call: (w) => ({ path: `/streams/account-${w.account}/events/1/proof` }),
  },
  'POST /subjects/{subjectId}/erasure': {
    rule: 'operators',
    call: () => ({ path: '/subjects/access-rules-subject/erasure', body: { reason: 'test' } }),
  },
  'GET /events': { rule: 'iam', call: () => ({ path: '/events?limit=1' }) },
  'GET /health': { rule: 'open', call: () => ({ path: '/health' }) },
  'ANY /': { rule: 'open', call: () => ({ path: '/' }) },
  'ANY /{proxy+}': { rule: 'open', call: () => ({ path: '/nowhere' }) },
};

/** Who is refused under each rule. */
const refused: Record<Rule, readonly Record<string, string>[]> = {
  owner: [STRANGER],
  operators: [STRANGER, OWNER],
  iam: [STRANGER, OWNER, OPERATOR],
  open: [],
};

let t: TestApi;
let world: World;

beforeAll(async () => {
  t = await startTestApi();
  const account = await t.openAccount('alice', 500);
  const placed = await t.api.post('/orders', { body: { customerId: 'alice', items: [item] } });
  const transfer = await t.api.post('/transfers', {
    body: { fromAccountId: account, toAccountId: await t.openAccount('bob'), amount: 1 },
  });
  const product = `sku-${Date.now()}`;
  await t.api.post('/products', { body: { productId: product, name: 'Desk', unitPrice: 100 } });
  world = {
    account,
    order: placed.body.orderId as string,
    transfer: transfer.body.transferId as string,
    product,
  };
  // Routes that read a read model find the resource there before they know its owner.
  await t.eventually(`/accounts/${account}`, (r) => r.status === 200);
  await t.eventually(`/orders/${world.order}`, (r) => r.status === 200);
  await t.eventually(`/products/${product}`, (r) => r.status === 200);
});
afterAll(() => t?.stop());

const method = (routeKey: string) => {
  const declared = routeKey.split(' ')[0]!;
  return declared === 'ANY' ? 'GET' : declared;
};

async function send(routeKey: string, headers: Record<string, string>): Promise<ApiResponse> {
  const { path, body } = cases[routeKey]!.call(world);
  return t.api.send(method(routeKey), path, { headers, ...(body === undefined ? {} : { body }) });
}

describe('access rules', () => {
  it('name a rule for every declared route', () => {
    const declared = routes.map((route) => `${route.method} ${route.path}`).sort();
    expect(Object.keys(cases).sort()).toEqual(declared);
  });

  const ruleOfEach = Object.entries(cases).map(([routeKey, { rule }]) => [routeKey, rule] as const);

  it.each(ruleOfEach)('%s: %s', async (routeKey, rule) => {
    for (const [index, caller] of refused[rule].entries()) {
      // Every event a request writes carries its correlation id.
      const correlationId = `refused-${routeKey.replace(/\W+/g, '-')}-${index}`;
      const answer = await send(routeKey, { ...caller, 'x-correlation-id': correlationId });
      expect(answer.status, `${JSON.stringify(caller)}: ${answer.text}`).toBe(403);
      // Refused by the handler (`Forbidden`), or by API Gateway before it (`{"message"}`).
      expect(answer.body.error?.code ?? answer.body.message).toBe('Forbidden');
      const written = (await t.events()).filter(
        (event) => event.metadata.correlationId === correlationId,
      );
      expect(written).toEqual([]);
    }
    const admitted = [OWNER, STRANGER, OPERATOR, IAM].filter((c) => !refused[rule].includes(c));
    for (const caller of admitted) {
      const answer = await send(routeKey, caller);
      expect(answer.status, `${JSON.stringify(caller)}: ${answer.text}`).not.toBe(403);
      expect(answer.status, `${JSON.stringify(caller)}: ${answer.text}`).toBeLessThan(500);
    }
  });
});

/** Section 13's workload: products, customers and orders, through the local stack's HTTP API. */

/** One POST to the API, its JSON answer, or an error naming the request and the answer. */
async function post(
  apiUrl: string,
  path: string,
  expected: number,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`POST ${path}: ${response.status} ${text.slice(0, 300)}`);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** Runs `work` on every index below `count` from `concurrency` workers. */
export async function inParallel(
  count: number,
  concurrency: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** Products with `units` in stock each. */
export async function stockedProducts(
  apiUrl: string,
  prefix: string,
  count: number,
  units: number,
): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  await inParallel(count, 4, async (index) => {
    const productId = ids[index]!;
    await post(apiUrl, '/products', 201, { productId, name: `Product ${index}`, unitPrice: 100 });
    await post(apiUrl, `/products/${productId}/stock`, 200, { quantity: units });
  });
  return ids;
}

/** A customer and the funded account they pay with. */
export interface Customer {
  readonly customerId: string;
  readonly accountId: string;
}

/** `count` customers, each paying from an account of their own, funded with `funds`. */
export async function fundedCustomers(
  apiUrl: string,
  prefix: string,
  count: number,
  funds: number,
): Promise<Customer[]> {
  const customers: Customer[] = [];
  await inParallel(count, 8, async (index) => {
    const customerId = `${prefix}-${index}`;
    const opened = await post(apiUrl, '/accounts', 201, { ownerId: customerId });
    const accountId = opened.accountId as string;
    await post(apiUrl, `/accounts/${accountId}/deposits`, 200, { amount: funds });
    customers[index] = { customerId, accountId };
  });
  return customers;
}

/** An order of one unit of each product, created, confirmed and paid for; its id. */
export async function placeAndPay(
  apiUrl: string,
  customer: Customer,
  productIds: readonly string[],
): Promise<string> {
  const items = productIds.map((productId) => ({ productId, quantity: 1, unitPrice: 100 }));
  const created = await post(apiUrl, '/orders', 201, { customerId: customer.customerId, items });
  const orderId = created.orderId as string;
  await post(apiUrl, `/orders/${orderId}/confirm`, 200);
  await post(apiUrl, `/orders/${orderId}/pay`, 200, { accountId: customer.accountId });
  return orderId;
}

import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiBody } from '../support/api-types';
import { startTestApi, type TestApi } from '../support/local-api';

let t: TestApi;
let accountId: string;
let orderId: string;

beforeAll(async () => {
  t = await startTestApi();
  const account = await t.api.post('/accounts', { body: { ownerId: 'fuzz-owner' } });
  accountId = account.body.accountId as string;
  await t.api.post(`/accounts/${accountId}/deposits`, { body: { amount: 1000 } });
  const order = await t.api.post('/orders', {
    body: { customerId: 'fuzz-customer', items: [{ productId: 'p', quantity: 1, unitPrice: 1 }] },
  });
  orderId = order.body.orderId as string;
});
afterAll(() => t?.stop());

interface Malformed {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/** Sends exactly these headers and bytes (fetch would add a content type of its own). */
function send(malformed: Malformed): Promise<{ status: number; text: string }> {
  const url = new URL(malformed.path, t.url);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: malformed.method,
        headers: {
          ...malformed.headers,
          ...(malformed.body === undefined
            ? {}
            : { 'content-length': String(Buffer.byteLength(malformed.body)) }),
        },
      },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({ status: incoming.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
        );
        incoming.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(malformed.body);
  });
}

type FieldKind = 'amount' | 'count' | 'id' | 'text' | 'enum' | 'items';

interface Command {
  readonly path: () => string;
  readonly valid: Record<string, unknown>;
  readonly fields: Readonly<Record<string, FieldKind>>;
  readonly required: readonly string[];
}

const commands: readonly Command[] = [
  {
    path: () => '/accounts',
    valid: { ownerId: 'o1', accountType: 'savings', currency: 'USD' },
    fields: { ownerId: 'id', accountType: 'enum', currency: 'enum' },
    required: ['ownerId'],
  },
  {
    path: () => `/accounts/${accountId}/deposits`,
    valid: { amount: 5, source: 'salary' },
    fields: { amount: 'amount', source: 'text' },
    required: ['amount'],
  },
  {
    path: () => `/accounts/${accountId}/withdrawals`,
    valid: { amount: 5, destination: 'rent' },
    fields: { amount: 'amount', destination: 'text' },
    required: ['amount'],
  },
  {
    path: () => '/orders',
    valid: { customerId: 'c1', items: [{ productId: 'p', quantity: 1, unitPrice: 5 }] },
    fields: { customerId: 'id', items: 'items' },
    required: ['customerId'],
  },
  {
    path: () => `/orders/${orderId}/items`,
    valid: { productId: 'p', quantity: 1, unitPrice: 1 },
    fields: { productId: 'id', quantity: 'count', unitPrice: 'amount' },
    required: ['productId', 'quantity', 'unitPrice'],
  },
  {
    path: () => `/orders/${orderId}/ship`,
    valid: { trackingNumber: 'T1', carrier: 'UPS' },
    fields: { trackingNumber: 'text', carrier: 'text' },
    required: ['trackingNumber', 'carrier'],
  },
  {
    path: () => `/orders/${orderId}/cancel`,
    valid: { reason: 'changed my mind' },
    fields: { reason: 'text' },
    required: ['reason'],
  },
  { path: () => `/accounts/${accountId}/close`, valid: {}, fields: {}, required: [] },
  { path: () => `/orders/${orderId}/confirm`, valid: {}, fields: {}, required: [] },
  { path: () => `/orders/${orderId}/deliver`, valid: {}, fields: {}, required: [] },
];

const json = { 'content-type': 'application/json' };

const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);

/** A value that is wrong for a field of the kind, whatever else the request holds. */
const wrongValue: Record<FieldKind, fc.Arbitrary<unknown>> = {
  amount: fc.oneof(
    notAString.filter((v) => typeof v !== 'number'),
    fc.string(),
    fc.integer({ max: 0 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
    fc.double({ min: 1e12 + 1, max: 1e300, noNaN: true }),
  ),
  count: fc.oneof(fc.string(), fc.integer({ max: 0 }), fc.integer({ min: 1001 }), fc.constant(2.5)),
  id: fc.oneof(
    notAString,
    fc.constantFrom('', 'a b', 'x'.repeat(129), 'ünïcode', 'slash/inside', 'tab\there'),
  ),
  text: fc.oneof(notAString, fc.constantFrom('', '   ', 'x'.repeat(600), 'bell\u0007')),
  enum: fc.oneof(
    notAString,
    fc.string().filter((s) => !['checking', 'savings', 'USD'].includes(s)),
  ),
  items: fc.oneof(
    notAString.filter((v) => !Array.isArray(v)),
    fc.constant([{ productId: 'p', quantity: 0, unitPrice: 1 }]),
    fc.constant(Array.from({ length: 51 }, () => ({ productId: 'p', quantity: 1, unitPrice: 1 }))),
  ),
};

const command = fc.constantFrom(...commands);
const withFields = command.filter((c) => Object.keys(c.fields).length > 0);

const wrongType = withFields.chain((c) =>
  fc.constantFrom(...Object.keys(c.fields)).chain((field) =>
    wrongValue[c.fields[field]!].map((value): Malformed => ({
      kind: 'wrong type',
      method: 'POST',
      path: c.path(),
      headers: json,
      body: JSON.stringify({ ...c.valid, [field]: value }),
    })),
  ),
);

const missingField = command
  .filter((c) => c.required.length > 0)
  .chain((c) =>
    fc.subarray([...c.required], { minLength: 1 }).map((missing): Malformed => ({
      kind: 'missing field',
      method: 'POST',
      path: c.path(),
      headers: json,
      body: JSON.stringify(
        Object.fromEntries(Object.entries(c.valid).filter(([key]) => !missing.includes(key))),
      ),
    })),
  );

const extraField = fc
  .tuple(
    command,
    fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !['__proto__'].includes(key)),
    fc.jsonValue({ maxDepth: 2 }),
  )
  .filter(([c, key]) => !(key in c.fields))
  .map(([c, key, value]): Malformed => ({
    kind: 'extra field',
    method: 'POST',
    path: c.path(),
    headers: json,
    body: JSON.stringify({ ...c.valid, [key]: value }),
  }));

const hugeNumber = fc
  .tuple(
    fc.constantFrom(...commands.filter((c) => Object.values(c.fields).includes('amount'))),
    fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '1000000000001', '1e12.5'),
  )
  .map(([c, literal]): Malformed => {
    const field = Object.keys(c.fields).find((key) => c.fields[key] === 'amount')!;
    return {
      kind: 'huge number',
      method: 'POST',
      path: c.path(),
      headers: json,
      body: JSON.stringify({ ...c.valid, [field]: 0 }).replace(
        `"${field}":0`,
        `"${field}":${literal}`,
      ),
    };
  });

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const badJson = fc
  .tuple(
    command,
    fc.oneof(
      fc.string({ minLength: 1 }),
      fc.constantFrom(
        '{',
        '{"amount":}',
        "{'amount':5}",
        '{"amount":5,}',
        'NaN',
        '{"a":1}{',
        '[1,2',
      ),
    ),
  )
  .filter(([, text]) => text.trim() !== '' && !isJson(text))
  .map(([c, text]): Malformed => ({
    kind: 'bad JSON',
    method: 'POST',
    path: c.path(),
    headers: json,
    body: text,
  }));

const truncatedJson = fc
  .tuple(withFields, fc.nat())
  .map(([c, cut]) => {
    const text = JSON.stringify(c.valid);
    return { c, text: text.slice(0, 1 + (cut % (text.length - 1))) };
  })
  .filter(({ text }) => !isJson(text))
  .map(({ c, text }): Malformed => ({
    kind: 'bad JSON',
    method: 'POST',
    path: c.path(),
    headers: json,
    body: text,
  }));

const wrongContentType = fc
  .tuple(
    withFields,
    fc.constantFrom(
      undefined,
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      'json',
    ),
  )
  .map(([c, contentType]): Malformed => ({
    kind: 'wrong content type',
    method: 'POST',
    path: c.path(),
    headers: contentType === undefined ? {} : { 'content-type': contentType },
    // A body that would be accepted as JSON: only the media type is wrong.
    body: JSON.stringify(c.valid),
  }));

const oversized = fc
  .tuple(withFields, fc.integer({ min: 256 * 1024, max: 400 * 1024 }))
  .map(([c, size]): Malformed => ({
    kind: 'oversized body',
    method: 'POST',
    path: c.path(),
    headers: json,
    body: JSON.stringify({ ...c.valid, padding: 'x'.repeat(size) }),
  }));

const badHeader = fc
  .tuple(
    withFields,
    fc.oneof(
      fc.constantFrom('abc', '"-1"', '"1.5"', 'W/', '""').map((v) => ({ 'if-match': v })),
      fc
        .constantFrom('x'.repeat(129), 'with space', 'ünïcode')
        .map((v) => ({ 'idempotency-key': v })),
    ),
  )
  .map(([c, header]): Malformed => ({
    kind: 'bad header',
    method: 'POST',
    path: c.path(),
    headers: { ...json, ...header },
    body: JSON.stringify(c.valid),
  }));

const badPathId = fc
  .tuple(
    fc.constantFrom('deposits', 'withdrawals'),
    fc.constantFrom('a%20b', 'x'.repeat(129), '%C3%BC', 'a%2Fb', '%00'),
  )
  .map(([action, id]): Malformed => ({
    kind: 'bad path parameter',
    method: 'POST',
    path: `/accounts/${id}/${action}`,
    headers: json,
    body: JSON.stringify({ amount: 5 }),
  }));

const badQuery = fc
  .tuple(
    fc.constantFrom(
      () => `/accounts/${accountId}/history`,
      () => `/owners/fuzz-owner/accounts`,
      () => `/customers/fuzz-customer/orders`,
      () => `/accounts/${accountId}/events`,
    ),
    fc.constantFrom(
      'limit=0',
      'limit=101',
      'limit=abc',
      'limit=-1',
      'limit=1.5',
      'limit=99999999999999999999',
      'cursor=garbage',
      'cursor=eyJzayI6Im90aGVyIn0',
      'unknown=1',
    ),
  )
  .map(([path, query]): Malformed => {
    const base = path();
    const wrong = base.endsWith('/events') && query.startsWith('cursor') ? 'fromVersion=x' : query;
    return { kind: 'bad query', method: 'GET', path: `${base}?${wrong}`, headers: {} };
  });

const badStateQuery = fc
  .constantFrom(
    'version=0',
    'version=abc',
    'at=yesterday',
    'at=2026-13-45T00:00:00Z',
    'version=1&at=2026-01-01T00:00:00Z',
  )
  .map((query): Malformed => ({
    kind: 'bad query',
    method: 'GET',
    path: `/accounts/${accountId}/state?${query}`,
    headers: {},
  }));

const unknownRoute = fc
  .tuple(
    fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
    fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { minLength: 0, maxLength: 4 }),
  )
  .map(([method, segments]): Malformed => ({
    kind: 'unknown route',
    method,
    path: `/zz-${segments.join('/')}`,
    headers: method === 'GET' || method === 'DELETE' ? {} : json,
    ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}' }),
  }));

const wrongMethod = fc.constantFrom('PUT', 'PATCH', 'DELETE').chain((method) =>
  command.map((c): Malformed => ({
    kind: 'unknown route',
    method,
    path: c.path(),
    headers: json,
    body: '{}',
  })),
);

const malformedRequest = fc.oneof(
  { arbitrary: wrongType, weight: 6 },
  { arbitrary: missingField, weight: 3 },
  { arbitrary: extraField, weight: 3 },
  { arbitrary: hugeNumber, weight: 2 },
  { arbitrary: badJson, weight: 3 },
  { arbitrary: truncatedJson, weight: 2 },
  { arbitrary: wrongContentType, weight: 3 },
  { arbitrary: oversized, weight: 1 },
  { arbitrary: badHeader, weight: 2 },
  { arbitrary: badPathId, weight: 1 },
  { arbitrary: badQuery, weight: 2 },
  { arbitrary: badStateQuery, weight: 1 },
  { arbitrary: unknownRoute, weight: 2 },
  { arbitrary: wrongMethod, weight: 1 },
);

describe('malformed requests', () => {
  it('get a 4xx with an error body, and the events table stays unchanged', async () => {
    const before = await t.events();
    const kinds = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(malformedRequest, async (malformed) => {
        const { status, text } = await send(malformed);
        kinds.set(malformed.kind, (kinds.get(malformed.kind) ?? 0) + 1);
        const where = `${malformed.kind}: ${malformed.method} ${malformed.path} ${malformed.body?.slice(0, 200)} → ${status} ${text.slice(0, 300)}`;
        expect(status, where).toBeGreaterThanOrEqual(400);
        expect(status, where).toBeLessThan(500);
        const body = JSON.parse(text) as ApiBody;
        expect(typeof body.error?.code, where).toBe('string');
        expect(typeof body.error?.message, where).toBe('string');
      }),
      { numRuns: 600 },
    );
    const sent = [...kinds.values()].reduce((sum, n) => sum + n, 0);
    expect(sent).toBeGreaterThanOrEqual(500);
    expect([...kinds.keys()].sort()).toEqual([
      'bad JSON',
      'bad header',
      'bad path parameter',
      'bad query',
      'extra field',
      'huge number',
      'missing field',
      'oversized body',
      'unknown route',
      'wrong content type',
      'wrong type',
    ]);
    expect(await t.events()).toEqual(before);
  });
});

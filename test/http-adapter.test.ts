import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConcurrencyError, DomainError } from '../functions/eventsourcing';
import { httpHandler, route } from '../functions/http/api';
import { dynamoDbIdempotency, type Idempotency } from '../functions/http/idempotency';
import { MAX_BODY_BYTES } from '../functions/http/request';
import { ok } from '../functions/http/responses';
import { money, resourceId } from '../functions/http/validation';
import { apiEvent, lambdaContext } from './support/api-gateway-events';
import type { ApiBody } from './support/api-types';
import { createTestTables } from './support/dynamodb';

let idempotency: Idempotency;
let runs = 0;
const failures: Record<string, Error> = {
  missing: new DomainError('WidgetNotFound', 'no such widget'),
  duplicate: new DomainError('WidgetAlreadyExists', 'exists'),
  rule: new DomainError('WidgetBroken', 'broken', { reason: 'test' }),
  conflict: new ConcurrencyError('widget-1', 3, 4),
  bug: new Error('secret internals'),
};

const handler = httpHandler(
  {
    'POST /widgets/{widgetId}': route({
      params: z.strictObject({ widgetId: resourceId }),
      body: z.strictObject({
        amount: money(1_000_000_000_000),
        parts: z.array(z.strictObject({ name: z.string() })).optional(),
        fail: z.string().optional(),
      }),
      handle(request) {
        runs += 1;
        const failure = request.body.fail ? failures[request.body.fail] : undefined;
        if (failure) return Promise.reject(failure);
        return Promise.resolve(
          ok({ run: runs, ...request.body, ifMatch: request.ifMatch ?? null }),
        );
      },
    }),
    'POST /widgets/{widgetId}/touch': route({
      params: z.strictObject({ widgetId: resourceId }),
      handle: () => Promise.resolve(ok({ touched: true })),
    }),
  },
  { idempotency: () => idempotency },
);

async function call(
  body: string | undefined,
  headers: Record<string, string> = {},
  routeKey = 'POST /widgets/{widgetId}',
) {
  const result = await handler(
    apiEvent(routeKey, {
      path: '/widgets/w1',
      pathParameters: { widgetId: 'w1' },
      headers,
      ...(body === undefined ? {} : { body }),
    }),
    lambdaContext,
  );
  return {
    status: result.statusCode,
    headers: result.headers ?? {},
    body: result.body ? (JSON.parse(result.body) as ApiBody) : undefined,
  };
}

beforeAll(async () => {
  const tables = await createTestTables();
  idempotency = dynamoDbIdempotency(tables.client, tables.names.idempotency);
});

describe('HTTP adapter', () => {
  it('answers JSON with a trailing newline', async () => {
    const result = await handler(
      apiEvent('POST /widgets/{widgetId}', {
        path: '/widgets/w1',
        pathParameters: { widgetId: 'w1' },
        body: '{"amount":5}',
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(200);
    expect(result.headers?.['content-type']).toBe('application/json; charset=utf-8');
    expect(result.body).toMatch(/^\{"run":\d+,"amount":5,"ifMatch":null\}\n$/);
  });

  it('answers 404 for a routeKey it does not serve', async () => {
    const result = await call(undefined, {}, 'DELETE /widgets/{widgetId}');
    expect(result.status).toBe(404);
    expect(result.body?.error?.code).toBe('RouteNotFound');
  });

  it('names every offending field', async () => {
    const result = await call('{"amount":"5","parts":[{"name":1}],"colour":"red"}');
    expect(result.status).toBe(400);
    expect(result.body?.error?.code).toBe('ValidationFailed');
    const fields = (result.body?.error?.fields ?? []).map((f) => f.field).sort();
    expect(fields).toEqual(['amount', 'colour', 'parts[0].name']);
  });

  it('refuses amounts outside 1..10^12 and non-integers', async () => {
    for (const amount of ['0', '-3', '1.5', '1000000000001', '1e400', 'null']) {
      const result = await call(`{"amount":${amount}}`);
      expect(result.status, amount).toBe(400);
      expect(result.body?.error?.fields?.[0]?.field).toBe('amount');
    }
  });

  it('reports a missing body and a body that is not an object', async () => {
    expect((await call(undefined)).body?.error?.fields?.[0]?.field).toBe('body');
    expect((await call('[1,2]')).body?.error?.fields?.[0]?.field).toBe('body');
  });

  it('refuses malformed JSON with 400, other media types with 415, big bodies with 413', async () => {
    const malformed = await call('{"amount":');
    expect(malformed.status).toBe(400);
    expect(malformed.body?.error?.code).toBe('MalformedJson');
    const text = await call('amount=5', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.body?.error?.code).toBe('UnsupportedMediaType');
    const big = await call(JSON.stringify({ amount: 1, pad: 'x'.repeat(MAX_BODY_BYTES) }));
    expect(big.status).toBe(413);
    expect(big.body?.error?.code).toBe('PayloadTooLarge');
  });

  it('accepts JSON with a charset or a +json media type, and base64 bodies', async () => {
    expect(
      (await call('{"amount":1}', { 'content-type': 'application/json; charset=utf-8' })).status,
    ).toBe(200);
    expect(
      (await call('{"amount":1}', { 'content-type': 'application/merge-patch+json' })).status,
    ).toBe(200);
    const result = await handler(
      apiEvent('POST /widgets/{widgetId}', {
        path: '/widgets/w1',
        pathParameters: { widgetId: 'w1' },
        body: Buffer.from('{"amount":7}').toString('base64'),
        isBase64Encoded: true,
      }),
      lambdaContext,
    );
    expect(JSON.parse(result.body!)).toMatchObject({ amount: 7 });
  });

  it('takes no body, or an empty object, on a command without one', async () => {
    const touch = 'POST /widgets/{widgetId}/touch';
    expect((await call(undefined, {}, touch)).status).toBe(200);
    expect((await call('{}', {}, touch)).status).toBe(200);
    const extra = await call('{"force":true}', {}, touch);
    expect(extra.status).toBe(400);
    expect(extra.body?.error?.fields?.[0]?.field).toBe('force');
  });

  it('maps domain errors by their code', async () => {
    expect((await call('{"amount":1,"fail":"missing"}')).status).toBe(404);
    expect((await call('{"amount":1,"fail":"duplicate"}')).status).toBe(409);
    const rule = await call('{"amount":1,"fail":"rule"}');
    expect(rule.status).toBe(422);
    expect(rule.body?.error).toEqual({
      code: 'WidgetBroken',
      message: 'broken',
      details: { reason: 'test' },
    });
  });

  it('maps a concurrency conflict to 412 under If-Match and 409 without', async () => {
    const pinned = await call('{"amount":1,"fail":"conflict"}', { 'if-match': '"3"' });
    expect(pinned.status).toBe(412);
    expect(pinned.body?.error).toMatchObject({ code: 'PreconditionFailed', currentVersion: 4 });
    const unpinned = await call('{"amount":1,"fail":"conflict"}');
    expect(unpinned.status).toBe(409);
    expect(unpinned.body?.error?.code).toBe('ConcurrencyConflict');
  });

  it('parses If-Match ETags and refuses anything else', async () => {
    expect((await call('{"amount":1}', { 'if-match': '"12"' })).body?.ifMatch).toBe(12);
    expect((await call('{"amount":1}', { 'if-match': 'W/"12"' })).body?.ifMatch).toBe(12);
    expect((await call('{"amount":1}', { 'if-match': '*' })).body?.ifMatch).toBeNull();
    const bad = await call('{"amount":1}', { 'if-match': 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body?.error?.code).toBe('InvalidIfMatch');
  });

  it('hides unexpected errors behind a 500', async () => {
    const result = await call('{"amount":1,"fail":"bug"}');
    expect(result.status).toBe(500);
    expect(result.body?.error?.code).toBe('InternalError');
    expect(JSON.stringify(result.body)).not.toContain('secret');
  });

  describe('Idempotency-Key', () => {
    it('runs a request once and replays its first response', async () => {
      const key = { 'idempotency-key': `k-${Date.now()}-a` };
      const first = await call('{"amount":5}', key);
      const again = await call('{ "amount" : 5 }', key);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
    });

    it('refuses the key with another body or another path', async () => {
      const key = { 'idempotency-key': `k-${Date.now()}-b` };
      expect((await call('{"amount":5}', key)).status).toBe(200);
      const other = await call('{"amount":6}', key);
      expect(other.status).toBe(422);
      expect(other.body?.error?.code).toBe('IdempotencyKeyReused');
      const elsewhere = await call(undefined, key, 'POST /widgets/{widgetId}/touch');
      expect(elsewhere.status).toBe(422);
    });

    it('keeps no failed response, so the client may retry', async () => {
      const key = { 'idempotency-key': `k-${Date.now()}-c` };
      expect((await call('{"amount":5,"fail":"rule"}', key)).status).toBe(422);
      const before = runs;
      expect((await call('{"amount":5,"fail":"rule"}', key)).status).toBe(422);
      expect(runs).toBe(before + 1);
    });

    it('refuses keys that are empty, too long or not visible ASCII', async () => {
      for (const value of ['', 'x'.repeat(129), 'naïve', 'two words']) {
        const result = await call('{"amount":5}', { 'idempotency-key': value });
        expect(result.status, value).toBe(400);
        expect(result.body?.error?.code).toBe('InvalidIdempotencyKey');
      }
    });
  });
});

import { afterEach, describe, expect, inject, it } from 'vitest';
import { handler } from '../../functions/eventsourcing/http/health';
import { freePort } from '../../local/ports';
import { apiEvent } from '../support/api-gateway-events';

const endpointBefore = process.env.DYNAMODB_ENDPOINT;
afterEach(() => {
  process.env.DYNAMODB_ENDPOINT = endpointBefore;
});

const bodyOf = (result: Awaited<ReturnType<typeof handler>>) =>
  JSON.parse(result.body ?? '') as Record<string, unknown>;

describe('GET /health', () => {
  it('is ok while DynamoDB answers', async () => {
    process.env.DYNAMODB_ENDPOINT = inject('dynamoDbEndpoint');
    const result = await handler(apiEvent('GET /health'));
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ status: 'ok' });
  });

  it('answers 503 with the reason while DynamoDB cannot be reached', async () => {
    const port = await freePort();
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${port}`;
    const result = await handler(apiEvent('GET /health'));
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toEqual({
      status: 'unavailable',
      reason: `DynamoDB (http://127.0.0.1:${port}) is unreachable: ECONNREFUSED`,
    });
  });
});

describe('CORS preflight on the catch-all routes', () => {
  it('answers 204 with no body, for API Gateway to add the CORS headers', async () => {
    const result = await handler(
      apiEvent('OPTIONS /{proxy+}', {
        path: '/accounts/a1/deposits',
        pathParameters: { proxy: 'accounts/a1/deposits' },
      }),
    );
    expect(result).toMatchObject({ statusCode: 204, body: '' });
    expect((await handler(apiEvent('OPTIONS /'))).statusCode).toBe(204);
  });
});

describe('requests no other route matches', () => {
  it("get the API's JSON 404, with the correlation id echoed", async () => {
    const result = await handler(
      apiEvent('GET /nowhere', { headers: { 'x-correlation-id': 'trace-1' } }),
    );
    expect(result.statusCode).toBe(404);
    expect(result.headers).toMatchObject({ 'x-correlation-id': 'trace-1' });
    expect(bodyOf(result)).toEqual({
      error: { code: 'RouteNotFound', message: 'No route GET /nowhere' },
    });
  });
});

import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamoDbUnreachable } from './dynamodb-probe.js';
import { errorResponse } from './errors.js';
import { correlationIdOf } from './request.js';
import { ok, toAnswer, type HttpResponse } from './responses.js';

/** A CORS preflight: API Gateway adds the configured CORS headers to this empty answer. */
const PREFLIGHT: HttpResponse = { status: 204 };

async function answer(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  if (event.routeKey === 'GET /health') {
    const reason = await dynamoDbUnreachable();
    return reason ? { status: 503, body: { status: 'unavailable', reason } } : ok({ status: 'ok' });
  }
  if (event.routeKey.startsWith('OPTIONS ')) return PREFLIGHT;
  return errorResponse(
    404,
    'RouteNotFound',
    `No route ${event.requestContext.http.method} ${event.rawPath}`,
  );
}

/**
 * `GET /health`: 200 while DynamoDB answers, 503 with the reason while it cannot be reached.
 * Also the JSON 404 for every request that matches no other route (the catch-all routes of the
 * system declaration lead here), and, where CORS is configured, the answer to preflight
 * requests the catch-all routes would otherwise refuse unauthenticated (see `lib/http-api.ts`).
 *
 * It is written without the API's route adapter on purpose: it takes no input to validate, and
 * staying apart from the adapter keeps the AWS SDK and zod out of the smallest, most often
 * called function.
 */
export async function handler(
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> {
  const { status, headers, body } = toAnswer(await answer(event));
  return {
    statusCode: status,
    headers: { ...headers, 'x-correlation-id': correlationIdOf(event) },
    body,
  };
}

import { z } from 'zod';
import { httpHandler, route } from './api';
import { dynamoDbUnreachable } from './dynamodb-probe';
import { ok } from './responses';

/** A CORS preflight: API Gateway adds the configured CORS headers to this empty answer. */
const preflight = { status: 204 };

/**
 * `GET /health`: 200 while DynamoDB answers, 503 with the reason while it cannot be reached.
 * Also the JSON 404 for every request that matches no other route (the catch-all routes of the
 * system declaration lead here), and, where CORS is configured, the answer to preflight
 * requests the catch-all routes would otherwise refuse unauthenticated (see `lib/http-api.ts`).
 */
export const handler = httpHandler({
  'OPTIONS /': route({ handle: () => Promise.resolve(preflight) }),
  'OPTIONS /{proxy+}': route({
    params: z.object({ proxy: z.string() }),
    handle: () => Promise.resolve(preflight),
  }),
  'GET /health': route({
    handle: async () => {
      const reason = await dynamoDbUnreachable();
      return reason
        ? { status: 503, body: { status: 'unavailable', reason } }
        : ok({ status: 'ok' });
    },
  }),
});

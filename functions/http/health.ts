import { httpHandler, route } from './api';
import { dynamoDbUnreachable } from './dynamodb-probe';
import { ok } from './responses';

/**
 * `GET /health`: 200 while DynamoDB answers, 503 with the reason while it cannot be reached.
 * Also the JSON 404 for every request that matches no other route (the catch-all routes of the
 * system declaration lead here).
 */
export const handler = httpHandler({
  'GET /health': route({
    handle: async () => {
      const reason = await dynamoDbUnreachable();
      return reason
        ? { status: 503, body: { status: 'unavailable', reason } }
        : ok({ status: 'ok' });
    },
  }),
});

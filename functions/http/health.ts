import { httpHandler, route } from './api';
import { ok } from './responses';

/**
 * `GET /health`, and the JSON 404 for every request that matches no other route (the catch-all
 * routes of the system declaration lead here).
 */
export const handler = httpHandler({
  'GET /health': route({ handle: () => Promise.resolve(ok({ status: 'ok' })) }),
});

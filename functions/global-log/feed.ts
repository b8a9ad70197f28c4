import * as z from 'zod';
import { domainEvents } from '../domain-events';
import { GlobalLogReader, MAX_READ_LIMIT } from '../eventsourcing/global-log';
import { createDynamoDbClient } from '../eventsourcing';
import { httpHandler, requireOperator, route } from '../eventsourcing/http';
import { ValidationError } from '../eventsourcing/http';
import { once } from '../eventsourcing/http';
import { ok } from '../eventsourcing/http';
import { integerParam } from '../eventsourcing/http';
import { feedEvent } from './feed-event';
import { globalLogTablesFromEnv } from './tables';

const reader = once(
  () =>
    new GlobalLogReader({
      client: createDynamoDbClient(),
      tables: globalLogTablesFromEnv(),
      // Upcasts to the current schema and validates, like every other read.
      catalogue: domainEvents,
    }),
);

const MAX_TYPES = 20;
const DEFAULT_LIMIT = 100;

const typesParam = z
  .string()
  .transform((value) => value.split(','))
  .pipe(
    z
      .array(
        z.string().refine((type) => domainEvents.has(type), {
          error: (issue) => `'${String(issue.input)}' is not an event type`,
        }),
      )
      .min(1)
      .max(MAX_TYPES, `must name at most ${MAX_TYPES} event types`),
  );

/** The global log over HTTP, for operators and internal services (IAM-authorized in AWS). */
export const handler = httpHandler({
  'GET /events': route({
    query: z.strictObject({
      after: integerParam(0, Number.MAX_SAFE_INTEGER).optional(),
      limit: integerParam(1, MAX_READ_LIMIT).optional(),
      types: typesParam.optional(),
    }),
    async handle({ query, caller }) {
      // API Gateway admits only IAM callers to this route; the check holds wherever it is served.
      requireOperator(caller, 'read the global log');
      const after = query.after ?? 0;
      const log = reader();
      const { lastPosition } = await log.head();
      if (after > lastPosition) {
        throw new ValidationError([
          {
            in: 'query',
            field: 'after',
            message: `is beyond the end of the log (position ${lastPosition})`,
          },
        ]);
      }
      const { events, next } = await log.read({
        after,
        limit: query.limit ?? DEFAULT_LIMIT,
        ...(query.types ? { types: query.types } : {}),
      });
      return ok({
        events: events.map(feedEvent),
        next,
      });
    },
  }),
});

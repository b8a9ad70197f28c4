import * as z from 'zod';
import { tableNameFromEnv } from '../declaration/resource-names.js';
import { createDynamoDbClient } from '../dynamodb-client.js';
import type { EventCatalogue } from '../event-catalogue.js';
import { httpHandler, route } from '../http/api.js';
import { requireOperator } from '../http/caller.js';
import { once } from '../http/once.js';
import { ok } from '../http/responses.js';
import { resourceId } from '../http/validation.js';
import { destroyDataKey } from './dynamodb-subject-keys.js';
import { SubjectErasure } from './erasure.js';

/** The route that erases a data subject. */
export const ERASURE_ROUTE = 'POST /subjects/{subjectId}/erasure';

export interface ErasureHandlerOptions {
  /** Every event type of the system, for its personal fields (clear legacy events). */
  readonly catalogue: Pick<EventCatalogue, 'personal'>;
  /** The logical names of every read-model table, whose sealed values it scrubs. */
  readonly readModels: readonly string[];
}

/**
 * `POST /subjects/{subjectId}/erasure` for operators and IAM callers: erases the subject (see
 * `SubjectErasure`) and answers with the erasure report. Repeating it re-applies the erasure.
 */
export function erasureHandler(options: ErasureHandlerOptions) {
  const erasure = once(() => {
    const client = createDynamoDbClient();
    const dataKeys = tableNameFromEnv('dataKeys');
    return new SubjectErasure({
      client,
      // Destroying a key needs no KMS: the wrapped key is removed from the table.
      keys: { destroy: (subject, at) => destroyDataKey(client, dataKeys, subject, at) },
      catalogue: options.catalogue,
      tables: {
        events: tableNameFromEnv('events'),
        snapshots: tableNameFromEnv('snapshots'),
        readModels: Object.fromEntries(
          options.readModels.map((readModel) => [readModel, tableNameFromEnv(readModel)]),
        ),
      },
    });
  });
  return httpHandler({
    [ERASURE_ROUTE]: route({
      params: z.strictObject({ subjectId: resourceId }),
      body: z.strictObject({
        /** The request's reference (a ticket, an article of law), never personal data. */
        reason: z.string().trim().min(1).max(500),
      }),
      async handle({ params, body, caller }) {
        requireOperator(caller, 'erase data subjects');
        const report = await erasure().erase({
          subject: params.subjectId,
          requestedBy: caller.actor,
          reason: body.reason,
        });
        return ok(report);
      },
    }),
  });
}

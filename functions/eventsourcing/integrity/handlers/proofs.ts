import * as z from 'zod';
import { httpHandler, route } from '../../http/api.js';
import { requireOperator } from '../../http/caller.js';
import { HttpError } from '../../http/errors.js';
import { once } from '../../http/once.js';
import { ok } from '../../http/responses.js';
import { integerParam } from '../../http/validation.js';
import { EventProofs } from '../proofs.js';
import { provingFromEnv } from './resources.js';

const proofs = once(() => new EventProofs(provingFromEnv()));

/** Proofs that single events are part of a signed checkpoint (operators and IAM callers). */
export const handler = httpHandler({
  'GET /streams/{streamId}/events/{version}/proof': route({
    params: z.strictObject({
      streamId: z.string().min(1).max(1024),
      version: integerParam(1, Number.MAX_SAFE_INTEGER),
    }),
    async handle({ params, caller }) {
      requireOperator(caller, 'read proofs of events');
      const answer = await proofs().proof(params.streamId, params.version);
      switch (answer.status) {
        case 'proof':
          return ok(answer.proof);
        case 'not-found':
          throw new HttpError(
            404,
            'EventNotFound',
            `Stream '${params.streamId}' has no version ${params.version}`,
          );
        case 'not-sealed':
          throw new HttpError(
            409,
            'EventNotSealed',
            `Version ${params.version} of '${params.streamId}' has no proof: ${answer.reason}`,
          );
      }
    },
  }),
});

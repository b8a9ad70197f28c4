import * as z from 'zod';
import { defineEvents } from '../define-events.js';
import { ERASURE_STREAM_PREFIX } from './subject-keys.js';

/**
 * The erasure ledger: one `erasure-<subject>` stream per erased data subject, in the events
 * table, holding one `SubjectErased` event. It holds no personal data: the subject's id, who
 * asked and why. It is written before the subject's key is destroyed, and outranks the keys
 * table (a restored backup of that table cannot bring the subject back).
 */
export const erasureEvents = defineEvents({
  streamPrefix: ERASURE_STREAM_PREFIX,
  schemas: {
    SubjectErased: z.object({
      subject: z.string().min(1),
      /** Who asked: the operator or the caller's identity, never the subject's name. */
      requestedBy: z.string().min(1).max(200),
      /** Why: the request's reference (a ticket, an article of law), not personal data. */
      reason: z.string().min(1).max(500),
    }),
  },
});

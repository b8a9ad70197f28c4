import { eventLogKeys, withLogKeys } from '../log-context.js';
import { traced } from '../tracing.js';
import type { RecordedEvent } from '../types.js';

/**
 * Runs a consumer's work on an event with the consumer, the event's stream and the request it
 * came from on every log line written meanwhile, in a trace subsegment annotated with the
 * request's correlation id and the trace that appended the event: one search by either finds
 * the command and every consumer its events fed.
 */
export function inEventContext<T>(
  consumer: string,
  event: RecordedEvent,
  work: () => Promise<T>,
): Promise<T> {
  const keys = eventLogKeys(event);
  const { correlationId, traceId } = event.metadata;
  const annotations = {
    consumer,
    streamId: event.streamId,
    eventId: event.eventId,
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    causedByTrace: typeof traceId === 'string' ? traceId : undefined,
  };
  return withLogKeys({ consumer, ...keys }, () => traced(`## ${consumer}`, annotations, work));
}

import { eventLogKeys, withLogKeys } from '../log-context.js';
import type { RecordedEvent } from '../types.js';

/**
 * Runs a consumer's work on an event with the consumer, the event's stream and the request it
 * came from on every log line written meanwhile.
 */
export function inEventContext<T>(
  consumer: string,
  event: RecordedEvent,
  work: () => Promise<T>,
): Promise<T> {
  return withLogKeys({ consumer, ...eventLogKeys(event) }, work);
}

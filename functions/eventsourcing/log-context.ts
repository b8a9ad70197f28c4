import { AsyncLocalStorage } from 'node:async_hooks';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { RecordedEvent } from './types.js';

const keys = new AsyncLocalStorage<LogAttributes>();

/**
 * Runs `work` with `attributes` on every log line written while it runs, awaited work included.
 * One invocation serves many requests locally and many streams at once in a consumer, so the
 * keys follow the asynchronous call chain rather than sit on the shared logger.
 */
export function withLogKeys<T>(attributes: LogAttributes, work: () => T): T {
  return keys.run({ ...keys.getStore(), ...attributes }, work);
}

/** The keys of the work running now, if any. */
export const currentLogKeys = (): LogAttributes | undefined => keys.getStore();

/** What ties a log line to an event and the request it came from. */
export function eventLogKeys(event: RecordedEvent): LogAttributes {
  const { correlationId, causationId } = event.metadata;
  return {
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    ...(typeof correlationId === 'string' ? { correlationId } : {}),
    ...(typeof causationId === 'string' ? { causationId } : {}),
  };
}

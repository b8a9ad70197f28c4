import type { LoggedEvent } from '../eventsourcing/global-log';

/** An event as the feed shows it to operators and other services: with its position. */
export const feedEvent = ({ position, event }: LoggedEvent) => ({
  position,
  streamId: event.streamId,
  version: event.version,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  recordedAt: event.recordedAt,
});

import { emit, type EsCommand } from '../command';

export const corrupt: EsCommand = {
  name: 'corrupt',
  summary: 'stored events that do not fit their schema, by stream',
  usage: `corrupt

  Scans the whole events table for events that do not fit their schema: commands on those
  streams fail with CorruptEvent until the cause is repaired (an upcaster that lifts them, or
  a corrected schema). Exit code 2 when there are any.`,
  async run(_input, context) {
    const events = [];
    for await (const error of context.corruptEvents()) {
      events.push({
        streamId: error.streamId,
        version: error.version,
        eventType: error.eventType,
        eventId: error.eventId,
        field: error.field,
        reason: error.reason,
      });
    }
    const streams = [...new Set(events.map((event) => event.streamId))];
    emit(context.io, { events, streams }, (value) =>
      value.events.length === 0
        ? ['No corrupt events.']
        : [
            ...value.events.map(
              (event) =>
                `${event.streamId} version ${event.version} (${event.eventType} ${event.eventId}): ` +
                `${event.field}: ${event.reason}`,
            ),
            `${value.streams.length} stream(s) hold corrupt events: ${value.streams.join(', ')}`,
          ],
    );
    return events.length === 0 ? 0 : 2;
  },
};

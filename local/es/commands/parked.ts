import type { ParkedStream } from '../../../functions/eventsourcing/hosts';
import { emit, type EsCommand } from '../command';
import { selectParkingConsumers } from '../consumer-selection';

export function formatParked(record: ParkedStream): string {
  const waiting =
    record.queuedUpTo !== undefined ? `, events up to ${record.queuedUpTo} waiting` : '';
  return (
    `${record.consumer} ${record.streamId} ${record.status} at version ${record.version} ` +
    `(${record.eventType ?? 'event'} ${record.eventId ?? ''}) after ${record.attempts} attempt(s)${waiting}: ` +
    `${record.kind}: ${record.error}`
  );
}

export const parked: EsCommand = {
  name: 'parked',
  summary: 'failing and parked streams of every consumer, with their reasons',
  usage: `parked [NAME]

  The streams each consumer (or the one named) is failing on or has parked, with the event,
  the number of attempts and the reason. Fix the cause, then: redrive NAME.`,
  async run(input, context) {
    const records: ParkedStream[] = [];
    for (const consumer of await selectParkingConsumers(context, input.positionals[0])) {
      records.push(...(await consumer.list()));
    }
    emit(context.io, { streams: records }, ({ streams }) =>
      streams.length === 0 ? ['No failing or parked streams.'] : streams.map(formatParked),
    );
    return 0;
  },
};

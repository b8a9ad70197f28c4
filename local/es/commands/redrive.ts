import type { RedriveOutcome } from '../../../functions/eventsourcing/hosts';
import { emit, type EsCommand } from '../command';
import { namedParkingConsumer } from '../consumer-selection';

const line = (outcome: RedriveOutcome) =>
  outcome.released
    ? `${outcome.streamId}: applied up to version ${outcome.appliedVersion}, released`
    : `${outcome.streamId}: still parked at version ${outcome.failure?.version ?? outcome.appliedVersion + 1}` +
      (outcome.failure ? `: ${outcome.failure.error.message}` : '');

export const redrive: EsCommand = {
  name: 'redrive',
  summary: "replay a consumer's parked streams from the events table",
  usage: `redrive NAME [STREAM_ID ...]

  Replays the parked streams of consumer NAME (or the named streams, parked or not) from the
  events table, then releases them; a stream that fails again stays parked with the new
  reason (exit code 2). NAME global-log-indexer gives positions in the global log to the
  streams its indexer parked for a hole, once the hole is filled.`,
  async run(input, context) {
    const [name, ...streamIds] = input.positionals;
    const consumer = await namedParkingConsumer(context, name);
    const outcomes = await consumer.redrive(streamIds.length > 0 ? streamIds : undefined);
    const report = outcomes.map((outcome) => ({
      streamId: outcome.streamId,
      released: outcome.released,
      appliedVersion: outcome.appliedVersion,
      ...(outcome.failure
        ? { failure: { version: outcome.failure.version, error: outcome.failure.error.message } }
        : {}),
    }));
    emit(context.io, { consumer: consumer.name, streams: report }, () =>
      outcomes.length === 0 ? [`No parked streams for ${consumer.name}.`] : outcomes.map(line),
    );
    return outcomes.every((outcome) => outcome.released) ? 0 : 2;
  },
};

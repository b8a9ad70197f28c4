import type { RecordedEvent } from '../../../functions/eventsourcing';
import { UsageError, emit, integerOption, requiredPositional, type EsCommand } from '../command';
import type { EsContext } from '../context';
import { stateAt, streamHistory, type HistoryPoint } from '../views/stream-history';

const MAX_VERSION = Number.MAX_SAFE_INTEGER;

function pointOf(input: Parameters<EsCommand['run']>[0]): HistoryPoint | undefined {
  const version = integerOption(input, 'at-version', { min: 0, max: MAX_VERSION });
  const time = input.values['at-time'];
  if (version !== undefined && time !== undefined) {
    throw new UsageError('Give --at-version or --at-time, not both');
  }
  if (version !== undefined) return { version };
  if (typeof time !== 'string') return undefined;
  const at = new Date(time);
  if (Number.isNaN(at.getTime())) throw new UsageError('--at-time must be an ISO-8601 time');
  return { at };
}

const eventLine = (event: RecordedEvent) =>
  `${event.version}\t${event.recordedAt}\t${event.type}\t${JSON.stringify(event.data)}\t` +
  JSON.stringify(event.metadata ?? {});

async function showState(context: EsContext, streamId: string, point: HistoryPoint) {
  const fold = context.foldOf(streamId);
  if (!fold) {
    throw new UsageError(`No decider is known for stream ${streamId}: its state cannot be folded`);
  }
  const history = await streamHistory(context.store, streamId, fold);
  const at = stateAt(history, point, fold);
  emit(context.io, { streamId, kind: fold.kind, ...at }, (value) => [
    `${streamId} (${value.kind}) at version ${value.version}` +
      (value.recordedAt ? `, recorded ${value.recordedAt}` : ' (before its first event)'),
    JSON.stringify(value.state, null, 2),
  ]);
  return 0;
}

export const stream: EsCommand = {
  name: 'stream',
  summary: "a stream's events, or the state its decider folds at a version or time",
  usage: `stream STREAM_ID [--at-version N | --at-time ISO_TIME]

  Without options: every event of the stream (version, time, type, data, metadata).
  --at-version N   the state the aggregate's decider folds from versions 1 to N
  --at-time T      the state after the last event recorded at or before T`,
  options: { 'at-version': { type: 'string' }, 'at-time': { type: 'string' } },
  async run(input, context) {
    const streamId = requiredPositional(input, 'a stream id (see the streams command)');
    const point = pointOf(input);
    if (point) return showState(context, streamId, point);
    const history = await streamHistory(context.store, streamId, undefined);
    if (history.events.length === 0) {
      context.io.print(`Stream ${streamId} has no events.`);
      return 1;
    }
    emit(
      context.io,
      { streamId, events: history.events, truncated: history.truncated },
      (value) => [
        ...value.events.map(eventLine),
        ...(value.truncated ? ['(more events follow: only the first ones are shown)'] : []),
      ],
    );
    return 0;
  },
};

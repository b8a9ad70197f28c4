import { emit, integerOption, type EsCommand } from '../command';
import { recentStreams } from '../views/streams';

const tierOf = (archivedUpTo: number) =>
  archivedUpTo === 0 ? 'hot' : `archived 1–${archivedUpTo}`;

export const streams: EsCommand = {
  name: 'streams',
  summary: 'the streams with the newest events, by id prefix',
  usage: `streams [--prefix P] [--limit N] [--scan N]

  The streams with the newest events, newest first, from the global log, each with its tier
  (hot: all in the events table; archived 1–N: versions 1 to N in the archive bucket) and its
  state (open, or closed by its tombstone).
  --prefix P   only streams whose id starts with P (e.g. account-)
  --limit N    at most N streams (default 20)
  --scan N     look at the newest N events of the log at most (default 10000)`,
  options: {
    prefix: { type: 'string' },
    limit: { type: 'string' },
    scan: { type: 'string' },
  },
  async run(input, { io, log, streamState }) {
    const prefix = input.values.prefix;
    const found = await recentStreams(log, {
      ...(typeof prefix === 'string' ? { prefix } : {}),
      limit: integerOption(input, 'limit', { min: 1, max: 1000, fallback: 20 })!,
      scan: integerOption(input, 'scan', { min: 1, max: 1_000_000, fallback: 10_000 })!,
    });
    const states = await Promise.all(found.map((stream) => streamState(stream.streamId)));
    const described = found.map((stream, index) => ({
      ...stream,
      tier: tierOf(states[index]!.archivedUpTo),
      state: states[index]!.closed === undefined ? 'open' : 'closed',
    }));
    emit(io, { streams: described }, ({ streams }) =>
      streams.length === 0
        ? ['No streams found among the newest events of the global log.']
        : streams.map(
            (stream) =>
              `${stream.streamId}\tversion ${stream.lastVersion}\t${stream.lastType}\t${stream.lastRecordedAt}\t${stream.tier}\t${stream.state}`,
          ),
    );
    return 0;
  },
};

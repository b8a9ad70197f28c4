import {
  GlobalLogSubscription,
  type LoggedEvent,
  type SubscriptionCheckpoint,
  type SubscriptionStart,
} from '../../../functions/eventsourcing/global-log';
import { feedEvent } from '../../../functions/global-log/feed-event';
import { UsageError, integerOption, listOption, type EsCommand } from '../command';

/** Where an unnamed tail keeps its position: in memory, for as long as it runs. */
class MemoryCheckpoint implements SubscriptionCheckpoint {
  private position: number | undefined;
  load() {
    return Promise.resolve(this.position);
  }
  save(position: number) {
    this.position = Math.max(position, this.position ?? 0);
    return Promise.resolve();
  }
}

function startOf(value: string | boolean | undefined): SubscriptionStart {
  if (value === undefined || value === 'end' || value === 'start') return value ?? 'end';
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new UsageError('--from must be start, end or a position of the global log');
}

const line = ({ position, event }: LoggedEvent) =>
  `${position}\t${event.recordedAt}\t${event.streamId}@${event.version}\t${event.type}\t` +
  JSON.stringify(event.data);

export const tail: EsCommand = {
  name: 'tail',
  summary: 'follow the global log live, filtered by event type',
  usage: `tail [--types A,B] [--from end|start|P] [--name NAME] [--count N]

  Prints events as they are appended, in global order, until Ctrl-C (JSON lines with --json).
  --types A,B   only events of these types
  --from F      where to begin: end (default: only new events), start, or after position P
  --name NAME   keep the position in the subscriptionCheckpoints table under NAME, so the next
                tail with that name goes on where this one stopped
  --count N     stop after N events`,
  options: {
    types: { type: 'string' },
    from: { type: 'string' },
    name: { type: 'string' },
    count: { type: 'string' },
  },
  async run(input, { io, log, checkpoint }) {
    const types = listOption(input, 'types');
    const count = integerOption(input, 'count', { min: 1, max: 1_000_000 });
    const name = input.values.name;
    const stop = new AbortController();
    io.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    let seen = 0;
    const subscription = new GlobalLogSubscription({
      reader: log,
      checkpoint: typeof name === 'string' ? checkpoint(name) : new MemoryCheckpoint(),
      from: startOf(input.values.from),
      pollIntervalMs: 250,
      ...(types ? { types } : {}),
      handle: (events) => {
        for (const event of events.slice(0, count === undefined ? undefined : count - seen)) {
          io.print(io.json ? JSON.stringify(feedEvent(event)) : line(event));
          seen += 1;
        }
        if (count !== undefined && seen >= count) stop.abort();
        return Promise.resolve();
      },
    });
    await subscription.run(stop.signal);
    return 0;
  },
};

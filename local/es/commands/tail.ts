import {
  GlobalLogSubscription,
  type LoggedEvent,
  type ParkedPosition,
  type SubscriptionCheckpoint,
  type SubscriptionStart,
} from '../../../functions/eventsourcing/global-log';
import { feedEvent } from '../../../functions/global-log/feed-event';
import {
  UsageError,
  emit,
  integerOption,
  listOption,
  type CommandInput,
  type EsCommand,
} from '../command';
import type { EsContext } from '../context';

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
  usage: `tail [--types A,B] [--from end|start|P] [--name NAME [--parked | --redrive]] [--count N]

  Prints events as they are appended, in global order, until Ctrl-C (JSON lines with --json).
  --types A,B   only events of these types
  --from F      where to begin: end (default: only new events), start, or after position P
  --name NAME   keep the position in the subscriptionCheckpoints table under NAME, so the next
                tail with that name goes on where this one stopped; events it fails to print
                are parked there with the error (later events of their stream behind them)
  --parked      the positions NAME parked, with their reasons
  --redrive     prints the events NAME parked, in order, and releases them (exit code 2 if
                some fail again)
  --count N     stop after N events`,
  options: {
    types: { type: 'string' },
    from: { type: 'string' },
    name: { type: 'string' },
    count: { type: 'string' },
    parked: { type: 'boolean', default: false },
    redrive: { type: 'boolean', default: false },
  },
  async run(input, context) {
    const name = input.values.name;
    const named = typeof name === 'string' ? name : undefined;
    const { parked, redrive } = input.values;
    if ((parked || redrive) && !named) {
      throw new UsageError('--parked and --redrive need the --name of a subscription');
    }
    const stop = new AbortController();
    context.io.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    const subscription = printingSubscription(input, context, named, stop);
    if (parked) {
      const records = await subscription.parked();
      emit(context.io, { parked: records }, () =>
        records.length === 0 ? [`No parked positions for ${named}.`] : records.map(parkedLine),
      );
      return 0;
    }
    if (redrive) return (await subscription.redrive()).parked.length === 0 ? 0 : 2;
    await subscription.run(stop.signal);
    return 0;
  },
};

/** A subscription printing what it receives, parking under `name` when it has one. */
function printingSubscription(
  input: CommandInput,
  { io, log, checkpoint, parking }: EsContext,
  name: string | undefined,
  stop: AbortController,
): GlobalLogSubscription {
  const types = listOption(input, 'types');
  const count = integerOption(input, 'count', { min: 1, max: 1_000_000 });
  let seen = 0;
  return new GlobalLogSubscription({
    reader: log,
    checkpoint: name ? checkpoint(name) : new MemoryCheckpoint(),
    ...(name ? { parking: parking(name) } : {}),
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
}

const parkedLine = (record: ParkedPosition) =>
  `${record.position}\t${record.streamId}@${record.version}\t${record.eventType}\t${record.status}: ` +
  `${record.errorName}: ${record.error}`;

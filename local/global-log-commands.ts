import { parseArgs } from 'node:util';
import {
  GlobalLogSubscription,
  backfillGlobalLog,
  type GlobalLogIndexer,
  type GlobalLogReader,
  type LoggedEvent,
  type SubscriptionCheckpoint,
  type SubscriptionStart,
} from '../functions/eventsourcing';
import { feedEvent } from '../functions/global-log/feed-event';
import type { CommandIo } from './consumers-commands';

export const USAGE = `Usage: npm run global-log -- <command>

  status                            events and pages in the log, its lag, events per type
  read [--after P] [--limit N] [--types A,B]
                                    print events after position P (default 0) as JSON lines,
                                    then the position to read on from
  follow NAME [--from start|end|P] [--types A,B]
                                    a catch-up subscription printing events as JSON lines until
                                    Ctrl-C; its checkpoint (table subscriptionCheckpoints) lets
                                    it go on where it stopped next time
  backfill                          give a position to every event of the events table the log
                                    lacks (events older than the log); safe to run again`;

/** What the commands work on: the log, its indexer, and checkpoints by subscription name. */
export interface GlobalLogCommandContext {
  readonly reader: GlobalLogReader;
  readonly indexer: GlobalLogIndexer;
  readonly eventsTable: string;
  readonly checkpoint: (name: string) => SubscriptionCheckpoint;
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');

const jsonLine = (event: LoggedEvent) => JSON.stringify(feedEvent(event));

function parseStart(value: string | undefined): SubscriptionStart | undefined {
  if (value === undefined || value === 'start' || value === 'end') return value ?? 'start';
  const position = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(position) ? position : undefined;
}

function parsePosition(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const position = Number(value);
  return /^\d+$/.test(value) && Number.isSafeInteger(position) ? position : undefined;
}

/** Runs one command; returns the process exit code. */
// eslint-disable-next-line complexity -- one branch per operator subcommand; to be split into one handler per subcommand
export async function runGlobalLogCommand(
  args: readonly string[],
  context: GlobalLogCommandContext,
  io: CommandIo,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      after: { type: 'string' },
      limit: { type: 'string' },
      types: { type: 'string' },
      from: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, name] = positionals;
  if (!command || values.help) {
    io.print(USAGE);
    return command || values.help ? 0 : 1;
  }
  const types = values.types?.split(',').filter((type) => type !== '');
  const typeFilter = types && types.length > 0 ? { types } : {};

  switch (command) {
    case 'status': {
      const head = await context.reader.head();
      const lag = head.newestRecordedAt
        ? `; newest event recorded ${head.newestRecordedAt} (${number((Date.now() - Date.parse(head.newestRecordedAt)) / 1000)} s ago)`
        : '';
      io.print(
        `Global log: ${number(head.lastPosition)} events in ${number(head.pages)} pages${lag}`,
      );
      for (const [type, tally] of Object.entries(head.types).sort(([a], [b]) =>
        a.localeCompare(b),
      )) {
        io.print(`  ${type}: ${number(tally.count)}, last at position ${number(tally.last)}`);
      }
      return 0;
    }
    case 'read': {
      const after = parsePosition(values.after, 0);
      const limit = parsePosition(values.limit, 100);
      if (after === undefined || limit === undefined) {
        io.print('--after and --limit must be whole numbers');
        return 1;
      }
      const { events, next } = await context.reader.read({ after, limit, ...typeFilter });
      for (const event of events) io.print(jsonLine(event));
      io.progress(`next: ${next}`);
      return 0;
    }
    case 'follow': {
      const from = parseStart(values.from);
      if (!name || from === undefined) {
        io.print(
          `follow needs a subscription name, and --from start, end or a position.\n\n${USAGE}`,
        );
        return 1;
      }
      const subscription = new GlobalLogSubscription({
        reader: context.reader,
        checkpoint: context.checkpoint(name),
        from,
        ...typeFilter,
        handle: (events) => {
          for (const event of events) io.print(jsonLine(event));
          return Promise.resolve();
        },
      });
      await subscription.run(io.signal ?? new AbortController().signal);
      return 0;
    }
    case 'backfill': {
      const result = await backfillGlobalLog(context.indexer, context.eventsTable, {
        onProgress: (p) =>
          io.progress(`backfill: ${number(p.scanned)} events read, ${number(p.indexed)} indexed`),
        ...(io.signal ? { signal: io.signal } : {}),
      });
      io.print(
        `Backfill: ${number(result.scanned)} events read, ${number(result.indexed)} newly indexed` +
          (result.failedStreams > 0
            ? `; ${result.failedStreams} stream(s) could not be indexed, run it again`
            : ''),
      );
      return result.failedStreams > 0 ? 2 : 0;
    }
    default:
      io.print(`Unknown command '${command}'.\n\n${USAGE}`);
      return 1;
  }
}

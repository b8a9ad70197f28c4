import { parseArgs } from 'node:util';
import {
  ProjectionRuntime,
  RebuildInterruptedError,
  rebuildProjection,
  removeRetiredGenerations,
  rebuildStatus,
  type ConsumerRuntime,
  type CorruptEventError,
  type GlobalLogReader,
  type ParkedStream,
  type RebuildProgress,
} from '../functions/eventsourcing';

export const USAGE = `Usage: npm run consumers -- <command>   (npm run projections -- <command> is the same)

  list                              stream consumers: projections with their read-model tables,
                                    and reactions
  status [NAME]                     failing and parked streams; generations and rebuild progress
                                    of projections
  parked [NAME]                     failing and parked streams with their reasons
  redrive NAME [STREAM_ID ...]      replay parked (or the named) streams from the events table,
                                    for a projection or a reaction
  rebuild NAME [--settle-seconds N] [--keep-retired]
                                    re-run projection NAME over the global log, in the order
                                    events happened, into a new generation and switch over;
                                    Ctrl-C interrupts, running it again resumes; it follows the
                                    log until N seconds (default 120) after it started, and
                                    removes the replaced generation 2 minutes after the switch
                                    (once batches that started before either have ended)
  clean NAME                        remove generations of projection NAME replaced by a rebuild
                                    run with --keep-retired
  corrupt                           stored events that do not fit their schema, by stream:
                                    commands on those streams fail with CorruptEvent until
                                    the cause is repaired (scans the whole events table)`;

export interface CommandIo {
  readonly print: (line: string) => void;
  /** Every stored event that fails its schema (for `corrupt`). */
  readonly corruptEvents?: () => AsyncIterable<CorruptEventError>;
  /** Rewrites the current line on a terminal; prints a line otherwise. */
  readonly progress: (line: string) => void;
  readonly signal?: AbortSignal;
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');

export function formatProgress(p: RebuildProgress): string {
  const percent = p.total > 0 ? Math.min(100, (100 * p.done) / p.total).toFixed(1) : '100.0';
  const eta = p.etaSeconds === undefined ? '' : `, ETA ${formatSeconds(p.etaSeconds)}`;
  return (
    `${p.projection} → generation ${p.generation} [${p.phase}] ` +
    `${number(p.done)}/${number(p.total)} (${percent}%), ${number(p.eventsPerSecond)} events/s${eta}`
  );
}

function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60
    ? `${minutes}m${Math.ceil(seconds % 60)}s`
    : `${Math.floor(minutes / 60)}h${minutes % 60}m`;
}

function formatParked(record: ParkedStream): string {
  const waiting =
    record.queuedUpTo !== undefined ? `, events up to ${record.queuedUpTo} waiting` : '';
  return (
    `${record.consumer} ${record.streamId} ${record.status} at version ${record.version} ` +
    `(${record.eventType ?? 'event'} ${record.eventId ?? ''}) after ${record.attempts} attempt(s)${waiting}: ` +
    `${record.kind}: ${record.error}`
  );
}

/**
 * Runs one command against the given consumers (a rebuild replays `log`); returns the process
 * exit code.
 */
// eslint-disable-next-line complexity -- one branch per operator subcommand; to be split into one handler per subcommand
export async function runConsumersCommand(
  args: readonly string[],
  consumers: ReadonlyMap<string, ConsumerRuntime>,
  log: GlobalLogReader,
  io: CommandIo,
): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'settle-seconds': { type: 'string' },
      'keep-retired': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, name, ...rest] = positionals;
  if (!command || values.help) {
    io.print(USAGE);
    return command || values.help ? 0 : 1;
  }
  const select = (required: boolean): ConsumerRuntime[] | undefined => {
    if (!name) {
      if (required) io.print(`${command} needs a consumer name.\n\n${USAGE}`);
      return required ? undefined : [...consumers.values()];
    }
    const runtime = consumers.get(name);
    if (!runtime) {
      io.print(`Unknown consumer '${name}'. Known: ${[...consumers.keys()].join(', ') || 'none'}`);
      return undefined;
    }
    return [runtime];
  };
  const selectProjection = (): ProjectionRuntime | undefined => {
    const [runtime] = select(true) ?? [];
    if (!runtime || runtime instanceof ProjectionRuntime) return runtime;
    io.print(`${command} works on projections; ${runtime.name} is a ${runtime.kind}`);
    return undefined;
  };

  switch (command) {
    case 'list':
      for (const runtime of consumers.values()) {
        io.print(
          runtime instanceof ProjectionRuntime
            ? `${runtime.name}\tprojection\t${runtime.options.tables.readModel}`
            : `${runtime.name}\t${runtime.kind}`,
        );
      }
      return 0;
    case 'status': {
      const selected = select(false);
      if (!selected) return 1;
      for (const runtime of selected) {
        const records = await runtime.parking.list(runtime.name);
        const parked = records.filter((record) => record.status === 'parked').length;
        const streams = `${parked} parked, ${records.length - parked} failing`;
        if (!(runtime instanceof ProjectionRuntime)) {
          io.print(`${runtime.name}: ${runtime.kind}; ${streams}`);
          continue;
        }
        const state = await runtime.generations();
        const rebuild = await rebuildStatus(runtime);
        io.print(
          `${runtime.name}: active generation ${state.active}` +
            (state.building !== undefined ? `, building ${state.building}` : '') +
            (state.retired.length > 0 ? `, retired ${state.retired.join(', ')}` : '') +
            `; ${streams}`,
        );
        if (rebuild) {
          io.print(
            `  rebuild into generation ${rebuild.generation} since ${rebuild.startedAt}: ` +
              `${number(rebuild.done)}/${number(rebuild.total)} events, ` +
              `global log position ${number(rebuild.position)}`,
          );
        }
      }
      return 0;
    }
    case 'parked': {
      const selected = select(false);
      if (!selected) return 1;
      let count = 0;
      for (const runtime of selected) {
        for (const record of await runtime.parking.list(runtime.name)) {
          io.print(formatParked(record));
          count += 1;
        }
      }
      if (count === 0) io.print('No failing or parked streams.');
      return 0;
    }
    case 'redrive': {
      const [runtime] = select(true) ?? [];
      if (!runtime) return 1;
      const outcomes = await runtime.redrive(rest.length > 0 ? rest : undefined);
      if (outcomes.length === 0) io.print(`No parked streams for ${runtime.name}.`);
      for (const outcome of outcomes) {
        io.print(
          outcome.released
            ? `${outcome.streamId}: applied up to version ${outcome.appliedVersion}, released`
            : `${outcome.streamId}: still parked at version ${outcome.failure?.version ?? outcome.appliedVersion + 1}` +
                (outcome.failure ? `: ${outcome.failure.error.message}` : ''),
        );
      }
      return outcomes.every((outcome) => outcome.released) ? 0 : 2;
    }
    case 'rebuild': {
      const runtime = selectProjection();
      if (!runtime) return 1;
      const settleSeconds =
        values['settle-seconds'] === undefined ? undefined : Number(values['settle-seconds']);
      if (
        settleSeconds !== undefined &&
        !(Number.isInteger(settleSeconds) && settleSeconds >= 0 && settleSeconds <= 3600)
      ) {
        io.print('--settle-seconds must be an integer from 0 to 3600');
        return 1;
      }
      try {
        const result = await rebuildProjection(runtime, log, {
          ...(settleSeconds === undefined ? {} : { settleMs: settleSeconds * 1000 }),
          keepRetired: values['keep-retired'],
          onProgress: (p) => io.progress(formatProgress(p)),
          ...(io.signal ? { signal: io.signal } : {}),
        });
        io.print(
          `${runtime.name}: generation ${result.generation} active (replaced ${result.replaced}), ` +
            `${number(result.events)} events` +
            (result.parkedStreams.length > 0
              ? `; parked: ${result.parkedStreams.join(', ')} (see 'parked', then 'redrive')`
              : ''),
        );
        return 0;
      } catch (error) {
        if (!(error instanceof RebuildInterruptedError)) throw error;
        io.print(error.message);
        return 130;
      }
    }
    case 'clean': {
      const runtime = selectProjection();
      if (!runtime) return 1;
      const removed = await removeRetiredGenerations(runtime);
      io.print(`${runtime.name}: removed ${number(removed)} items of replaced generations`);
      return 0;
    }
    case 'corrupt': {
      if (!io.corruptEvents) throw new Error('No events table to check');
      const streams = new Set<string>();
      for await (const error of io.corruptEvents()) {
        streams.add(error.streamId);
        io.print(
          `${error.streamId} version ${error.version} (${error.eventType} ${error.eventId}): ` +
            `${error.field}: ${error.reason}`,
        );
      }
      if (streams.size === 0) {
        io.print('No corrupt events.');
        return 0;
      }
      io.print(`${streams.size} stream(s) hold corrupt events: ${[...streams].join(', ')}`);
      return 2;
    }
    default:
      io.print(`Unknown command '${command}'.\n\n${USAGE}`);
      return 1;
  }
}

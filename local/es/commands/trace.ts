import { existsSync } from 'node:fs';
import {
  UsageError,
  emit,
  formatNumber,
  integerOption,
  requiredPositional,
  type EsCommand,
} from '../command';
import {
  DEFAULT_TRACE_WINDOW,
  receivedBy,
  traceRequest,
  traceSources,
  type RequestTrace,
  type TraceEntry,
} from '../views/request-trace';

/** Where `npm start` appends what its event bus receives. */
const LOCAL_BUS_FILE = '.data/integration-events.jsonl';

function busSource(input: Parameters<EsCommand['run']>[0]): string | undefined {
  const given = input.values['integration-events'];
  if (typeof given === 'string') {
    if (!/^https?:\/\//.test(given) && !existsSync(given)) throw new UsageError(`No file ${given}`);
    return given;
  }
  return existsSync(LOCAL_BUS_FILE) ? LOCAL_BUS_FILE : undefined;
}

const ms = (value: number) => `${formatNumber(value)} ms`;

function describe(entry: TraceEntry): string {
  switch (entry.kind) {
    case 'event': {
      const cause = entry.causedBy
        ? `caused by ${entry.causedBy.type} ${ms(entry.causedBy.afterMs)} earlier`
        : `caused by ${entry.causationId ?? 'an unknown cause'}`;
      const pending =
        entry.pendingFor.length > 0 ? `; pending for ${entry.pendingFor.join(', ')}` : '';
      return (
        `event      ${entry.streamId}@${entry.version} ${entry.type} (position ${entry.position}, ${cause})` +
        `; processed by ${entry.handledBy.join(', ') || 'no consumer yet'}${pending}`
      );
    }
    case 'integration-event':
      return `published  ${entry.detailType} from event ${entry.eventId}, ${ms(entry.afterMs)} after it was recorded`;
    case 'failure':
      return (
        `failure    ${entry.consumer} ${entry.status} ${entry.streamId}@${entry.version} after ` +
        `${entry.attempts} attempt(s): ${entry.error}`
      );
  }
}

function formatTrace(trace: RequestTrace): string[] {
  const events = trace.entries.filter((entry) => entry.kind === 'event').length;
  if (events === 0) {
    return [
      `No event carries correlation id ${trace.correlationId} among global-log positions ` +
        `${formatNumber(trace.searched.from)} to ${formatNumber(trace.searched.to)}.`,
    ];
  }
  return [
    `Request ${trace.correlationId}: ${events} events, ${ms(trace.durationMs)} from first to last`,
    ...trace.entries.map(
      (entry) => `+${ms(entry.elapsedMs).padStart(10)}  ${entry.at}  ${describe(entry)}`,
    ),
  ];
}

export const trace: EsCommand = {
  name: 'trace',
  summary: 'everything one request caused, in time order, with timings',
  usage: `trace CORRELATION_ID [--window N] [--integration-events FILE_OR_URL]

  Every event that carries the correlation id (the X-Correlation-Id a request was sent or
  answered with) or was caused by one that does: the request's own events, those of the
  reactions and process steps they set off, each with the consumers that have processed it;
  the integration events published from them; and the failures consumers recorded at them.
  Times are from the first event. Exit code 1 when no event carries the id.
  --window N                 how many of the newest global-log positions to search (default
                             ${formatNumber(DEFAULT_TRACE_WINDOW)}); the log is read by position, not scanned
  --integration-events F     what the local event bus received: its file or its address
                             (default ${LOCAL_BUS_FILE} when it exists)`,
  options: { window: { type: 'string' }, 'integration-events': { type: 'string' } },
  async run(input, context) {
    const correlationId = requiredPositional(input, 'a correlation id');
    const window = integerOption(input, 'window', {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
      fallback: DEFAULT_TRACE_WINDOW,
    })!;
    const bus = busSource(input);
    const published = bus === undefined ? undefined : await receivedBy(bus);
    const result = await traceRequest(
      await traceSources(context, published),
      correlationId,
      window,
    );
    emit(context.io, result, formatTrace);
    return result.entries.length > 0 ? 0 : 1;
  },
};

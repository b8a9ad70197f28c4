import { readFile } from 'node:fs/promises';
import type { RecordedEvent } from '../../../functions/eventsourcing';
import {
  MAX_READ_LIMIT,
  type GlobalLogReader,
  type LoggedEvent,
} from '../../../functions/eventsourcing/global-log';
import type { ConsumerRuntime, ParkedStream } from '../../../functions/eventsourcing/hosts';
import type { ReceivedEvent } from '../../event-bus';
import type { EsContext } from '../context';

/** An event of the request: one it caused directly, or one caused by such an event. */
export interface TracedEvent {
  readonly kind: 'event';
  readonly at: string;
  readonly elapsedMs: number;
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly causationId?: string;
  /** The event of the trace that caused this one, and how long after it this one came. */
  readonly causedBy?: { readonly eventId: string; readonly type: string; readonly afterMs: number };
  /** Consumers handling its type that have processed it, and those that have not yet. */
  readonly handledBy: readonly string[];
  readonly pendingFor: readonly string[];
}

/** An integration event published from an event of the request. */
export interface TracedPublication {
  readonly kind: 'integration-event';
  readonly at: string;
  readonly elapsedMs: number;
  readonly detailType: string;
  readonly eventId: string;
  /** From the recording of its event to its arrival on the bus. */
  readonly afterMs: number;
}

/** A consumer failing on, or having parked, a stream at an event of the request. */
export interface TracedFailure {
  readonly kind: 'failure';
  readonly at: string;
  readonly elapsedMs: number;
  readonly consumer: string;
  readonly streamId: string;
  readonly version: number;
  readonly eventId?: string;
  readonly status: ParkedStream['status'];
  readonly attempts: number;
  readonly error: string;
}

export type TraceEntry = TracedEvent | TracedPublication | TracedFailure;

export interface RequestTrace {
  readonly correlationId: string;
  /** The global-log positions searched (the newest ones). */
  readonly searched: { readonly from: number; readonly to: number };
  /** From the first entry to the last. */
  readonly durationMs: number;
  readonly entries: readonly TraceEntry[];
}

export interface TraceSources {
  /** The global log, events as stored. */
  readonly log: GlobalLogReader;
  readonly consumers: ReadonlyMap<string, ConsumerRuntime>;
  /** Failing and parked streams of every consumer, the global log's indexer included. */
  readonly parked: () => Promise<readonly ParkedStream[]>;
  /** What the event bus received, when it keeps it (locally). */
  readonly published?: readonly ReceivedEvent[];
}

/** How many of the newest global-log positions a trace searches unless told otherwise. */
export const DEFAULT_TRACE_WINDOW = 10_000;

/** A trace's sources in an operator context, with what the bus received when known. */
export async function traceSources(
  context: EsContext,
  published: readonly ReceivedEvent[] | undefined,
): Promise<TraceSources> {
  return {
    log: context.rawLog,
    consumers: await context.consumers(),
    // Every consumer, the log's indexer included, keeps its records in one table: one Scan.
    parked: () => context.indexerParking.parking.list(),
    ...(published ? { published } : {}),
  };
}

/** What a local event bus received: its JSON-lines file, or its listing by its address. */
export async function receivedBy(source: string): Promise<ReceivedEvent[]> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(new URL('/events', source));
    if (!response.ok) throw new Error(`${source} did not list its events (${response.status})`);
    return (await response.json()) as ReceivedEvent[];
  }
  return (await readFile(source, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ReceivedEvent);
}

/**
 * Events of the newest `window` positions of the global log that carry the correlation id or
 * descend from one that does (a reaction that did not carry the id on still names its cause).
 * The log is read forward in pages; no table is scanned.
 */
async function requestEvents(
  log: GlobalLogReader,
  correlationId: string,
  window: number,
): Promise<{ events: LoggedEvent[]; from: number; to: number }> {
  const { lastPosition } = await log.head();
  const from = Math.max(0, lastPosition - window);
  const ids = new Set<string>();
  const events: LoggedEvent[] = [];
  let after = from;
  while (after < lastPosition) {
    const slice = await log.read({ after, limit: MAX_READ_LIMIT });
    for (const logged of slice.events) {
      const { correlationId: correlation, causationId } = logged.event.metadata;
      if (
        correlation !== correlationId &&
        !(typeof causationId === 'string' && ids.has(causationId))
      ) {
        continue;
      }
      ids.add(logged.event.eventId);
      events.push(logged);
    }
    if (slice.next <= after) break;
    after = slice.next;
  }
  return { events, from: from + 1, to: lastPosition };
}

/** Per consumer and stream, the version its guard has processed up to. */
async function processedVersions(
  consumers: ReadonlyMap<string, ConsumerRuntime>,
  streamIds: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const entries = await Promise.all(
    [...consumers.values()].map(async (runtime) => {
      const [guard] = await runtime.targets();
      return [runtime.name, (await guard?.appliedVersions(streamIds)) ?? new Map()] as const;
    }),
  );
  return new Map(entries);
}

const elapsed = (at: string, start: number) => Date.parse(at) - start;

function tracedEvents(
  events: readonly LoggedEvent[],
  consumers: ReadonlyMap<string, ConsumerRuntime>,
  processed: ReadonlyMap<string, ReadonlyMap<string, number>>,
  start: number,
): TracedEvent[] {
  const byId = new Map<string, RecordedEvent>(events.map(({ event }) => [event.eventId, event]));
  return events.map(({ position, event }) => {
    const causationId = event.metadata.causationId;
    const cause = typeof causationId === 'string' ? byId.get(causationId) : undefined;
    const handling = [...consumers.values()].filter((runtime) => runtime.handles.has(event.type));
    const done = (runtime: ConsumerRuntime) =>
      (processed.get(runtime.name)?.get(event.streamId) ?? 0) >= event.version;
    return {
      kind: 'event',
      at: event.recordedAt,
      elapsedMs: elapsed(event.recordedAt, start),
      position,
      streamId: event.streamId,
      version: event.version,
      eventId: event.eventId,
      type: event.type,
      ...(typeof causationId === 'string' ? { causationId } : {}),
      ...(cause
        ? {
            causedBy: {
              eventId: cause.eventId,
              type: cause.type,
              afterMs: Date.parse(event.recordedAt) - Date.parse(cause.recordedAt),
            },
          }
        : {}),
      handledBy: handling.filter(done).map((runtime) => runtime.name),
      pendingFor: handling.filter((runtime) => !done(runtime)).map((runtime) => runtime.name),
    };
  });
}

function tracedPublications(
  published: readonly ReceivedEvent[],
  events: ReadonlyMap<string, RecordedEvent>,
  start: number,
): TracedPublication[] {
  return published.flatMap((received): TracedPublication[] => {
    const { id } = JSON.parse(received.entry.Detail ?? '{}') as { id?: string };
    const event = id === undefined ? undefined : events.get(id);
    if (!event) return [];
    return [
      {
        kind: 'integration-event',
        at: received.receivedAt,
        elapsedMs: elapsed(received.receivedAt, start),
        detailType: received.entry.DetailType ?? '',
        eventId: event.eventId,
        afterMs: Date.parse(received.receivedAt) - Date.parse(event.recordedAt),
      },
    ];
  });
}

function tracedFailures(
  parked: readonly ParkedStream[],
  events: readonly RecordedEvent[],
  start: number,
): TracedFailure[] {
  const at = new Set(events.map((event) => `${event.streamId}@${event.version}`));
  return parked
    .filter((record) => at.has(`${record.streamId}@${record.version}`))
    .map((record) => ({
      kind: 'failure',
      at: record.lastFailedAt,
      elapsedMs: elapsed(record.lastFailedAt, start),
      consumer: record.consumer,
      streamId: record.streamId,
      version: record.version,
      ...(record.eventId ? { eventId: record.eventId } : {}),
      status: record.status,
      attempts: record.attempts,
      error: record.error,
    }));
}

/**
 * Everything one request caused, in time order: its events and those of the reactions and
 * process steps they set off (each with the consumers that have processed it), the integration
 * events published from them, and the failures recorded at them.
 */
export async function traceRequest(
  sources: TraceSources,
  correlationId: string,
  window: number,
): Promise<RequestTrace> {
  const { events, from, to } = await requestEvents(sources.log, correlationId, window);
  const recorded = events.map(({ event }) => event);
  const start =
    recorded.length > 0 ? Math.min(...recorded.map((e) => Date.parse(e.recordedAt))) : 0;
  const streamIds = [...new Set(recorded.map((event) => event.streamId))];
  const processed = await processedVersions(sources.consumers, streamIds);
  const entries: TraceEntry[] = [
    ...tracedEvents(events, sources.consumers, processed, start),
    ...tracedPublications(
      sources.published ?? [],
      new Map(recorded.map((event) => [event.eventId, event])),
      start,
    ),
    ...tracedFailures(recorded.length > 0 ? await sources.parked() : [], recorded, start),
  ].sort((a, b) => a.elapsedMs - b.elapsedMs);
  const durationMs = entries.length > 0 ? entries.at(-1)!.elapsedMs - entries[0]!.elapsedMs : 0;
  return { correlationId, searched: { from, to }, durationMs, entries };
}

import os from 'node:os';
import { toDomainEvent } from '../../functions/domain-events';
import { createDynamoDbClient } from '../../functions/eventsourcing';
import { createConsumerHost, isReaction } from '../../functions/eventsourcing/hosts';
import type { Projection } from '../../functions/eventsourcing';
import { handler as projectionsHost } from '../../functions/hosts/projections';
import type { TableKey } from '../../functions/system';
import {
  measureConsumerRuns,
  type ConsumerRun,
  type ConsumerSection,
  type ConsumerSettings,
} from '../consumer-runs';
import type { BenchEnvironment } from '../environment';
import { countRequests, type CountedRequest } from '../request-counter';
import type { BenchSettings } from '../settings';
import { spread, type Spread } from '../stats';

/** One set of projections in one consumer host, measured over the same account workload. */
export interface HostedProjectionsResult {
  readonly label: string;
  readonly consumers: readonly string[];
  /** Events already in the stream when the runner starts: how fast the host catches up. */
  readonly catchUpEventsPerSecond: Spread;
  /** Events written while the runner runs: the rate they were processed at, and their lag. */
  readonly live: {
    readonly writtenPerSecond: Spread;
    readonly appliedPerSecond: Spread;
    readonly lagP50Ms: Spread;
    readonly lagP99Ms: Spread;
  };
  /** DynamoDB requests the host sent per event written, over both phases. */
  readonly writeRequestsPerEvent: Spread;
  /** Items the host's writes put, updated or deleted, per event written. */
  readonly itemsWrittenPerEvent: Spread;
  readonly readRequestsPerEvent: Spread;
  /**
   * Requests (reads and writes) the host sent to the tables of projections that handle none of
   * the workload's events: what events a consumer does not handle cost it. Summed over runs.
   */
  readonly requestsForUnhandledEvents: number;
}

/** Section 4: projections in a consumer host fed by the local stream runner. */
export interface ProjectionsResult extends ConsumerSection {
  /** The one projection of the earlier measurements, then every declared projection. */
  readonly hosted: readonly HostedProjectionsResult[];
  /** Catch-up rate with every projection ÷ with one, each run against the run beside it. */
  readonly catchUpEveryVersusOne: Spread;
  /** One-minute load averages when the section started and ended: the machine is shared. */
  readonly loadAverage: { readonly atStart: number; readonly atEnd: number };
}

const HOST = 'projections';
const projections = projectionsHost.consumers.filter(
  (consumer): consumer is Projection => 'readModel' in consumer && !isReaction(consumer),
);

/** Read models of the projections that handle no account event: the workload leaves them be. */
const untouchedTables = new Set<TableKey>(
  projections
    .filter((projection) => !projection.handles.some((type) => type.startsWith('Account')))
    .map((projection) => projection.readModel as TableKey),
);

const HOSTED: readonly { label: string; consumers: readonly string[] }[] = [
  { label: 'account-summaries alone', consumers: ['account-summaries'] },
  {
    label: `every projection (${projections.length})`,
    consumers: projections.map((projection) => projection.name),
  },
];

/** The tables a request reads or writes. */
function tablesOf(request: CountedRequest): string[] {
  const input = request.input as {
    TableName?: string;
    RequestItems?: Record<string, unknown>;
    TransactItems?: Record<string, { TableName?: string } | undefined>[];
  };
  if (input.TableName) return [input.TableName];
  if (input.RequestItems) return Object.keys(input.RequestItems);
  return (input.TransactItems ?? []).flatMap((action) =>
    Object.values(action).flatMap((operation) =>
      operation?.TableName ? [operation.TableName] : [],
    ),
  );
}

/** Items a write request puts, updates or deletes. */
function itemsWritten({ input }: CountedRequest): number {
  if (input.TransactItems) return (input.TransactItems as unknown[]).length;
  if (input.RequestItems) {
    return Object.values(input.RequestItems as Record<string, unknown[]>).flat().length;
  }
  return 1;
}

interface RunResult extends ConsumerRun {
  readonly writeRequestsPerEvent: number;
  readonly itemsWrittenPerEvent: number;
  readonly readRequestsPerEvent: number;
  readonly requestsForUnhandledEvents: number;
}

/** Runs of one set of projections, the host's requests counted on a client of its own. */
function measureHosted(
  env: BenchEnvironment,
  settings: BenchSettings,
  name: string,
  consumers: readonly string[],
): Promise<{ settings: ConsumerSettings; runs: RunResult[] }> {
  const events = 2 * settings.projections.events;
  let counted: { requests: CountedRequest[]; stop(): void; client: { destroy(): void } };
  return measureConsumerRuns(env, settings, {
    name,
    host: HOST,
    handler: (tables) => {
      // The host has a client of its own, so only its requests are counted.
      const client = createDynamoDbClient({ endpoint: env.endpoint, region: 'local' });
      const counter = countRequests(client);
      counted = { requests: counter.requests, stop: () => counter.stop(), client };
      return createConsumerHost({
        consumers: projections.filter((projection) => consumers.includes(projection.name)),
        decode: toDomainEvent,
        client,
        tables: { events: tables.events, parkedStreams: tables.parkedStreams, readModels: tables },
      });
    },
    after: (run, tables): Promise<RunResult> => {
      const { requests } = counted;
      counted.stop();
      counted.client.destroy();
      const untouched = new Set([...untouchedTables].map((key) => tables[key]));
      const writes = requests.filter((r) => r.kind === 'write');
      return Promise.resolve({
        ...run,
        writeRequestsPerEvent: writes.length / events,
        itemsWrittenPerEvent: writes.reduce((sum, r) => sum + itemsWritten(r), 0) / events,
        readRequestsPerEvent: requests.filter((r) => r.kind === 'read').length / events,
        requestsForUnhandledEvents: requests.filter((request) =>
          tablesOf(request).some((table) => untouched.has(table)),
        ).length,
      });
    },
  });
}

/**
 * The sets of projections take turns, one run each (with its own untimed warm-up run), so a
 * change in the machine's load between runs falls on both alike.
 */
export async function measureProjections(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<ProjectionsResult> {
  const atStart = os.loadavg()[0]!;
  const oneRun = { ...settings, projections: { ...settings.projections, runs: 1 } };
  const measured = HOSTED.map(() => ({ runs: [] as RunResult[] }));
  let declared: ConsumerSettings | undefined;
  for (let round = 0; round < settings.projections.runs; round++) {
    for (const [index, { consumers }] of HOSTED.entries()) {
      const result = await measureHosted(env, oneRun, `p${index}r${round}`, consumers);
      declared = result.settings;
      measured[index]!.runs.push(...result.runs);
    }
  }
  const all = measured.flatMap(({ runs }) => runs);
  return {
    host: HOST,
    settings: declared!,
    events: settings.projections.events,
    streams: settings.projections.streams,
    runs: settings.projections.runs,
    writtenWithoutConsumerPerSecond: spread(all.map((r) => r.writtenWithoutConsumerPerSecond)),
    loadAverage: { atStart, atEnd: os.loadavg()[0]! },
    catchUpEveryVersusOne: spread(
      measured[0]!.runs.map(
        (one, run) => measured.at(-1)!.runs[run]!.catchUpPerSecond / one.catchUpPerSecond,
      ),
    ),
    hosted: HOSTED.map(({ label, consumers }, index) => {
      const results = measured[index]!.runs;
      const of = (pick: (run: RunResult) => number) => spread(results.map(pick));
      return {
        label,
        consumers,
        catchUpEventsPerSecond: of((r) => r.catchUpPerSecond),
        live: {
          writtenPerSecond: of((r) => r.writtenPerSecond),
          appliedPerSecond: of((r) => r.handledPerSecond),
          lagP50Ms: of((r) => r.lagP50Ms),
          lagP99Ms: of((r) => r.lagP99Ms),
        },
        writeRequestsPerEvent: of((r) => r.writeRequestsPerEvent),
        itemsWrittenPerEvent: of((r) => r.itemsWrittenPerEvent),
        readRequestsPerEvent: of((r) => r.readRequestsPerEvent),
        requestsForUnhandledEvents: results.reduce(
          (sum, r) => sum + r.requestsForUnhandledEvents,
          0,
        ),
      };
    }),
  };
}

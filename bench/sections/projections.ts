import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { accountStreamId, type AccountEvent } from '../../functions/accounts/events';
import { toDomainEvent } from '../../functions/domain-events';
import { createDynamoDbClient } from '../../functions/eventsourcing/dynamodb-client';
import {
  EventStore,
  createConsumerHost,
  isReaction,
  type Projection,
} from '../../functions/eventsourcing';
import { handler as projectionsHost } from '../../functions/hosts/projections';
import {
  functions,
  prefixedTableNames,
  streamHosts,
  type StreamHostDeclaration,
  type TableKey,
} from '../../functions/system';
import { FailureDirectory } from '../../local/failure-destination';
import { StreamCheckpoints } from '../../local/stream-checkpoints';
import { createStreamsClient } from '../../local/stream-consumers';
import { StreamRunner, type StreamHandler } from '../../local/stream-runner';
import { createTables, latestStreamArn } from '../../local/tables';
import { waitFor } from '../../local/wait-for';
import { writeFirstItem, type BenchEnvironment } from '../environment';
import { countRequests, type CountedRequest } from '../request-counter';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';

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
  readonly readRequestsPerEvent: Spread;
  /**
   * Requests (reads and writes) the host sent to the tables of projections that handle none of
   * the workload's events: what events a consumer does not handle cost it. Summed over runs.
   */
  readonly requestsForUnhandledEvents: number;
}

/** Section 4: projections in a consumer host fed by the local stream runner. */
export interface ProjectionsResult {
  readonly host: string;
  readonly settings: Pick<StreamHostDeclaration, 'batchSize' | 'maxBatchingWindowSeconds'>;
  readonly events: number;
  readonly streams: number;
  readonly runs: number;
  /** Events written per second while no consumer reads the stream. */
  readonly writtenWithoutConsumerPerSecond: Spread;
  /** The one projection of the earlier measurements, then every declared projection. */
  readonly hosted: readonly HostedProjectionsResult[];
}

const HOST = 'projections';
const host = streamHosts[HOST];
const declaration = functions[HOST];
const projections = projectionsHost.consumers.filter(
  (consumer): consumer is Projection => !isReaction(consumer),
);

/** Read models of the projections that handle no account event: the workload leaves them be. */
const untouchedTables = new Set<TableKey>(
  projections
    .filter((projection) => !projection.handles.some((type) => type.startsWith('Account')))
    .map((projection) => projection.readModel),
);

const HOSTED: readonly { label: string; consumers: readonly string[] }[] = [
  { label: 'account-summaries alone', consumers: ['account-summaries'] },
  {
    label: `every projection (${projections.length})`,
    consumers: projections.map((projection) => projection.name),
  },
];

/** Records, by `streamId#version`, when the handler returned having processed each event. */
class AppliedEvents {
  readonly lags: number[] = [];
  private readonly seen = new Set<string>();
  lastAt = 0;

  get count(): number {
    return this.seen.size;
  }

  record(event: DynamoDBStreamEvent, failedFrom: string | undefined, at: number): void {
    for (const record of event.Records) {
      if (record.dynamodb?.SequenceNumber === failedFrom) return;
      const image = record.dynamodb?.NewImage;
      if (!image?.type) continue; // the table's first write, not an event
      const key = `${image?.streamId?.S}#${image?.version?.N}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.lags.push(at - Date.parse(image?.recordedAt?.S ?? ''));
      this.lastAt = at;
    }
  }
}

/** `count` events over `streams` accounts: each opened, then deposited into. */
async function writeAccounts(
  store: EventStore,
  prefix: string,
  streams: number,
  count: number,
): Promise<void> {
  const perStream = Math.ceil(count / streams);
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      const streamId = accountStreamId(`${prefix}-${s}`);
      const events = Math.min(perStream, count - s * perStream);
      for (let version = 0; version < events; version++) {
        const event: AccountEvent =
          version === 0
            ? {
                type: 'AccountOpened',
                data: { ownerId: `owner-${s}`, accountType: 'checking', currency: 'USD' },
              }
            : { type: 'MoneyDeposited', data: { amount: 100 } };
        await store.append(streamId, [event], { expectedVersion: version });
      }
    }),
  );
}

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

interface RunResult {
  readonly writtenWithoutConsumerPerSecond: number;
  readonly catchUpEventsPerSecond: number;
  readonly writtenPerSecond: number;
  readonly appliedPerSecond: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  readonly writeRequestsPerEvent: number;
  readonly readRequestsPerEvent: number;
  readonly requestsForUnhandledEvents: number;
}

async function oneRun(
  env: BenchEnvironment,
  settings: BenchSettings,
  consumers: readonly string[],
  run: number,
  tables: Record<TableKey, string>,
  checkpoints: StreamCheckpoints,
  failuresDir: string,
): Promise<RunResult> {
  const { events, streams } = settings.projections;
  const store = new EventStore({ client: env.client, tableName: tables.events });
  // The host has a client of its own, so only its requests are counted.
  const hostClient = createDynamoDbClient({ endpoint: env.endpoint, region: 'local' });
  const counter = countRequests(hostClient);
  const project = createConsumerHost({
    consumers: projections.filter((projection) => consumers.includes(projection.name)),
    decode: toDomainEvent,
    client: hostClient,
    tables: {
      events: tables.events,
      parkedStreams: tables.parkedStreams,
      readModels: tables,
    },
  });
  const catchUp = new AppliedEvents();
  const live = new AppliedEvents();
  let phase = catchUp;
  const handler: StreamHandler = async (event, context) => {
    const response = await project(event, context);
    phase.record(event, response.batchItemFailures[0]?.itemIdentifier, Date.now());
    return response;
  };
  const streamsClient = createStreamsClient(env.endpoint);
  const runner = new StreamRunner({
    consumer: HOST,
    streamArn: await latestStreamArn(env.client, tables.events),
    streams: streamsClient,
    handler,
    settings: host,
    checkpoints,
    failures: new FailureDirectory(failuresDir),
    functionName: HOST,
    timeoutSeconds: declaration.timeoutSeconds,
    memoryMb: declaration.memoryMb,
  });
  const allApplied = (applied: AppliedEvents, what: string) =>
    waitFor(() => (applied.count >= events ? true : undefined), {
      timeoutMs: 180_000,
      intervalMs: 20,
      description: `${events} ${what} events projected`,
    });
  try {
    const backlog = Date.now();
    await writeAccounts(store, `catch-up-${run}`, streams, events);
    const started = Date.now();
    runner.start();
    await allApplied(catchUp, 'catch-up');
    const catchUpEventsPerSecond = events / ((catchUp.lastAt - started) / 1000);

    phase = live;
    const writing = Date.now();
    await writeAccounts(store, `live-${run}`, streams, events);
    const written = Date.now();
    await allApplied(live, 'live');
    await runner.stop();
    const requests = counter.requests;
    const untouched = new Set([...untouchedTables].map((key) => tables[key]));
    return {
      writtenWithoutConsumerPerSecond: events / ((started - backlog) / 1000),
      catchUpEventsPerSecond,
      writtenPerSecond: events / ((written - writing) / 1000),
      appliedPerSecond: events / ((live.lastAt - writing) / 1000),
      lagP50Ms: quantile(live.lags, 0.5),
      lagP99Ms: quantile(live.lags, 0.99),
      writeRequestsPerEvent: requests.filter((r) => r.kind === 'write').length / (2 * events),
      readRequestsPerEvent: requests.filter((r) => r.kind === 'read').length / (2 * events),
      requestsForUnhandledEvents: requests.filter((request) =>
        tablesOf(request).some((table) => untouched.has(table)),
      ).length,
    };
  } finally {
    await runner.stop();
    counter.stop();
    hostClient.destroy();
    streamsClient.destroy();
  }
}

/** Fresh tables (created and first written up front, see `writeFirstItem`) for one run. */
async function freshTables(env: BenchEnvironment, prefix: string) {
  const tables = prefixedTableNames(prefix);
  await createTables(env.client, tables);
  const checkpoints = new StreamCheckpoints(env.client, `${tables.events}-checkpoints`);
  await checkpoints.ensureTable();
  for (const name of [...Object.values(tables), checkpoints.tableName]) {
    await writeFirstItem(env.client, name);
  }
  return { tables, checkpoints };
}

export async function measureProjections(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<ProjectionsResult> {
  const failuresDir = mkdtempSync(path.join(os.tmpdir(), 'bench-stream-failures-'));
  try {
    const tableSets = [];
    for (const [index] of HOSTED.entries()) {
      for (let run = 0; run <= settings.projections.runs; run++) {
        tableSets.push({ index, run, ...(await freshTables(env, `bench-p${index}-${run}-`)) });
      }
    }
    const runs = HOSTED.map(() => [] as RunResult[]);
    // Each set's first run only warms the JVM up: DynamoDB Local is several times slower at first.
    for (const { index, run, tables, checkpoints } of tableSets) {
      const consumers = HOSTED[index]!.consumers;
      const result = await oneRun(env, settings, consumers, run, tables, checkpoints, failuresDir);
      if (run > 0) runs[index]!.push(result);
    }
    const all = runs.flat();
    return {
      host: HOST,
      settings: {
        batchSize: host.batchSize,
        maxBatchingWindowSeconds: host.maxBatchingWindowSeconds,
      },
      events: settings.projections.events,
      streams: settings.projections.streams,
      runs: settings.projections.runs,
      writtenWithoutConsumerPerSecond: spread(all.map((r) => r.writtenWithoutConsumerPerSecond)),
      hosted: HOSTED.map(({ label, consumers }, index) => {
        const results = runs[index]!;
        return {
          label,
          consumers,
          catchUpEventsPerSecond: spread(results.map((r) => r.catchUpEventsPerSecond)),
          live: {
            writtenPerSecond: spread(results.map((r) => r.writtenPerSecond)),
            appliedPerSecond: spread(results.map((r) => r.appliedPerSecond)),
            lagP50Ms: spread(results.map((r) => r.lagP50Ms)),
            lagP99Ms: spread(results.map((r) => r.lagP99Ms)),
          },
          writeRequestsPerEvent: spread(results.map((r) => r.writeRequestsPerEvent)),
          readRequestsPerEvent: spread(results.map((r) => r.readRequestsPerEvent)),
          requestsForUnhandledEvents: results.reduce(
            (sum, r) => sum + r.requestsForUnhandledEvents,
            0,
          ),
        };
      }),
    };
  } finally {
    rmSync(failuresDir, { recursive: true, force: true });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  accountEvents,
  accountStreamId,
  accountUpcasters,
  type AccountEvent,
} from '../../functions/accounts/events';
import { accountSummariesProjection } from '../../functions/accounts/projections/summaries';
import { EventStore, createProjectionHandler } from '../../functions/eventsourcing';
import {
  functions,
  prefixedTableNames,
  streamConsumers,
  type StreamConsumerDeclaration,
  type TableKey,
} from '../../functions/system';
import { FailureDirectory } from '../../local/failure-destination';
import { StreamCheckpoints } from '../../local/stream-checkpoints';
import { createStreamsClient } from '../../local/stream-consumers';
import { StreamRunner, type StreamHandler } from '../../local/stream-runner';
import { createTables, latestStreamArn } from '../../local/tables';
import { waitFor } from '../../local/wait-for';
import { writeFirstItem, type BenchEnvironment } from '../environment';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';

/** Section 4: one declared projection fed by the local stream runner. */
export interface ProjectionsResult {
  readonly consumer: string;
  readonly settings: Pick<StreamConsumerDeclaration, 'batchSize' | 'maxBatchingWindowSeconds'>;
  readonly events: number;
  readonly streams: number;
  readonly runs: number;
  /** Events written per second while no consumer reads the stream. */
  readonly writtenWithoutConsumerPerSecond: Spread;
  /** Events already in the stream when the runner starts: how fast it catches up. */
  readonly catchUpEventsPerSecond: Spread;
  /** Events written while the runner runs: the rate they were applied at, and their lag. */
  readonly live: {
    readonly writtenPerSecond: Spread;
    readonly appliedPerSecond: Spread;
    readonly lagP50Ms: Spread;
    readonly lagP99Ms: Spread;
  };
}

const CONSUMER = 'accountSummariesProjection';
const consumer = streamConsumers.find((c) => c.function === CONSUMER)!;
const declaration = functions[CONSUMER];

/** Records, by `streamId#version`, when the handler returned having applied each event. */
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

interface RunResult {
  readonly writtenWithoutConsumerPerSecond: number;
  readonly catchUpEventsPerSecond: number;
  readonly writtenPerSecond: number;
  readonly appliedPerSecond: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
}

async function oneRun(
  env: BenchEnvironment,
  settings: BenchSettings,
  run: number,
  tables: Record<TableKey, string>,
  checkpoints: StreamCheckpoints,
  failuresDir: string,
): Promise<RunResult> {
  const { events, streams } = settings.projections;
  const store = new EventStore({
    client: env.client,
    tableName: tables.events,
    catalogue: accountEvents,
  });
  // The declared function's projection, on this run's tables (the module-level handler would
  // keep the tables of the first run it saw).
  const project = createProjectionHandler(accountSummariesProjection, {
    upcasters: accountUpcasters,
    client: env.client,
    tables: {
      events: tables.events,
      readModel: tables.accountSummaries,
      parkedStreams: tables.parkedStreams,
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
    consumer: CONSUMER,
    streamArn: await latestStreamArn(env.client, tables.events),
    streams: streamsClient,
    handler,
    settings: consumer,
    checkpoints,
    failures: new FailureDirectory(failuresDir),
    functionName: CONSUMER,
    timeoutSeconds: declaration.timeoutSeconds,
    memoryMb: declaration.memoryMb,
  });
  const allApplied = (applied: AppliedEvents, what: string) =>
    waitFor(() => (applied.count >= events ? true : undefined), {
      timeoutMs: 120_000,
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
    return {
      writtenWithoutConsumerPerSecond: events / ((started - backlog) / 1000),
      catchUpEventsPerSecond,
      writtenPerSecond: events / ((written - writing) / 1000),
      appliedPerSecond: events / ((live.lastAt - writing) / 1000),
      lagP50Ms: quantile(live.lags, 0.5),
      lagP99Ms: quantile(live.lags, 0.99),
    };
  } finally {
    await runner.stop();
    streamsClient.destroy();
  }
}

export async function measureProjections(
  env: BenchEnvironment,
  settings: BenchSettings,
): Promise<ProjectionsResult> {
  const failuresDir = mkdtempSync(path.join(os.tmpdir(), 'bench-stream-failures-'));
  try {
    // Every run's tables are created and first written up front (see `writeFirstItem`).
    const tableSets = [];
    for (let run = 0; run <= settings.projections.runs; run++) {
      const tables = prefixedTableNames(`bench-projections-${run}-`);
      await createTables(env.client, tables);
      const checkpoints = new StreamCheckpoints(env.client, `${tables.events}-checkpoints`);
      await checkpoints.ensureTable();
      for (const name of [...Object.values(tables), checkpoints.tableName]) {
        await writeFirstItem(env.client, name);
      }
      tableSets.push({ tables, checkpoints });
    }
    const runs: RunResult[] = [];
    // The first run only warms the JVM up: DynamoDB Local is several times slower at first.
    for (const [run, { tables, checkpoints }] of tableSets.entries()) {
      const result = await oneRun(env, settings, run, tables, checkpoints, failuresDir);
      if (run > 0) runs.push(result);
    }
    return {
      consumer: CONSUMER,
      settings: {
        batchSize: consumer.batchSize,
        maxBatchingWindowSeconds: consumer.maxBatchingWindowSeconds,
      },
      events: settings.projections.events,
      streams: settings.projections.streams,
      runs: runs.length,
      writtenWithoutConsumerPerSecond: spread(runs.map((r) => r.writtenWithoutConsumerPerSecond)),
      catchUpEventsPerSecond: spread(runs.map((r) => r.catchUpEventsPerSecond)),
      live: {
        writtenPerSecond: spread(runs.map((r) => r.writtenPerSecond)),
        appliedPerSecond: spread(runs.map((r) => r.appliedPerSecond)),
        lagP50Ms: spread(runs.map((r) => r.lagP50Ms)),
        lagP99Ms: spread(runs.map((r) => r.lagP99Ms)),
      },
    };
  } finally {
    rmSync(failuresDir, { recursive: true, force: true });
  }
}

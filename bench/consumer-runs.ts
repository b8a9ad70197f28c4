import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { accountEvents, type AccountEvent } from '../functions/accounts/events';
import { EventStore } from '../functions/eventsourcing';
import { eventFromItem, isEventItem } from '../functions/eventsourcing/event-items';
import {
  prefixedTableNames,
  type StreamHostDeclaration,
} from '../functions/eventsourcing/declaration';
import {
  functions,
  streamHosts,
  tables as declaredTables,
  type StreamHostKey,
  type TableKey,
} from '../functions/system';
import { FailureDirectory } from '../local/failure-destination';
import { StreamCheckpoints } from '../local/stream-checkpoints';
import { createStreamsClient } from '../local/stream-consumers';
import { StreamRunner, type StreamHandler } from '../local/stream-runner';
import { createTables, latestStreamArn } from '../local/tables';
import { waitFor } from '../local/wait-for';
import { writeFirstItem, type BenchEnvironment } from './environment';
import type { BenchSettings } from './settings';
import { quantile, type Spread } from './stats';

/** Records, by `streamId#version`, when the handler returned having handled each event. */
class HandledEvents {
  readonly lags: number[] = [];
  private readonly seen = new Set<string>();
  lastAt = 0;

  get count(): number {
    return this.seen.size;
  }

  record(event: DynamoDBStreamEvent, failedFrom: string | undefined, at: number): void {
    for (const record of event.Records) {
      if (record.dynamodb?.SequenceNumber === failedFrom) return;
      const image = record.dynamodb?.NewImage as Record<string, AttributeValue> | undefined;
      if (!isEventItem(image)) continue; // the table's first write, not an event
      const { streamId, version, recordedAt } = eventFromItem(image!);
      const key = `${streamId}#${version}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.lags.push(at - Date.parse(recordedAt));
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
      const streamId = accountEvents.streamId(`${prefix}-${s}`);
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

/** What one run of a stream consumer measured. */
export interface ConsumerRun {
  /** Events written per second while no consumer reads the stream: the append rate. */
  readonly writtenWithoutConsumerPerSecond: number;
  /** Events already in the stream when the runner starts: how fast it works them off. */
  readonly catchUpPerSecond: number;
  /** Events written while the runner runs: the rate they were handled at, and their lag. */
  readonly writtenPerSecond: number;
  readonly handledPerSecond: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
}

/** The host's declared batching, as the report states it. */
export type ConsumerSettings = Pick<
  StreamHostDeclaration,
  'batchSize' | 'maxBatchingWindowSeconds'
>;

/** A stream consumer's handler that reports partial batch failures. */
type ConsumerHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse>;

/** What every stream-consumer section reports first. */
export interface ConsumerSection {
  /** The stream host the consumers run in. */
  readonly host: StreamHostKey;
  readonly settings: ConsumerSettings;
  readonly events: number;
  readonly streams: number;
  readonly runs: number;
  /** Events written per second while no consumer reads the stream: the append rate. */
  readonly writtenWithoutConsumerPerSecond: Spread;
}

export interface ConsumerRunsOptions<Result> {
  /** Names the runs' tables and checkpoints. */
  readonly name: string;
  /** The host whose event source mapping settings the runner uses. */
  readonly host: StreamHostKey;
  /** The consumer's handler on one run's tables. */
  readonly handler: (tables: Record<TableKey, string>) => ConsumerHandler;
  /** Measures more on the run's tables once the consumer has handled every event. */
  readonly after: (run: ConsumerRun, tables: Record<TableKey, string>) => Promise<Result>;
}

/**
 * Consumers fed by the local stream runner with their host's declared settings, one
 * untimed run to warm the JVM up, then `settings.projections.runs` runs on fresh tables: the
 * events are written first and worked off (catch-up), then written while it runs (live).
 */
export async function measureConsumerRuns<Result>(
  env: BenchEnvironment,
  settings: BenchSettings,
  options: ConsumerRunsOptions<Result>,
): Promise<{ settings: ConsumerSettings; runs: Result[] }> {
  const failuresDir = mkdtempSync(path.join(os.tmpdir(), 'bench-stream-failures-'));
  try {
    // Every run's tables are created and first written up front (see `writeFirstItem`).
    const tableSets = [];
    for (let run = 0; run <= settings.projections.runs; run++) {
      const tables = prefixedTableNames(declaredTables, `bench-${options.name}-${run}-`);
      await createTables(env.client, tables);
      const checkpoints = new StreamCheckpoints(env.client, `${tables.events}-checkpoints`);
      await checkpoints.ensureTable();
      for (const name of [...Object.values(tables), checkpoints.tableName]) {
        await writeFirstItem(env.client, name);
      }
      tableSets.push({ tables, checkpoints });
    }
    const runs: Result[] = [];
    // The first run only warms the JVM up: DynamoDB Local is several times slower at first.
    for (const [run, { tables, checkpoints }] of tableSets.entries()) {
      const measured = await oneRun(env, settings, {
        run,
        tables,
        checkpoints,
        failuresDir,
        host: options.host,
        handler: options.handler(tables),
      });
      const result = await options.after(measured, tables);
      if (run > 0) runs.push(result);
    }
    return {
      settings: {
        batchSize: streamHosts[options.host].batchSize,
        maxBatchingWindowSeconds: streamHosts[options.host].maxBatchingWindowSeconds,
      },
      runs,
    };
  } finally {
    rmSync(failuresDir, { recursive: true, force: true });
  }
}

async function oneRun(
  env: BenchEnvironment,
  settings: BenchSettings,
  options: {
    run: number;
    tables: Record<TableKey, string>;
    checkpoints: StreamCheckpoints;
    failuresDir: string;
    host: StreamHostKey;
    handler: ConsumerHandler;
  },
): Promise<ConsumerRun> {
  const { events, streams } = settings.projections;
  const { run, tables, host } = options;
  const declaration = functions[host];
  const store = new EventStore({
    client: env.client,
    tableName: tables.events,
    catalogue: accountEvents.catalogue,
  });
  const catchUp = new HandledEvents();
  const live = new HandledEvents();
  let phase = catchUp;
  const handler: StreamHandler = async (event, context) => {
    const response = await options.handler(event, context);
    phase.record(event, response.batchItemFailures[0]?.itemIdentifier, Date.now());
    return response;
  };
  const streamsClient = createStreamsClient(env.endpoint);
  const runner = new StreamRunner({
    consumer: host,
    streamArn: await latestStreamArn(env.client, tables.events),
    streams: streamsClient,
    handler,
    settings: streamHosts[host],
    checkpoints: options.checkpoints,
    failures: new FailureDirectory(options.failuresDir),
    functionName: host,
    timeoutSeconds: declaration.timeoutSeconds,
    memoryMb: declaration.memoryMb,
  });
  const allHandled = (handled: HandledEvents, what: string) =>
    waitFor(() => (handled.count >= events ? true : undefined), {
      timeoutMs: 180_000,
      intervalMs: 20,
      description: `${events} ${what} events handled by ${host}`,
    });
  try {
    const backlog = Date.now();
    await writeAccounts(store, `catch-up-${run}`, streams, events);
    const started = Date.now();
    runner.start();
    await allHandled(catchUp, 'catch-up');
    const catchUpPerSecond = events / ((catchUp.lastAt - started) / 1000);

    phase = live;
    const writing = Date.now();
    await writeAccounts(store, `live-${run}`, streams, events);
    const written = Date.now();
    await allHandled(live, 'live');
    return {
      writtenWithoutConsumerPerSecond: events / ((started - backlog) / 1000),
      catchUpPerSecond,
      writtenPerSecond: events / ((written - writing) / 1000),
      handledPerSecond: events / ((live.lastAt - writing) / 1000),
      lagP50Ms: quantile(live.lags, 0.5),
      lagP99Ms: quantile(live.lags, 0.99),
    };
  } finally {
    await runner.stop();
    streamsClient.destroy();
  }
}

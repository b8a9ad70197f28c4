import { randomUUID } from 'node:crypto';
import { PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { AggregateRepository, CommandHandler, EventStore } from '../../functions/eventsourcing';
import { castoreDeposit, castoreDepositCommand } from '../castore';
import type { BenchEnvironment } from '../environment';
import { groupIntoRuns, interleave, pairwiseRatio } from '../interleave';
import { burst, type Burst } from '../load-generator';
import type { BenchSettings } from '../settings';
import { quantile, spread, type Spread } from '../stats';
import {
  EVENT_METADATA,
  WorkerStreams,
  account,
  benchEvents,
  depositEvent,
  rawEventItems,
} from '../workload';

/** The write paths compared against each other, all on the same DynamoDB Local. */
export const THROUGHPUT_SIDES = [
  'rawPut',
  'rawPutControl',
  'eventStoreAppend',
  'castorePush',
  'rawLoadPut',
  'commandHandler',
  'castoreCommand',
] as const;

export type ThroughputSide = (typeof THROUGHPUT_SIDES)[number];

/** Ratios reported, numerator over denominator, each computed round by round. */
export const THROUGHPUT_RATIOS = [
  // The same code on both sides: how far apart two identical sides land (the noise floor).
  ['rawPutControl', 'rawPut'],
  ['eventStoreAppend', 'rawPut'],
  ['commandHandler', 'rawLoadPut'],
  ['commandHandler', 'rawPut'],
  ['eventStoreAppend', 'castorePush'],
  ['commandHandler', 'castoreCommand'],
] as const satisfies readonly (readonly [ThroughputSide, ThroughputSide])[];

export interface SideSummary {
  readonly opsPerSecond: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  readonly operations: number;
}

export interface ThroughputResult {
  readonly concurrency: number;
  readonly sides: Record<ThroughputSide, SideSummary>;
  /** Keyed `numerator/denominator`. */
  readonly ratios: Record<string, Spread>;
}

export const ratioKey = (numerator: ThroughputSide, denominator: ThroughputSide) =>
  `${numerator}/${denominator}`;

type Operation = (worker: number) => Promise<unknown>;

/** One operation per side; each worker writes its own streams, fresh for this concurrency. */
function operations(
  env: BenchEnvironment,
  settings: BenchSettings,
  concurrency: number,
): Record<ThroughputSide, Operation> {
  const { client } = env;
  const tableName = env.tables.events;
  const prefix = (side: string) => `${side}-c${concurrency}-${randomUUID().slice(0, 8)}`;
  const endless = (side: string) => new WorkerStreams(prefix(side));
  const short = (side: string) => new WorkerStreams(prefix(side), settings.commandStreamLength);

  const rawItem = rawEventItems();
  const rawPutStreams = endless('raw-put');
  const controlStreams = endless('raw-put-control');
  const store = new EventStore({ client, tableName, catalogue: benchEvents });
  const appendStreams = endless('append');
  const castorePushStreams = endless('castore-push');
  const rawCommandStreams = short('raw-command');
  const handler = new CommandHandler(new AggregateRepository(store, account));
  const handlerStreams = short('command');
  const castoreCommand = castoreDepositCommand(env.castore);
  const castoreCommandStreams = short('castore-command');

  const conditionalPut = (streamId: string, version: number) =>
    client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: rawItem(streamId, version),
        ConditionExpression: 'attribute_not_exists(version)',
      }),
    );

  return {
    rawPut: async (worker) => {
      const { streamId, version } = rawPutStreams.next(worker);
      await conditionalPut(streamId, version + 1);
    },
    rawPutControl: async (worker) => {
      const { streamId, version } = controlStreams.next(worker);
      await conditionalPut(streamId, version + 1);
    },
    eventStoreAppend: async (worker) => {
      const { streamId, version } = appendStreams.next(worker);
      await store.append(streamId, [depositEvent(100)], {
        expectedVersion: version,
        metadata: EVENT_METADATA,
      });
    },
    castorePush: async (worker) => {
      const { streamId, version } = castorePushStreams.next(worker);
      await env.castore.pushEvent(castoreDeposit(streamId, version + 1, 100));
    },
    // The least a hand-written command can do: read the stream, put the next version.
    rawLoadPut: async (worker) => {
      const { streamId } = rawCommandStreams.next(worker);
      const stream = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'streamId = :s',
          ExpressionAttributeValues: { ':s': { S: streamId } },
          ConsistentRead: true,
        }),
      );
      await conditionalPut(streamId, (stream.Count ?? 0) + 1);
    },
    commandHandler: async (worker) => {
      const { streamId } = handlerStreams.next(worker);
      await handler.handle(
        streamId,
        { type: 'deposit', amount: 100 },
        { metadata: EVENT_METADATA },
      );
    },
    castoreCommand: async (worker) => {
      const { streamId } = castoreCommandStreams.next(worker);
      await castoreCommand.handler({ aggregateId: streamId, amount: 100 }, [env.castore]);
    },
  };
}

/** Untimed load on every write path, so the JVM has compiled DynamoDB Local's hot paths. */
export async function warmUp(env: BenchEnvironment, settings: BenchSettings): Promise<void> {
  const ops = operations(env, settings, 16);
  const each = settings.globalWarmupMs / THROUGHPUT_SIDES.length;
  for (const side of THROUGHPUT_SIDES) await burst(16, each, ops[side]);
}

/** One run of a side: its slices of the run taken together. */
function summariseRun(slices: readonly Burst[]) {
  const latencies = slices.flatMap((slice) => slice.latencies);
  const elapsedMs = slices.reduce((sum, slice) => sum + slice.elapsedMs, 0);
  return {
    operations: latencies.length,
    opsPerSecond: latencies.length / (elapsedMs / 1000),
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
  };
}

/**
 * Sections 1 and 5 (writes): time is cut into short slices; in each slice one side runs at the
 * given concurrency, the order rotating from slice to slice. A run is `slicesPerRun` slices of
 * every side; each figure is the median over runs, and each ratio pairs the two sides' figures
 * from the same run.
 */
export async function measureThroughput(
  env: BenchEnvironment,
  settings: BenchSettings,
  concurrency: number,
): Promise<ThroughputResult> {
  const ops = operations(env, settings, concurrency);
  for (const side of THROUGHPUT_SIDES) await burst(concurrency, settings.warmupMs, ops[side]);
  const slices = await interleave<ThroughputSide, Burst>(
    THROUGHPUT_SIDES,
    settings.runs * settings.slicesPerRun,
    (side) => burst(concurrency, settings.sliceMs, ops[side]),
  );
  const runs = Object.fromEntries(
    THROUGHPUT_SIDES.map((side) => [
      side,
      groupIntoRuns(slices[side], settings.runs).map(summariseRun),
    ]),
  ) as Record<ThroughputSide, ReturnType<typeof summariseRun>[]>;
  const sides = Object.fromEntries(
    THROUGHPUT_SIDES.map((side) => {
      const perRun = runs[side];
      const summary: SideSummary = {
        opsPerSecond: spread(perRun.map((r) => r.opsPerSecond)),
        p50Ms: spread(perRun.map((r) => r.p50Ms)),
        p99Ms: spread(perRun.map((r) => r.p99Ms)),
        operations: perRun.reduce((sum, r) => sum + r.operations, 0),
      };
      return [side, summary];
    }),
  ) as Record<ThroughputSide, SideSummary>;
  const ratios = Object.fromEntries(
    THROUGHPUT_RATIOS.map(([numerator, denominator]) => [
      ratioKey(numerator, denominator),
      pairwiseRatio(
        runs[numerator].map((r) => r.opsPerSecond),
        runs[denominator].map((r) => r.opsPerSecond),
      ),
    ]),
  );
  return { concurrency, sides, ratios };
}

import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { tableNameFromEnv } from '../declaration/resource-names.js';
import { createDynamoDbClient } from '../dynamodb-client.js';
import { logger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import type { Projection } from '../projection.js';
import { ProjectionRuntime } from '../projections/projection-runtime.js';
import { CoalescedRequests } from '../projections/coalesced-requests.js';
import type { RecordedEvent } from '../types.js';
import { consumerDocumentClient, type ConsumerRuntime } from './consumer-runtime.js';
import { lowestSequence } from './stream-outcomes.js';
import { CONSUMER_METRICS } from './metric-names.js';
import { report } from './batch-report.js';
import { isBatchConsumer, type BatchConsumer } from './batch-consumer.js';
import { ReactionRuntime, isReaction, type Reaction } from './reaction.js';
import { eventsByStream, type StreamedEvent } from './stream-records.js';
import type { EventToApply } from './version-guard.js';
import { ConfigurationError, InvalidDeclarationError } from '../declaration/errors.js';
import { once } from '../http/once.js';
import { personalDataFromEnv } from '../personal/environment.js';
import type { PersonalData } from '../personal/personal-data.js';
import { revealHandled } from './revealed-batch.js';

/** A consumer the host runs: a projection or a reaction, each typed by its own events. */
export type GuardedConsumer = Projection | Reaction;

/** Every kind of consumer a host runs. */
export type HostedConsumer = GuardedConsumer | BatchConsumer;

/** Physical table names the host's consumers use. */
export interface HostTables {
  readonly events: string;
  readonly parkedStreams: string;
  /** Needed when the host runs reactions. */
  readonly reactionPositions?: string;
  /** Each projection's read-model table, by its `readModel` key. */
  readonly readModels?: Readonly<Record<string, string>>;
}

export interface ConsumerHostOptions {
  readonly consumers: readonly HostedConsumer[];
  /**
   * Turns a stored event into the event consumers receive: upcast to the current schema and
   * checked against it. Throws when it cannot; the consumers handling that type park the stream.
   * Consumers receive events as stored when omitted.
   */
  readonly decode?: (event: RecordedEvent) => RecordedEvent;
  /** Defaults to a client for the function's region, or `DYNAMODB_ENDPOINT` locally. */
  readonly client?: DynamoDBClient;
  /**
   * Opens personal fields before consumers see them (replacements for an erased subject); from
   * the function's environment (`PERSONAL_DATA_KEY`) when omitted.
   */
  readonly personalData?: PersonalData;
  /** From the function's environment (`TABLE_*`) when omitted. */
  readonly tables?: HostTables;
  /** Failed deliveries of one stream before a consumer parks it (default 2). */
  readonly parkAfterAttempts?: number;
  /**
   * Streams of one batch each consumer processes at the same time (default 8 for a reaction,
   * 100 for a projection).
   */
  readonly concurrency?: number;
  /** Metrics of one consumer; Powertools Metrics (EMF) with a `consumer` dimension by default. */
  readonly metrics?: (consumer: string) => Metrics;
  /**
   * Time kept back from the invocation to record what did not finish (default 5 s, at most a
   * fifth of the time left).
   */
  readonly reserveMs?: number;
}

/** The Lambda handler of a stream's reader, with partial batch responses. */
export type ConsumerHost = ((
  event: DynamoDBStreamEvent,
  context?: Context,
) => Promise<DynamoDBBatchResponse>) & {
  readonly consumers: readonly HostedConsumer[];
  /** Each consumer at run time (created on first use), for redrive, rebuild and tests. */
  runtimes(): ReadonlyMap<string, ConsumerRuntime>;
};

const DEFAULT_RESERVE_MS = 5000;

/**
 * One reader of a table stream hosting many consumers. AWS throttles a DynamoDB Streams shard
 * read by more than two processes, so a system has one host for its projections and one for
 * its reactions, however many consumers each holds.
 *
 * Inside the host every consumer is on its own: it receives only the streams holding events of
 * types it handles (and of those only the handled events reach its code), keeps its own version
 * guard, parks its own failing streams with their reason, and has its own metrics. One
 * consumer's poison event or slowness costs the others at most one re-delivery of the batch,
 * which their guards skip. Past that retry the batch fails only from where a consumer could not
 * even record a failure (the database unreachable); the event source mapping delivers it again.
 */
export function createConsumerHost(options: ConsumerHostOptions): ConsumerHost {
  const names = options.consumers.map((consumer) => consumer.name);
  const twice = names.find((name, index) => names.indexOf(name) !== index);
  if (twice) throw new InvalidDeclarationError([`Consumer '${twice}' is hosted twice`]);

  const batchConsumers = options.consumers.filter(isBatchConsumer);
  const guarded = options.consumers.filter(
    (consumer): consumer is GuardedConsumer => !isBatchConsumer(consumer),
  );
  const decode = decoder(options.decode);
  const client = once(() => options.client ?? createDynamoDbClient());
  const personalData = once(() => options.personalData ?? personalDataFromEnv(client()));
  let runtimes: Map<string, ConsumerRuntime> | undefined;
  const getRuntimes = () =>
    (runtimes ??= createRuntimes(
      { ...options, consumers: guarded, client: client(), personalData: personalData() },
      decode,
      options.tables ?? tablesFromEnv(guarded),
    ));
  const metrics = new Map<string, Metrics>();
  const metricsOf = (consumer: string) => {
    let found = metrics.get(consumer);
    if (!found) {
      found = options.metrics?.(consumer) ?? createMetrics('consumers', { consumer });
      metrics.set(consumer, found);
    }
    return found;
  };
  const handledByAny = new Set(guarded.flatMap((consumer) => consumer.handles));

  const handler = async (
    event: DynamoDBStreamEvent,
    context?: Context,
  ): Promise<DynamoDBBatchResponse> => {
    const delivered = eventsByStream(event.Records);
    const byStream = decodeHandled(
      await revealHandled(delivered, handledByAny, personalData()),
      handledByAny,
      decode,
    );
    const deadline = context ? deadlineOf(context, options.reserveMs) : undefined;
    const retries = await Promise.all([
      ...batchConsumers.map((consumer) => consumeWhole(consumer, event)),
      ...[...getRuntimes().values()].map((runtime) =>
        consume(runtime, byStream, deadline, metricsOf(runtime.name)),
      ),
    ]);
    const retryFrom = lowestSequence(retries);
    return { batchItemFailures: retryFrom ? [{ itemIdentifier: retryFrom }] : [] };
  };
  return Object.assign(handler, { consumers: options.consumers, runtimes: getRuntimes });
}

/**
 * The one place stored events become the events consumers receive: every delivered event of a
 * handled type, and every event a consumer reads from the events table.
 */
function decoder(decode: ConsumerHostOptions['decode']): (event: RecordedEvent) => EventToApply {
  if (!decode) return (event) => ({ event });
  return (event) => {
    try {
      return { event: decode(event) };
    } catch (error) {
      return { event, error: error as Error };
    }
  };
}

function decodeHandled(
  byStream: Map<string, StreamedEvent[]>,
  handled: ReadonlySet<string>,
  decode: (event: RecordedEvent) => EventToApply,
): Map<string, StreamedEvent[]> {
  for (const [streamId, events] of byStream) {
    byStream.set(
      streamId,
      events.map((streamed) =>
        handled.has(streamed.event.type) && !streamed.error
          ? { ...decode(streamed.event), sequenceNumber: streamed.sequenceNumber }
          : streamed,
      ),
    );
  }
  return byStream;
}

function deadlineOf(context: Context, reserveMs = DEFAULT_RESERVE_MS): number {
  const remaining = context.getRemainingTimeInMillis();
  return Date.now() + remaining - Math.min(reserveMs, remaining / 5);
}

const projectionsOf = (consumers: readonly GuardedConsumer[]) =>
  consumers.filter((consumer) => !isReaction(consumer)) as Projection[];

function tablesFromEnv(consumers: readonly GuardedConsumer[]): HostTables {
  const projections = projectionsOf(consumers);
  return {
    events: tableNameFromEnv('events'),
    parkedStreams: tableNameFromEnv('parkedStreams'),
    ...(consumers.some(isReaction)
      ? { reactionPositions: tableNameFromEnv('reactionPositions') }
      : {}),
    readModels: Object.fromEntries(
      projections.map(({ readModel }) => [readModel, tableNameFromEnv(readModel)]),
    ),
  };
}

function createRuntimes(
  options: Omit<ConsumerHostOptions, 'consumers'> & {
    readonly consumers: readonly GuardedConsumer[];
  },
  decode: (event: RecordedEvent) => EventToApply,
  tables: HostTables,
): Map<string, ConsumerRuntime> {
  const client = options.client ?? createDynamoDbClient();
  const shared = {
    client,
    decode,
    ...(options.personalData ? { personalData: options.personalData } : {}),
    ...(options.parkAfterAttempts ? { parkAfterAttempts: options.parkAfterAttempts } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
  };
  const consumerTables = { events: tables.events, parkedStreams: tables.parkedStreams };
  // One for every projection: their reads and commits of a batch go out together.
  const requests = new CoalescedRequests(consumerDocumentClient(client));
  return new Map(
    options.consumers.map((consumer): [string, ConsumerRuntime] => {
      if (isReaction(consumer)) {
        if (!tables.reactionPositions) {
          throw new ConfigurationError(
            `Reaction ${consumer.name} needs the reaction-positions table`,
          );
        }
        return [
          consumer.name,
          new ReactionRuntime(consumer, {
            ...shared,
            tables: { ...consumerTables, reactionPositions: tables.reactionPositions },
          }),
        ];
      }
      const projection = consumer;
      const readModel = tables.readModels?.[projection.readModel];
      if (!readModel) {
        throw new ConfigurationError(`Projection ${projection.name} has no read-model table`);
      }
      return [
        projection.name,
        new ProjectionRuntime(projection, {
          ...shared,
          requests,
          tables: { ...consumerTables, readModel },
        }),
      ];
    }),
  );
}

/** Hands a batch consumer the whole batch; where it must be delivered again for it, if anywhere. */
async function consumeWhole(
  consumer: BatchConsumer,
  event: DynamoDBStreamEvent,
): Promise<string | undefined> {
  try {
    const { batchItemFailures } = await consumer.consume(event);
    return lowestSequence(batchItemFailures.map((failure) => failure.itemIdentifier));
  } catch (error) {
    logger.warn('Consumer could not take the batch; it will be delivered again', {
      consumer: consumer.name,
      error: error as Error,
    });
    return lowestSequence(event.Records.map((record) => record.dynamodb?.SequenceNumber));
  }
}

/**
 * Hands a consumer the streams of the batch that hold an event it handles. Returns where the
 * batch must be delivered again for it, if anywhere.
 */
async function consume(
  runtime: ConsumerRuntime,
  byStream: ReadonlyMap<string, readonly StreamedEvent[]>,
  deadline: number | undefined,
  metrics: Metrics,
): Promise<string | undefined> {
  const selected = new Map(
    [...byStream].filter(([, events]) =>
      events.some(({ event }) => runtime.handles.has(event.type)),
    ),
  );
  if (selected.size === 0) return undefined;
  try {
    const outcome = await runtime.consumeBatch(selected, { deadline });
    report(runtime.name, outcome, metrics, selected);
    return outcome.retryFrom;
  } catch (error) {
    logger.warn('Consumer could not take the batch; it will be delivered again', {
      consumer: runtime.name,
      error: error as Error,
    });
    metrics.addMetric(CONSUMER_METRICS.retries, MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
    return lowestSequence([...selected.values()].map((events) => events[0]!.sequenceNumber));
  }
}

import type { FailedBatchRecord, StoredFailure } from '../../failure-destination';
import { emit, type EsCommand } from '../command';
import type { EsContext } from '../context';
import { selectParkingConsumers } from '../consumer-selection';

interface KeyedRecord {
  readonly dynamodb?: { readonly Keys?: { readonly streamId?: { readonly S?: string } } };
}

/** The streams of a record's batch by the keys of its stream records, when it holds them. */
function streamKeysOf(record: FailedBatchRecord): string[] {
  const payload: unknown = record.payload;
  const batch = (typeof payload === 'string' ? JSON.parse(payload) : payload) as
    { readonly Records?: readonly KeyedRecord[] } | undefined;
  const streams = (batch?.Records ?? []).flatMap((item) => item.dynamodb?.Keys?.streamId?.S ?? []);
  return [...new Set(streams)];
}

/** Stream records' arrival is to the second in AWS and to the minute locally. */
const ARRIVAL_SLACK_MS = 60_000;

const shifted = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();

/**
 * The streams a redrive catches up. Only their ids are taken from the record: the events are
 * read back from the events table, which keeps them for good (DynamoDB Streams forgets its
 * records after 24 hours). A record that holds its batch names them by the records' keys; one
 * that holds only the batch's shard and sequence numbers (the pointer SQS and SNS destinations
 * receive), by the streams with an event recorded while the batch's records arrived, from a
 * scan of the events table. A stream taken in too is harmless: its consumers' version guards
 * skip what they had applied.
 */
async function streamsOf(context: EsContext, record: FailedBatchRecord): Promise<string[]> {
  const keys = streamKeysOf(record);
  if (keys.length > 0) return keys;
  const batch = record.DDBStreamBatchInfo;
  return context.streamsRecordedBetween(
    shifted(batch.approximateArrivalOfFirstRecord, -ARRIVAL_SLACK_MS),
    shifted(batch.approximateArrivalOfLastRecord, ARRIVAL_SLACK_MS),
  );
}

/** The function's name in the record's ARN (`arn:aws:lambda:<region>:<account>:function:<name>`). */
const functionOf = ({ requestContext: { functionArn } }: FailedBatchRecord) =>
  /:function:([^:]+)/.exec(functionArn)?.[1] ?? functionArn;

function describe({ key, record }: StoredFailure) {
  return {
    key,
    function: functionOf(record),
    at: record.timestamp,
    condition: record.requestContext.condition,
    attempts: record.requestContext.approximateInvokeCount,
    records: record.DDBStreamBatchInfo.batchSize,
    streams: streamKeysOf(record),
    ...(record.lastError ? { error: record.lastError } : {}),
  };
}

type Described = ReturnType<typeof describe>;

const line = (failure: Described) =>
  `${failure.key}: ${failure.function} gave up (${failure.condition}) after ` +
  `${failure.attempts} attempt(s) at ${failure.at} on ${failure.records} record(s) of ` +
  `${failure.streams.join(', ') || 'streams found by their arrival time'}` +
  (failure.error ? `: ${failure.error}` : '');

/** What a redrive of one record did: done, or why it stays. */
interface Redriven {
  readonly key: string;
  readonly redriven: boolean;
  readonly streams: readonly string[];
  readonly failures: readonly string[];
}

/**
 * Catches the record's streams up from the events table through every consumer, the global
 * log's indexer included, then marks the record. Lambda names the failed function by a name
 * CloudFormation made up, and a host's batch fails whole only when some consumer could not even
 * record its failure, so which consumers missed the batch is not known: each consumer's version
 * guard (the indexer's stream marker) skips what it had applied, so a redrive, or a second one,
 * delivers nothing twice.
 */
async function redrive(context: EsContext, failure: StoredFailure): Promise<Redriven> {
  const streams = await streamsOf(context, failure.record);
  if (streams.length === 0) {
    const failures = ['no event of the events table was recorded while its records arrived'];
    return { key: failure.key, redriven: false, streams, failures };
  }
  const consumers = await selectParkingConsumers(context, undefined);
  const failures: string[] = [];
  for (const consumer of consumers) {
    for (const outcome of await consumer.redrive(streams)) {
      if (outcome.released) continue;
      failures.push(
        `${consumer.name} ${outcome.streamId} at version ${outcome.appliedVersion + 1}: ` +
          (outcome.failure?.error.message ?? 'events still queue behind its park'),
      );
    }
  }
  if (failures.length > 0) return { key: failure.key, redriven: false, streams, failures };
  await context.failureRecords().markRedriven(failure.key, {
    redrivenAt: new Date().toISOString(),
    streams,
    consumers: consumers.map((consumer) => consumer.name),
  });
  return { key: failure.key, redriven: true, streams, failures };
}

const redriveLine = (outcome: Redriven) =>
  outcome.redriven
    ? `${outcome.key}: re-driven (${outcome.streams.join(', ')})`
    : `${outcome.key}: not re-driven: ${outcome.failures.join('; ')}`;

export const failures: EsCommand = {
  name: 'failures',
  summary: 'batches the stream hosts gave up on (on-failure records), and their redrive',
  usage: `failures [--redrive]

  Lists the on-failure records not re-driven yet: the batches a stream host gave up on after
  its retries (the directory beside the local stack's data, the FailureRecords bucket with
  --stack), with the function, the condition, the streams and the last error.
  --redrive   catches each record's streams up from the events table through every consumer
              and the global log's indexer (their version guards skip what they had applied),
              then writes a ".redriven" marker beside the record, which is kept: it is no longer
              listed. A record whose streams still fail stays listed, with why (exit code 2).`,
  options: { redrive: { type: 'boolean', default: false } },
  async run(input, context) {
    const pending = await context.failureRecords().pending();
    if (!input.values.redrive) {
      emit(context.io, { failures: pending.map(describe) }, ({ failures: listed }) =>
        listed.length === 0 ? ['No failed batches waiting for a redrive.'] : listed.map(line),
      );
      return 0;
    }
    const outcomes: Redriven[] = [];
    for (const failure of pending) outcomes.push(await redrive(context, failure));
    emit(context.io, { redriven: outcomes }, ({ redriven }) =>
      redriven.length === 0
        ? ['No failed batches waiting for a redrive.']
        : redriven.map(redriveLine),
    );
    return outcomes.every((outcome) => outcome.redriven) ? 0 : 2;
  },
};

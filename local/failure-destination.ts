import { randomUUID } from 'node:crypto';
import { access, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** What Lambda writes to an S3 on-failure destination for a discarded stream batch. */
export interface FailedBatchRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
  /** The batch itself, as the function received it. */
  readonly payload: { readonly Records: readonly DynamoDBRecord[] };
  /** The error the last attempt ended with (not part of Lambda's record; kept for operators). */
  readonly lastError?: string;
}

/** An on-failure record as kept, by its key (its path under the destination). */
export interface StoredFailure {
  readonly key: string;
  readonly record: FailedBatchRecord;
}

/** What a redrive of a record did, kept in its marker. */
export interface RedriveMarker {
  readonly redrivenAt: string;
  readonly streams: readonly string[];
  readonly consumers: readonly string[];
}

/** Suffix of the marker written beside a record once its batch was re-driven. */
export const REDRIVEN_SUFFIX = '.redriven';

/**
 * Where a stack's on-failure records are: the local directory or the S3 bucket. A re-driven
 * record is never removed: a marker beside it says when and what was re-driven.
 */
export interface FailureRecordStore {
  /** Every record not re-driven yet, oldest first. */
  pending(): Promise<StoredFailure[]>;
  markRedriven(key: string, marker: RedriveMarker): Promise<void>;
}

/** The records among `keys` without a marker, read by `read`, oldest first. */
export async function pendingRecords(
  keys: readonly string[],
  read: (key: string) => Promise<string>,
): Promise<StoredFailure[]> {
  const all = new Set(keys);
  const pending = keys.filter(
    (key) => !key.endsWith(REDRIVEN_SUFFIX) && !all.has(`${key}${REDRIVEN_SUFFIX}`),
  );
  const records = await Promise.all(
    pending.map(async (key) => ({ key, record: JSON.parse(await read(key)) as FailedBatchRecord })),
  );
  return records.sort((a, b) => a.record.timestamp.localeCompare(b.record.timestamp));
}

const arrival = (record: DynamoDBRecord) =>
  new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The local stand-in for the S3 bucket that receives discarded batches in AWS: one JSON file per
 * batch under `aws/lambda/<consumer>/<shardId>/YYYY/MM/DD/`, the key layout Lambda uses.
 */
export class FailureDirectory implements FailureRecordStore {
  constructor(readonly directory: string) {}

  async send(details: {
    consumer: string;
    functionArn: string;
    streamArn: string;
    shardId: string;
    condition: FailureCondition;
    invokeCount: number;
    records: readonly DynamoDBRecord[];
    functionError?: string;
    lastError?: string;
  }): Promise<string> {
    const now = new Date();
    const first = details.records[0]!;
    const last = details.records.at(-1)!;
    const record: FailedBatchRecord = {
      requestContext: {
        requestId: randomUUID(),
        functionArn: details.functionArn,
        condition: details.condition,
        approximateInvokeCount: details.invokeCount,
      },
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(details.functionError ? { functionError: details.functionError } : {}),
      },
      version: '1.0',
      timestamp: now.toISOString(),
      DDBStreamBatchInfo: {
        shardId: details.shardId,
        startSequenceNumber: first.dynamodb!.SequenceNumber!,
        endSequenceNumber: last.dynamodb!.SequenceNumber!,
        approximateArrivalOfFirstRecord: arrival(first),
        approximateArrivalOfLastRecord: arrival(last),
        batchSize: details.records.length,
        streamArn: details.streamArn,
      },
      payload: { Records: details.records },
      ...(details.lastError ? { lastError: details.lastError } : {}),
    };
    const day = `${now.getUTCFullYear()}/${pad(now.getUTCMonth() + 1)}/${pad(now.getUTCDate())}`;
    const directory = join(this.directory, 'aws/lambda', details.consumer, details.shardId, day);
    await mkdir(directory, { recursive: true });
    const stamp = now.toISOString().slice(0, 19).replaceAll(':', '.');
    const file = join(directory, `${stamp}-${randomUUID()}.json`);
    await writeFile(file, `${JSON.stringify(record, null, 2)}\n`);
    return file;
  }

  /** Every failed batch recorded for a consumer (oldest first), re-driven or not. */
  async list(consumer: string): Promise<FailedBatchRecord[]> {
    const root = join(this.directory, 'aws/lambda', consumer);
    const records = await Promise.all(
      (await this.files(root))
        .filter((file) => file.endsWith('.json'))
        .map(
          async (file) => JSON.parse(await readFile(join(root, file), 'utf8')) as FailedBatchRecord,
        ),
    );
    return records.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }

  async pending(): Promise<StoredFailure[]> {
    return pendingRecords(await this.files(this.directory), (key) =>
      readFile(join(this.directory, key), 'utf8'),
    );
  }

  async markRedriven(key: string, marker: RedriveMarker): Promise<void> {
    const file = join(this.directory, key);
    // Only beside a record that exists: a mistyped key must not hide anything.
    await access(file);
    await writeFile(`${file}${REDRIVEN_SUFFIX}`, `${JSON.stringify(marker, null, 2)}\n`);
  }

  /** Files under `root`, relative to it; none when it does not exist. */
  private async files(root: string): Promise<string[]> {
    try {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile())
        .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

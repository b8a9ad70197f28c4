import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
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

const arrival = (record: DynamoDBRecord) =>
  new Date((record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString();

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The local stand-in for the S3 bucket that receives discarded batches in AWS: one JSON file per
 * batch under `aws/lambda/<consumer>/<shardId>/YYYY/MM/DD/`, the key layout Lambda uses.
 */
export class FailureDirectory {
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

  /** Every failed batch recorded for a consumer (oldest first). */
  async list(consumer: string): Promise<FailedBatchRecord[]> {
    const root = join(this.directory, 'aws/lambda', consumer);
    let files: string[];
    try {
      files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.json'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const records = await Promise.all(
      files.map(
        async (file) => JSON.parse(await readFile(join(root, file), 'utf8')) as FailedBatchRecord,
      ),
    );
    return records.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  }
}

import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { streamPrefix } from '../../functions/eventsourcing/archive/segments';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { STORAGE_PRICES } from '../prices';

/** Items of some streams in the events table, and their bytes as DynamoDB sizes them. */
export interface TableFootprint {
  readonly items: number;
  readonly bytes: number;
}

/** Segments of some streams in the archive bucket, and their (compressed) bytes. */
export interface ArchiveFootprint {
  readonly objects: number;
  readonly bytes: number;
  /** Bytes billed where each object counts as at least 128 KB (Standard-IA, Glacier IR). */
  readonly bytesAtMinimum: number;
}

/** The items of the streams whose ids start with `prefix` (events, heads and archive marks). */
export async function tableFootprint(
  client: DynamoDBClient,
  tableName: string,
  prefix: string,
): Promise<TableFootprint> {
  let items = 0;
  let bytes = 0;
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }),
    );
    for (const item of page.Items ?? []) {
      if (!item.streamId?.S?.startsWith(prefix)) continue;
      items += 1;
      bytes += itemBytes(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return { items, bytes };
}

/** The segments of the streams whose ids start with `prefix`. */
export async function archiveFootprint(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ArchiveFootprint> {
  let objects = 0;
  let bytes = 0;
  let bytesAtMinimum = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        // Every stream id starting with `prefix` has its segments under this key prefix.
        Prefix: streamPrefix(prefix).slice(0, -1),
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      objects += 1;
      bytes += object.Size ?? 0;
      bytesAtMinimum += Math.max(object.Size ?? 0, STORAGE_PRICES.minimumBillableObjectBytes);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return { objects, bytes, bytesAtMinimum };
}

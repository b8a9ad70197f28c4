import { ScanCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ARCHIVE_MARK_VERSION,
  HEAD_VERSION,
  readArchiveMark,
  readHead,
  type StreamHead,
} from '../stream-head-items.js';

/** A stream's head, and how far the stream is archived. */
export interface ScannedStream {
  readonly head: StreamHead;
  readonly archivedUpTo: number;
}

/**
 * Every stream head in the events table with its archive mark: a full scan, filtered to those
 * two items of each stream. The archiver runs rarely and off the hot path; the scan reads (and
 * is billed for) every item of the table.
 */
export async function scanStreams(
  client: DynamoDBClient,
  tableName: string,
): Promise<ScannedStream[]> {
  const heads = new Map<string, StreamHead>();
  const marks = new Map<string, number>();
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'version BETWEEN :mark AND :head',
        ExpressionAttributeValues: {
          ':mark': { N: String(ARCHIVE_MARK_VERSION) },
          ':head': { N: String(HEAD_VERSION) },
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const head = readHead(item);
      if (head) heads.set(head.streamId, head);
      else if (item.streamId?.S) marks.set(item.streamId.S, readArchiveMark(item));
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return [...heads.values()].map((head) => ({
    head,
    archivedUpTo: marks.get(head.streamId) ?? 0,
  }));
}

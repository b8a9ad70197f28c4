import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  ARCHIVE_MARK_VERSION,
  HEAD_VERSION,
  readArchiveMark,
  readHead,
} from '../stream-head-items.js';

/** Where a stream stands in its life: open or closed, and how much of it is archived. */
export interface StreamState {
  readonly streamId: string;
  /** The tombstone's version when the stream is closed. */
  readonly closed?: number;
  /** Versions 1 to this are in the archive bucket (0: none). */
  readonly archivedUpTo: number;
}

/** A stream's state from its head and archive mark, read in one Query. */
export async function streamState(
  client: DynamoDBClient,
  tableName: string,
  streamId: string,
): Promise<StreamState> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'streamId = :s AND version BETWEEN :mark AND :head',
      ExpressionAttributeValues: {
        ':s': { S: streamId },
        ':mark': { N: String(ARCHIVE_MARK_VERSION) },
        ':head': { N: String(HEAD_VERSION) },
      },
      ConsistentRead: true,
    }),
  );
  const head = Items.map((item) => readHead(item)).find((found) => found !== undefined);
  const mark = Items.find((item) => item.version?.N === String(ARCHIVE_MARK_VERSION));
  return {
    streamId,
    archivedUpTo: readArchiveMark(mark),
    ...(head?.closed === undefined ? {} : { closed: head.closed }),
  };
}

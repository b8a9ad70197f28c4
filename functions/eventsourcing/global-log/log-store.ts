import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  TransactGetCommand,
  TransactWriteCommand,
  type NativeAttributeValue,
  type TransactGetCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { backoffDelay, sleep, type RetryPolicy } from '../retry.js';
import { EMPTY_HEAD, HEAD_KEY, pagePartition, streamMarkerKey, typePartition } from './layout.js';
import type { LogHead } from './layout.js';
import type { PagePlan } from './page-plan.js';
import { isTransactionConflict } from '../conditional-writes.js';

/** DynamoDB's limit of items in one TransactGetItems call. */
const TRANSACT_GET_LIMIT = 100;

/** How the log's writers and readers space out attempts that met another writer. */
const LOG_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 500 };

export const backoff = (attempt: number) => sleep(backoffDelay(LOG_RETRY, attempt));

type Item = Record<string, NativeAttributeValue>;

export function headFromItem(item: Item | undefined): LogHead {
  if (!item) return EMPTY_HEAD;
  return {
    lastPosition: item.lastPosition as number,
    pages: item.pages as number,
    ...(item.newestRecordedAt ? { newestRecordedAt: item.newestRecordedAt as string } : {}),
    types: (item.types as LogHead['types'] | undefined) ?? {},
  };
}

/**
 * Reads and appends the log's items: the head, stream markers and page transactions. The one
 * place that knows how a page plan becomes DynamoDB writes.
 */
export class LogStore {
  readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async head(): Promise<LogHead> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: HEAD_KEY, ConsistentRead: true }),
    );
    return headFromItem(Item);
  }

  /**
   * The last indexed version of each stream (0 when never indexed). Read with TransactGetItems,
   * which needs no more than GetItem: the indexer's role may read and put log items, nothing else.
   */
  async markers(streamIds: readonly string[]): Promise<Map<string, number>> {
    const markers = new Map<string, number>();
    for (let start = 0; start < streamIds.length; start += TRANSACT_GET_LIMIT) {
      const chunk = streamIds.slice(start, start + TRANSACT_GET_LIMIT);
      const read = new TransactGetCommand({
        TransactItems: chunk.map((streamId) => ({
          Get: {
            TableName: this.tableName,
            Key: streamMarkerKey(streamId),
            ProjectionExpression: 'version',
          },
        })),
      });
      const Responses = await this.readMarkers(read);
      chunk.forEach((streamId, index) => {
        markers.set(streamId, (Responses[index]?.Item?.version as number | undefined) ?? 0);
      });
    }
    return markers;
  }

  /** One TransactGetItems of markers, read again while a page transaction is writing them. */
  private async readMarkers(
    read: TransactGetCommand,
  ): Promise<NonNullable<TransactGetCommandOutput['Responses']>> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { Responses = [] } = await this.doc.send(read);
        return Responses;
      } catch (error) {
        // A page transaction is writing one of these markers right now: read again after it.
        if (!isTransactionConflict(error) || attempt >= LOG_RETRY.maxAttempts) throw error;
        await backoff(attempt);
      }
    }
  }

  /**
   * Appends one page in one transaction: the page and its type pages (which must not exist),
   * the head (which must still end where the plan began) and every stream's marker (which must
   * still be where the plan found it). Any other appender in between makes it fail as a whole.
   */
  async append(plan: PagePlan, indexedAt: string): Promise<void> {
    const put = (item: Item, condition: string, values?: Item) => ({
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: condition,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    });
    const { headBefore, headAfter } = plan;
    await this.doc.send(
      new TransactWriteCommand({
        TransactItems: [
          put(
            {
              pk: pagePartition(plan.epoch),
              sk: plan.firstPosition,
              entries: plan.entries,
              indexedAt,
            },
            'attribute_not_exists(pk)',
          ),
          headBefore.pages === 0
            ? put({ ...HEAD_KEY, ...headAfter, updatedAt: indexedAt }, 'attribute_not_exists(pk)')
            : put({ ...HEAD_KEY, ...headAfter, updatedAt: indexedAt }, 'lastPosition = :last', {
                ':last': headBefore.lastPosition,
              }),
          ...plan.typePages.map((typePage) =>
            put(
              {
                pk: typePartition(typePage.type, plan.epoch),
                sk: typePage.sk,
                previous: typePage.previous,
                entries: typePage.entries,
              },
              'attribute_not_exists(pk)',
            ),
          ),
          ...plan.markers.map(({ streamId, from, to }) =>
            from === 0
              ? put({ ...streamMarkerKey(streamId), version: to }, 'attribute_not_exists(pk)')
              : put({ ...streamMarkerKey(streamId), version: to }, 'version = :from', {
                  ':from': from,
                }),
          ),
        ],
      }),
    );
  }
}

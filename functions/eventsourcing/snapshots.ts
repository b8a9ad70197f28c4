import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { isConditionalCheckFailed } from './conditional-writes.js';

export interface Snapshot<State = unknown> {
  readonly streamId: string;
  /** Version of the last event folded into `state`. */
  readonly version: number;
  readonly state: State;
  /** Version of the state's shape and reducer; a snapshot of another stateVersion is ignored. */
  readonly stateVersion: number;
  readonly takenAt: string;
  /** `recordedAt` of the event at `version`, so temporal loads know whether they may use it. */
  readonly eventRecordedAt: string;
}

/** Latest snapshot per stream, in its own table, written forward only. */
export class SnapshotStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get<State>(streamId: string): Promise<Snapshot<State> | undefined> {
    const result = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { streamId: { S: streamId } },
        ConsistentRead: true,
      }),
    );
    return result.Item ? (unmarshall(result.Item) as Snapshot<State>) : undefined;
  }

  /**
   * Saves unless a newer snapshot of the same stateVersion is already there.
   * Returns whether this snapshot was written.
   */
  async save<State>(snapshot: Snapshot<State>, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: marshall(snapshot, { removeUndefinedValues: true }),
          ConditionExpression:
            'attribute_not_exists(streamId) OR version < :v OR stateVersion <> :sv',
          ExpressionAttributeValues: {
            ':v': { N: String(snapshot.version) },
            ':sv': { N: String(snapshot.stateVersion) },
          },
        }),
        { abortSignal: signal },
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

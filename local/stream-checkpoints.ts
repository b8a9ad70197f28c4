import {
  CreateTableCommand,
  QueryCommand,
  ResourceInUseException,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createTableInput } from './tables';

export interface ShardCheckpoint {
  readonly shardId: string;
  /** Last sequence number fully handled (delivered, or sent to the on-failure destination). */
  readonly sequenceNumber?: string;
  /** The shard is closed and every record in it was handled. */
  readonly finished: boolean;
}

/**
 * Where each consumer of a stream stopped, per shard, kept in a DynamoDB Local table next to
 * the data it describes (so it lives exactly as long as the stream does). A restarted runner
 * resumes after the checkpoint: records may be delivered again, never skipped.
 */
export class StreamCheckpoints {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
  ) {}

  async ensureTable(): Promise<void> {
    try {
      await this.client.send(
        new CreateTableCommand(
          createTableInput(this.tableName, {
            description: 'Local stream runner checkpoints per consumer and shard.',
            partitionKey: { name: 'consumer', type: 'S' },
            sortKey: { name: 'shardId', type: 'S' },
            durability: 'derived',
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }

  /** Checkpoints of one consumer on one stream. */
  async load(consumer: string, streamArn: string): Promise<Map<string, ShardCheckpoint>> {
    const checkpoints = new Map<string, ShardCheckpoint>();
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'consumer = :consumer',
          FilterExpression: 'streamArn = :streamArn',
          ExpressionAttributeValues: {
            ':consumer': { S: consumer },
            ':streamArn': { S: streamArn },
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const shardId = item.shardId!.S!;
        checkpoints.set(shardId, {
          shardId,
          ...(item.sequenceNumber?.S ? { sequenceNumber: item.sequenceNumber.S } : {}),
          finished: item.finished?.BOOL ?? false,
        });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return checkpoints;
  }

  async save(
    consumer: string,
    streamArn: string,
    checkpoint: { shardId: string; sequenceNumber?: string; finished?: boolean },
  ): Promise<void> {
    const sets = ['streamArn = :streamArn', 'updatedAt = :now', 'finished = :finished'];
    const values: Record<string, AttributeValue> = {
      ':streamArn': { S: streamArn },
      ':now': { S: new Date().toISOString() },
      ':finished': { BOOL: checkpoint.finished ?? false },
    };
    if (checkpoint.sequenceNumber) {
      sets.push('sequenceNumber = :sequenceNumber');
      values[':sequenceNumber'] = { S: checkpoint.sequenceNumber };
    }
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { consumer: { S: consumer }, shardId: { S: checkpoint.shardId } },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeValues: values,
      }),
    );
  }
}

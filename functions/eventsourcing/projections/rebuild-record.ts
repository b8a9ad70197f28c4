import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { GlobalLogReader } from '../global-log/reader.js';
import type { SubscriptionCheckpoint } from '../global-log/subscription.js';
import type { ProjectionRuntime } from './projection-runtime.js';
import { controlKey } from './read-model-keys.js';

/** A rebuild's control item in the read-model table: where it is, so it can resume. */
export interface RebuildRecord {
  readonly generation: number;
  readonly total: number;
  readonly done: number;
  /** The log position replayed up to. */
  readonly position: number;
  readonly startedAt: string;
}

export interface RebuildStatus {
  readonly generation: number;
  readonly done: number;
  readonly total: number;
  readonly startedAt: string;
  /** The global log position replayed up to. */
  readonly position: number;
}

/** The rebuild in progress (or interrupted and waiting to resume), if any. */
export async function rebuildStatus(
  runtime: ProjectionRuntime,
): Promise<RebuildStatus | undefined> {
  const record = await readRebuildRecord(runtime);
  if (!record) return undefined;
  return {
    generation: record.generation,
    done: record.done,
    total: record.total,
    startedAt: record.startedAt,
    position: record.position,
  };
}

export async function readRebuildRecord(
  runtime: ProjectionRuntime,
): Promise<RebuildRecord | undefined> {
  const { Item } = await runtime.doc.send(
    new GetCommand({
      TableName: runtime.options.tables.readModel,
      Key: controlKey(runtime.name, 'rebuild'),
      ConsistentRead: true,
    }),
  );
  // A record from before the replay read the log starts the replay over (it is idempotent).
  return Item && { ...(Item as RebuildRecord), position: (Item.position as number) ?? 0 };
}

/** Starts the record of a rebuild into `generation`, its total the log's length now. */
export async function saveNewRecord(
  runtime: ProjectionRuntime,
  generation: number,
  log: GlobalLogReader,
): Promise<RebuildRecord> {
  const record: RebuildRecord = {
    generation,
    total: (await log.head()).lastPosition,
    done: 0,
    position: 0,
    startedAt: new Date().toISOString(),
  };
  await runtime.doc.send(
    new PutCommand({
      TableName: runtime.options.tables.readModel,
      Item: { ...controlKey(runtime.name, 'rebuild'), ...record },
    }),
  );
  return record;
}

/** The replayed position and the count of events done, kept in the rebuild record. */
export class RebuildCheckpoint implements SubscriptionCheckpoint {
  constructor(
    private readonly runtime: ProjectionRuntime,
    private position: number,
    private readonly done: () => number,
  ) {}

  load(): Promise<number> {
    return Promise.resolve(this.position);
  }

  async save(position: number): Promise<void> {
    await this.runtime.doc.send(
      new UpdateCommand({
        TableName: this.runtime.options.tables.readModel,
        Key: controlKey(this.runtime.name, 'rebuild'),
        UpdateExpression: 'SET #position = :position, #done = :done',
        ExpressionAttributeNames: { '#position': 'position', '#done': 'done' },
        ExpressionAttributeValues: { ':position': position, ':done': this.done() },
      }),
    );
    this.position = position;
  }
}

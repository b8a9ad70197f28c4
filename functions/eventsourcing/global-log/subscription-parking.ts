import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LoggedEvent } from './reader.js';

/**
 * A position of the global log a subscription set aside, with its reason.
 * - `failed`: the handler threw on this event, delivered alone;
 * - `queued`: an earlier event of its stream is parked (`behind`), so it waits to keep the
 *   stream's order.
 */
export interface ParkedPosition {
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly eventType: string;
  readonly status: 'failed' | 'queued';
  readonly behind?: number;
  readonly error: string;
  readonly errorName: string;
  readonly parkedAt: string;
}

/** Where a subscription keeps the positions it parked until a redrive delivers them. */
export interface SubscriptionParking {
  /** Every parked position, in log order. */
  list(): Promise<ParkedPosition[]>;
  /** Parks positions, or replaces their record when they are parked already. */
  park(records: readonly ParkedPosition[]): Promise<void>;
  /** Forgets positions a redrive delivered. */
  release(positions: readonly number[]): Promise<void>;
}

/** The record of an event its handler failed on. */
export function failedPosition({ position, event }: LoggedEvent, error: Error): ParkedPosition {
  return {
    position,
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    eventType: event.type,
    status: 'failed',
    error: error.message,
    errorName: error.name,
    parkedAt: new Date().toISOString(),
  };
}

/** The record of an event that waits behind the parked position `behind` of its stream. */
export function queuedPosition(logged: LoggedEvent, behind: number): ParkedPosition {
  return {
    ...failedPosition(logged, new Error(`waits behind position ${behind} of its stream`)),
    status: 'queued',
    behind,
    errorName: 'Queued',
  };
}

/** Positions per UpdateItem: well inside the 4 KB limit of an update expression. */
const POSITIONS_PER_UPDATE = 50;

const attributeOf = (position: number) => `p${position}`;

/**
 * Parked positions in the subscription checkpoints table, beside the checkpoint: one item per
 * subscription (`<name>#parked`), one attribute per position. A subscription reads them once per
 * batch with one GetItem, to hold back later events of a parked stream; an item holds up to
 * 400 KB, about a thousand parked positions, past which parking fails and the subscription stops
 * at that batch as it did before (nothing is skipped).
 */
export class TableParking implements SubscriptionParking {
  private readonly doc: DynamoDBDocumentClient;
  private readonly key: { subscription: string };

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    readonly name: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.key = { subscription: `${name}#parked` };
  }

  async list(): Promise<ParkedPosition[]> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: this.key, ConsistentRead: true }),
    );
    return Object.entries(Item ?? {})
      .filter(([attribute]) => attribute !== 'subscription')
      .map(([, record]) => record as ParkedPosition)
      .sort((a, b) => a.position - b.position);
  }

  async park(records: readonly ParkedPosition[]): Promise<void> {
    for (const chunk of chunks(records, POSITIONS_PER_UPDATE)) {
      await this.update(
        `SET ${chunk.map((_, i) => `#p${i} = :p${i}`).join(', ')}`,
        chunk.map((record) => record.position),
        Object.fromEntries(chunk.map((record, i) => [`:p${i}`, record])),
      );
    }
  }

  async release(positions: readonly number[]): Promise<void> {
    for (const chunk of chunks(positions, POSITIONS_PER_UPDATE)) {
      await this.update(`REMOVE ${chunk.map((_, i) => `#p${i}`).join(', ')}`, chunk);
    }
  }

  private async update(
    expression: string,
    positions: readonly number[],
    values?: Record<string, ParkedPosition>,
  ): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key,
        UpdateExpression: expression,
        ExpressionAttributeNames: Object.fromEntries(
          positions.map((position, i) => [`#p${i}`, attributeOf(position)]),
        ),
        ...(values ? { ExpressionAttributeValues: values } : {}),
      }),
    );
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

import { EventSourcingError } from '../errors.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { GlobalLogReader, LoggedEvent } from './reader.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';

/** Where a subscription keeps the last position it has handled. */
export interface SubscriptionCheckpoint {
  /** The saved position, or undefined before the first save. */
  load(): Promise<number | undefined>;
  save(position: number): Promise<void>;
}

/**
 * A checkpoint in a table keyed by `subscription` (string): one item per subscription name,
 * only ever moved forward, so two copies of one subscriber cannot move it back.
 */
export class TableCheckpoint implements SubscriptionCheckpoint {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    readonly name: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client);
  }

  async load(): Promise<number | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { subscription: this.name },
        ConsistentRead: true,
      }),
    );
    return Item?.position as number | undefined;
  }

  async save(position: number): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { subscription: this.name, position, savedAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(subscription) OR #position <= :position',
          ExpressionAttributeNames: { '#position': 'position' },
          ExpressionAttributeValues: { ':position': position },
        }),
      );
    } catch (error) {
      // Already further along: another copy of the subscriber got there first.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}

/** Where a subscription without a checkpoint starts: the beginning, the end, or after a position. */
export type SubscriptionStart = 'start' | 'end' | number;

export interface GlobalLogSubscriptionOptions {
  readonly reader: GlobalLogReader;
  readonly checkpoint: SubscriptionCheckpoint;
  /** Used only when the checkpoint has never been saved (default `start`). */
  readonly from?: SubscriptionStart;
  /** Only events of these types. */
  readonly types?: readonly string[];
  /** Events per `handle` call at most (default 100). */
  readonly batchSize?: number;
  /** Wait between reads once caught up (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /**
   * Handles events in log order. The checkpoint moves past them only once it returns, so an
   * event may be handled again after a crash (at least once): make handling idempotent.
   */
  readonly handle: (events: readonly LoggedEvent[]) => Promise<void>;
}

/** Thrown by `run`/`catchUp` when the signal aborts them between batches. */
export class SubscriptionStoppedError extends EventSourcingError {
  readonly code = 'SubscriptionStopped';
  constructor(readonly position: number) {
    super(`Subscription stopped at position ${position}`);
    this.name = 'SubscriptionStoppedError';
  }
}

/**
 * A catch-up subscription to the global log: it reads from its checkpoint (or its start), hands
 * events over in order, saves the checkpoint after each batch, and once it reaches the end
 * keeps polling the log. The log is both the history and the live feed, so catching up and
 * going live are the same read and nothing falls between them.
 */
export class GlobalLogSubscription {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: GlobalLogSubscriptionOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  /** The position the subscription has handled everything up to, saving its start if new. */
  async position(): Promise<number> {
    const saved = await this.options.checkpoint.load();
    if (saved !== undefined) return saved;
    const from = this.options.from ?? 'start';
    const start =
      from === 'start'
        ? 0
        : from === 'end'
          ? (await this.options.reader.head()).lastPosition
          : from;
    // Saved at once: starting from `end` again after a crash would skip what came meanwhile.
    await this.options.checkpoint.save(start);
    return start;
  }

  /** Handles everything the log holds now; returns the position it got to. */
  async catchUp(signal?: AbortSignal): Promise<number> {
    let position = await this.position();
    for (;;) {
      if (signal?.aborted) throw new SubscriptionStoppedError(position);
      const { events, next } = await this.options.reader.read({
        after: position,
        limit: this.batchSize,
        ...(this.options.types ? { types: this.options.types } : {}),
      });
      if (events.length > 0) await this.options.handle(events);
      if (next > position) {
        await this.options.checkpoint.save(next);
        position = next;
      }
      if (events.length < this.batchSize) return position;
    }
  }

  /** Catches up, then follows the log until `signal` aborts; resolves once stopped. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.catchUp(signal);
      } catch (error) {
        if (error instanceof SubscriptionStoppedError) return;
        throw error;
      }
      await abortableSleep(this.pollIntervalMs, signal);
    }
  }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

import { EventSourcingError } from '../errors.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { GlobalLogReader, LoggedEvent } from './reader.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';
import {
  failedPosition,
  queuedPosition,
  type ParkedPosition,
  type SubscriptionParking,
} from './subscription-parking.js';

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
  /**
   * Where events the handler keeps failing on are parked. Without it, a batch whose handler
   * throws stops the subscription there (`catchUp` throws; started again, it gets the batch
   * again). With it, see `GlobalLogSubscription`.
   */
  readonly parking?: SubscriptionParking;
  /** Deliveries of a failing batch before its events are handed over one at a time (default 2). */
  readonly parkAfterAttempts?: number;
}

/** What a redrive of a subscription's parked positions did. */
export interface SubscriptionRedriveOutcome {
  /** Positions handled and released, in log order. */
  readonly delivered: readonly number[];
  /** Positions that stay parked, with their new reason. */
  readonly parked: readonly ParkedPosition[];
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
 *
 * With `parking`, a handler that throws no longer stops it: a batch that fails
 * `parkAfterAttempts` times is handed over one event at a time, each event that still fails is
 * parked with its error, later events of its stream are parked behind it (each stream keeps its
 * order), and the rest of the log flows on. `redrive` delivers the parked positions again once
 * the cause is fixed.
 */
export class GlobalLogSubscription {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly parkAfterAttempts: number;

  constructor(private readonly options: GlobalLogSubscriptionOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.parkAfterAttempts = options.parkAfterAttempts ?? 2;
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
      if (events.length > 0) await this.deliver(events);
      if (next > position) {
        await this.options.checkpoint.save(next);
        position = next;
      }
      if (events.length < this.batchSize) return position;
    }
  }

  /** The positions it parked, in log order. */
  parked(): Promise<ParkedPosition[]> {
    return this.requireParking().list();
  }

  /**
   * Delivers every parked position again, in log order, as one batch (one event at a time if
   * that fails): those handled are released, those that fail again stay parked with the new
   * reason. Positions parked while it runs wait for the next redrive.
   */
  async redrive(): Promise<SubscriptionRedriveOutcome> {
    const parking = this.requireParking();
    const records = await this.parked();
    const events: LoggedEvent[] = [];
    for (const { position } of records) {
      const { events: read } = await this.options.reader.read({ after: position - 1, limit: 1 });
      events.push(...read);
    }
    const parked = await this.handleOrIsolate(events, new Map());
    const stillParked = new Set(parked.map((record) => record.position));
    const delivered = events
      .map((logged) => logged.position)
      .filter((position) => !stillParked.has(position));
    await parking.park(parked);
    await parking.release(delivered);
    return { delivered, parked };
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

  /** Hands a batch over; with parking, sets aside what keeps failing and what waits behind it. */
  private async deliver(events: readonly LoggedEvent[]): Promise<void> {
    const { parking } = this.options;
    if (!parking) return this.options.handle(events);
    const blocked = new Map<string, number>();
    for (const record of await parking.list()) {
      if (!blocked.has(record.streamId)) blocked.set(record.streamId, record.position);
    }
    await parking.park(await this.handleOrIsolate(events, blocked));
  }

  /**
   * Handles the events of streams not in `blocked`, as one batch up to `parkAfterAttempts`
   * times, then one at a time. Returns the records of what must be parked: the events that
   * failed alone, and those of a stream with an earlier failed or parked event.
   */
  private async handleOrIsolate(
    events: readonly LoggedEvent[],
    blocked: Map<string, number>,
  ): Promise<ParkedPosition[]> {
    const queued = events
      .filter(({ event }) => blocked.has(event.streamId))
      .map((logged) => queuedPosition(logged, blocked.get(logged.event.streamId)!));
    const free = events.filter(({ event }) => !blocked.has(event.streamId));
    if (free.length === 0 || (await this.handles(free))) return queued;
    const parked: ParkedPosition[] = [];
    for (const logged of free) {
      const behind = blocked.get(logged.event.streamId);
      if (behind !== undefined) {
        parked.push(queuedPosition(logged, behind));
        continue;
      }
      try {
        await this.options.handle([logged]);
      } catch (error) {
        parked.push(failedPosition(logged, error as Error));
        blocked.set(logged.event.streamId, logged.position);
      }
    }
    return [...queued, ...parked].sort((a, b) => a.position - b.position);
  }

  /** Whether the batch was handled within `parkAfterAttempts` deliveries. */
  private async handles(events: readonly LoggedEvent[]): Promise<boolean> {
    for (let attempt = 1; attempt <= this.parkAfterAttempts; attempt++) {
      try {
        await this.options.handle(events);
        return true;
      } catch {
        // Handed over again, then one event at a time: each failure is recorded there.
      }
    }
    return false;
  }

  private requireParking(): SubscriptionParking {
    if (!this.options.parking) {
      throw new SubscriptionWithoutParkingError();
    }
    return this.options.parking;
  }
}

/** `redrive` of a subscription that parks nothing. */
export class SubscriptionWithoutParkingError extends EventSourcingError {
  readonly code = 'SubscriptionWithoutParking';
  constructor() {
    super('This subscription has no parking: give it `parking` to park and redrive events');
    this.name = 'SubscriptionWithoutParkingError';
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

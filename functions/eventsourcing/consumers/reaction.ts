import { EventSourcingError } from '../errors.js';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RecordedEvent } from '../types.js';
import { batchGetAll } from './batch-get.js';
import {
  ConsumerRuntime,
  type ConsumerRuntimeOptions,
  type ConsumerTables,
} from './consumer-runtime.js';
import { isTransientError } from './transient-errors.js';
import {
  contiguousEvents,
  type EventToApply,
  type GuardedTarget,
  type ReadFromStore,
  type StreamApplyResult,
  type StreamFailure,
} from './version-guard.js';
import { isConditionalCheckFailed } from '../conditional-writes.js';
import { inEventContext } from './event-context.js';

/**
 * A stream consumer that acts on events rather than keeping a read model: a process manager
 * (saga) issuing commands, a publisher of integration events, an indexer.
 */
export interface Reaction<Event extends RecordedEvent = RecordedEvent> {
  /** Stable name: part of the version guard's key, metrics and parked-stream records. */
  readonly name: string;
  /** Event types it acts on; it never receives any other. */
  readonly handles: readonly Event['type'][];
  /**
   * Acts on events of one stream, oldest first, each of a type it handles and decoded by the
   * host. It runs at least once per event (a failure, a timeout or a redrive repeat it), so
   * what it does must be safe to repeat. Throwing fails the call: the events are delivered
   * again and, failing again, the stream is parked for this reaction alone. Throw
   * `ReactionFailedAt` to say that the events before one of them are done.
   */
  react(events: readonly Event[]): Promise<void>;
}

/** Thrown by `react`: the events before `event` are done, `event` failed with `cause`. */
export class ReactionFailedAt extends EventSourcingError {
  readonly code = 'ReactionFailed';
  constructor(
    readonly event: RecordedEvent,
    override readonly cause: unknown,
  ) {
    super((cause as Error).message);
    this.name = 'ReactionFailedAt';
  }
}

export const isReaction = (consumer: object): consumer is Reaction => 'react' in consumer;

const MAX_CONFLICT_RESTARTS = 10;

/** The guard moved under us (another process, a redrive): re-read it and carry on from there. */
class GuardMoved extends Error {}

/** Where a stream stands while applying: the guard's version, and the events reacted to. */
interface Progress {
  current: number;
  readonly applied: RecordedEvent[];
}

const resultOf = ({ current, applied }: Progress) => ({ appliedVersion: current, applied });

/**
 * A reaction's version guard: one item per (stream, reaction) in the reaction-positions table,
 * keyed by stream first so writes spread over partitions. It moves only after `react`
 * succeeded, conditional on where it was, and only for handled events: a stream the reaction
 * ignores costs it nothing.
 */
export class ReactionWriter implements GuardedTarget {
  private readonly handles: ReadonlySet<string>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly reaction: Reaction,
  ) {
    this.handles = new Set(reaction.handles);
  }

  private readonly isHandled = ({ event }: EventToApply) => this.handles.has(event.type);

  async appliedVersions(streamIds: readonly string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>(streamIds.map((id) => [id, 0]));
    const keys = streamIds.map((streamId) => ({ streamId, consumer: this.reaction.name }));
    for (const item of await batchGetAll(this.doc, this.tableName, keys, 'streamId, version')) {
      versions.set(item.streamId as string, item.version as number);
    }
    return versions;
  }

  async apply(
    streamId: string,
    delivered: readonly EventToApply[],
    appliedVersion: number,
    readFromStore: ReadFromStore,
  ): Promise<StreamApplyResult> {
    const progress: Progress = { current: appliedVersion, applied: [] };
    for (let restarts = 0; ; restarts++) {
      const { events, gap } = await contiguousEvents(
        { streamId, handles: this.handles, readFromStore },
        delivered,
        progress.current,
      );
      const undecodable = events.findIndex((apply) => apply.error && this.isHandled(apply));
      const ready = undecodable === -1 ? events : events.slice(0, undecodable);
      const end = await this.applyReady(streamId, ready, progress, restarts);
      if (end === 'restart') {
        progress.current = (await this.appliedVersions([streamId])).get(streamId) ?? 0;
        continue;
      }
      if (end) return end;
      const failure =
        undecodable === -1
          ? gap
          : failureAt(events[undecodable]!.event, events[undecodable]!.error!);
      return { ...resultOf(progress), ...(failure ? { failure } : {}) };
    }
  }

  /**
   * Reacts to the handled events of `ready` and moves the guard past those done: a result when
   * the stream stops here (a failure), `restart` when the guard moved under us, `undefined` to
   * go on.
   */
  private async applyReady(
    streamId: string,
    ready: readonly EventToApply[],
    progress: Progress,
    restarts: number,
  ): Promise<StreamApplyResult | 'restart' | undefined> {
    const handled = ready.filter(this.isHandled);
    if (handled.length === 0) return undefined;
    const { failure, doneBefore } = await this.react(handled);
    const done = ready.filter(({ event }) => event.version < doneBefore);
    if (done.length > 0) {
      const to = done.at(-1)!.event.version;
      if (!(await this.moveGuard(streamId, progress.current, to))) {
        if (restarts < MAX_CONFLICT_RESTARTS) return 'restart';
        return { ...resultOf(progress), failure: failureAt(handled[0]!.event, new GuardMoved()) };
      }
      progress.applied.push(...done.filter(this.isHandled).map(({ event }) => event));
      progress.current = to;
    }
    return failure ? { ...resultOf(progress), failure } : undefined;
  }

  /**
   * Hands the events to the reaction. Events below `doneBefore` are done: all of them, those
   * before the one a `ReactionFailedAt` names, or none when it failed otherwise.
   */
  private async react(
    handled: readonly EventToApply[],
  ): Promise<{ readonly failure?: StreamFailure; readonly doneBefore: number }> {
    try {
      // The last event is what the reaction acts on now: its request is the one to follow.
      await inEventContext(this.reaction.name, handled.at(-1)!.event, () =>
        this.reaction.react(handled.map(({ event }) => event)),
      );
      return { doneBefore: Infinity };
    } catch (error) {
      if (error instanceof ReactionFailedAt) {
        return { failure: failureAt(error.event, error.cause), doneBefore: error.event.version };
      }
      return { failure: failureAt(handled[0]!.event, error), doneBefore: 0 };
    }
  }

  /** Moves the guard from `from` to `to`; false when it was not at `from` any more. */
  private async moveGuard(streamId: string, from: number, to: number): Promise<boolean> {
    try {
      await this.advance(streamId, from, to);
      return true;
    } catch (error) {
      if (error instanceof GuardMoved) return false;
      throw error;
    }
  }

  private async advance(streamId: string, from: number, to: number): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { streamId, consumer: this.reaction.name },
          UpdateExpression: 'SET #version = :to, reactedAt = :now',
          ConditionExpression: from === 0 ? 'attribute_not_exists(#version)' : '#version = :from',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':to': to,
            ':now': new Date().toISOString(),
            ...(from === 0 ? {} : { ':from': from }),
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new GuardMoved();
      throw error;
    }
  }
}

function failureAt(event: RecordedEvent, error: unknown): StreamFailure {
  return {
    kind: isTransientError(error) ? 'transient' : 'poison',
    version: event.version,
    eventId: event.eventId,
    eventType: event.type,
    error: error as Error,
  };
}

export interface ReactionTables extends ConsumerTables {
  readonly reactionPositions: string;
}

export interface ReactionRuntimeOptions extends ConsumerRuntimeOptions {
  readonly tables: ReactionTables;
}

/** A reaction at run time: its guard, parking and redrive (see `ConsumerRuntime`). */
export class ReactionRuntime extends ConsumerRuntime {
  readonly kind = 'reaction';
  readonly writer: ReactionWriter;

  constructor(
    readonly reaction: Reaction,
    override readonly options: ReactionRuntimeOptions,
  ) {
    super(reaction.name, reaction.handles, options);
    this.writer = new ReactionWriter(this.doc, options.tables.reactionPositions, reaction);
  }

  targets(): Promise<readonly GuardedTarget[]> {
    return Promise.resolve([this.writer]);
  }
}

import type { Projection, ReadModelItem, ReadModelWrite } from '../projection.js';
import type { RecordedEvent } from '../types.js';
import { isTransientError } from '../consumers/transient-errors.js';
import {
  contiguousEvents,
  type EventToApply,
  type GuardedTarget,
  type ReadFromStore,
  type StreamApplyResult,
  type StreamFailure,
} from '../consumers/version-guard.js';
import { GenerationKeys, appliedVersionKey } from './read-model-keys.js';
import { normaliseEventWrites } from './pending-writes.js';
import { CommitGroup, PendingUpdateRead, type StreamRange } from './commit-group.js';
import { isConditionFailure } from '../conditional-writes.js';
import type { CoalescedRequests } from './coalesced-requests.js';

const MAX_CONFLICT_RESTARTS = 10;

/** The applied version moved under us (another writer): re-read it and carry on from there. */
class AppliedVersionMoved extends Error {}

class CommitFailed extends Error {
  constructor(
    override readonly cause: unknown,
    readonly events: readonly RecordedEvent[],
  ) {
    super((cause as Error).message);
  }
}

/**
 * Applies events of one stream to one generation of a projection's read model. The read-model
 * writes of consecutive events and the advance of the stream's applied version commit in ONE
 * conditional transaction (`applied version = first - 1`), so they can never come apart and a
 * redelivered event is never applied twice. Events of types the projection does not handle
 * cost no write: the applied version moves with the next commit of a handled event. Reads and
 * commits go through `requests`, which gathers those of streams running side by side.
 */
export class GenerationWriter implements GuardedTarget {
  readonly keys: GenerationKeys;
  private readonly handles: ReadonlySet<string>;

  constructor(
    private readonly requests: CoalescedRequests,
    private readonly tableName: string,
    private readonly projection: Projection,
    readonly generation: number,
  ) {
    this.keys = new GenerationKeys(projection.name, generation);
    this.handles = new Set(projection.handles);
  }

  /** Applied versions of many streams (0 for streams never applied), read consistently. */
  async appliedVersions(streamIds: readonly string[]): Promise<Map<string, number>> {
    const items = await Promise.all(
      streamIds.map((id) =>
        this.requests.get(
          this.tableName,
          appliedVersionKey(this.projection.name, this.generation, id),
        ),
      ),
    );
    return new Map(
      streamIds.map((id, index) => [id, (items[index]?.appliedVersion as number | undefined) ?? 0]),
    );
  }

  async appliedVersion(streamId: string): Promise<number> {
    return (await this.appliedVersions([streamId])).get(streamId) ?? 0;
  }

  /**
   * Applies `events` (one stream, ascending versions) from `appliedVersion + 1` on; events at or
   * below it are skipped, versions missing before a handled event are read from the store.
   * Stops at the first event that fails.
   */
  async apply(
    streamId: string,
    events: readonly EventToApply[],
    appliedVersion: number,
    readFromStore: ReadFromStore,
  ): Promise<StreamApplyResult> {
    const applied: RecordedEvent[] = [];
    let current = appliedVersion;
    let oneEventPerCommit = false;
    for (let restarts = 0; ; restarts++) {
      try {
        const failure = await this.applyFrom(streamId, events, current, {
          readFromStore,
          oneEventPerCommit,
          onCommit: (version, committed) => {
            applied.push(...committed);
            current = version;
          },
        });
        return { appliedVersion: current, applied, ...(failure ? { failure } : {}) };
      } catch (error) {
        const next = afterFailedRun(error, { restarts, oneEventPerCommit, current });
        if (next === 'restart') {
          current = await this.appliedVersion(streamId);
          continue;
        }
        if (next === 'one-event-per-commit') {
          oneEventPerCommit = true;
          continue;
        }
        return { appliedVersion: current, applied, failure: next };
      }
    }
  }

  private async applyFrom(
    streamId: string,
    delivered: readonly EventToApply[],
    appliedVersion: number,
    options: {
      readonly readFromStore: ReadFromStore;
      readonly oneEventPerCommit: boolean;
      readonly onCommit: (version: number, handled: readonly RecordedEvent[]) => void;
    },
  ): Promise<StreamFailure | undefined> {
    const { readFromStore, oneEventPerCommit, onCommit } = options;
    const { events, gap } = await contiguousEvents(
      { streamId, handles: this.handles, readFromStore },
      delivered,
      appliedVersion,
    );
    const group = new CommitGroup({
      streamId,
      appliedVersion,
      read: (key) => this.read(key),
      commit: (range, handled, writes) => this.commit(range, handled, writes),
      onCommit,
    });
    for (let index = 0; index < events.length;) {
      const next = events[index]!;
      if (!this.handles.has(next.event.type)) {
        group.skip(next.event);
        index++;
        continue;
      }
      const writes = await this.writesOf(next, group);
      if (writes === 'again') continue;
      if (!Array.isArray(writes)) return writes;
      if (!group.canTake(writes) || oneEventPerCommit) await group.flush();
      group.add(next.event, writes);
      index++;
    }
    await group.flush();
    return gap;
  }

  /**
   * The projection's writes for one handled event, checked; `again` when it read an item only
   * an update is pending for (the group is committed, so the event is applied again); the
   * failure when it cannot be projected (the group before it is committed).
   */
  private async writesOf(
    { event, error }: EventToApply,
    group: CommitGroup,
  ): Promise<ReadModelWrite[] | 'again' | StreamFailure> {
    try {
      if (error) throw error;
      const writes = normaliseEventWrites(await this.projection.apply(event, group.context));
      writes.forEach((write) => this.toTransactItem(write)); // validates keys before committing
      return writes;
    } catch (applyError) {
      await group.flush();
      if (applyError instanceof PendingUpdateRead) return 'again';
      return {
        kind: isTransientError(applyError) ? 'transient' : 'poison',
        version: event.version,
        eventId: event.eventId,
        eventType: event.type,
        error: applyError as Error,
      };
    }
  }

  /** Consistent read of one item of this generation, in the projection's own keys. */
  async read(key: { pk: string; sk: string }): Promise<ReadModelItem | undefined> {
    const item = await this.requests.get(this.tableName, this.keys.physical(key));
    return item ? this.keys.logical(item) : undefined;
  }

  /**
   * Commits the writes of `handled` events with the advance of the stream's applied version
   * over `range`, in one transaction conditional on where the version was.
   */
  private async commit(
    { streamId, fromVersion, toVersion }: StreamRange,
    handled: readonly RecordedEvent[],
    writes: readonly ReadModelWrite[],
  ): Promise<void> {
    const advance = {
      TableName: this.tableName,
      Key: appliedVersionKey(this.projection.name, this.generation, streamId),
      UpdateExpression: 'SET appliedVersion = :to, streamId = :streamId, appliedAt = :now',
      ConditionExpression:
        fromVersion === 0 ? 'attribute_not_exists(appliedVersion)' : 'appliedVersion = :from',
      ExpressionAttributeValues: {
        ':to': toVersion,
        ':streamId': streamId,
        ':now': new Date().toISOString(),
        ...(fromVersion === 0 ? {} : { ':from': fromVersion }),
      },
    };
    try {
      await this.requests.transact([
        ...writes.map((write) => this.toTransactItem(write)),
        { Update: advance },
      ]);
    } catch (error) {
      // The advance of the applied version is the last action.
      if (isConditionFailure(error, -1)) throw new AppliedVersionMoved();
      throw new CommitFailed(error, handled);
    }
  }

  private toTransactItem(write: ReadModelWrite) {
    if ('put' in write) {
      return {
        Put: {
          TableName: this.tableName,
          Item: { ...write.put, ...this.keys.physical(write.put) },
        },
      };
    }
    if ('delete' in write) {
      return { Delete: { TableName: this.tableName, Key: this.keys.physical(write.delete) } };
    }
    const { key, updateExpression, names, values } = write.update;
    return {
      Update: {
        TableName: this.tableName,
        Key: this.keys.physical(key),
        UpdateExpression: updateExpression,
        ...(names && Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(values && Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }
}

/**
 * What a run that threw leads to: read the applied version again (another writer moved it),
 * commit one event at a time (to find the one whose writes DynamoDB refuses), or stop with the
 * stream's failure.
 */
function afterFailedRun(
  error: unknown,
  run: { readonly restarts: number; readonly oneEventPerCommit: boolean; readonly current: number },
): 'restart' | 'one-event-per-commit' | StreamFailure {
  if (error instanceof AppliedVersionMoved) {
    if (run.restarts < MAX_CONFLICT_RESTARTS) return 'restart';
    return { kind: 'transient', version: run.current + 1, error };
  }
  if (!(error instanceof CommitFailed)) throw error;
  const transient = isTransientError(error.cause);
  if (!transient && error.events.length > 1 && !run.oneEventPerCommit) {
    return 'one-event-per-commit';
  }
  const first = error.events[0]!;
  return {
    kind: transient ? 'transient' : 'poison',
    version: first.version,
    eventId: first.eventId,
    eventType: first.type,
    error: error.cause as Error,
  };
}

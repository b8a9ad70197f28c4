/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type {
  Projection,
  ProjectionContext,
  ReadModelItem,
  ReadModelWrite,
} from '../projection.js';
import type { RecordedEvent } from '../types.js';
import { batchGetAll } from '../consumers/batch-get.js';
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
import { PendingWrites, keyId, normaliseEventWrites } from './pending-writes.js';
import { isConditionFailure } from '../conditional-writes.js';

const MAX_CONFLICT_RESTARTS = 10;

/** Raised from `context.get` when only an update of the item is pending: commit, then re-apply. */
class PendingUpdateRead extends Error {}

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
 * cost no write: the applied version moves with the next commit of a handled event.
 */
export class GenerationWriter implements GuardedTarget {
  readonly keys: GenerationKeys;
  private readonly handles: ReadonlySet<string>;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly projection: Projection,
    readonly generation: number,
  ) {
    this.keys = new GenerationKeys(projection.name, generation);
    this.handles = new Set(projection.handles);
  }

  /** Applied versions of many streams (0 for streams never applied), read consistently. */
  async appliedVersions(streamIds: readonly string[]): Promise<Map<string, number>> {
    const versions = new Map<string, number>(streamIds.map((id) => [id, 0]));
    const keys = streamIds.map((id) =>
      appliedVersionKey(this.projection.name, this.generation, id),
    );
    const streamOf = new Map(keys.map((key, index) => [key.pk, streamIds[index]!]));
    for (const item of await batchGetAll(this.doc, this.tableName, keys, 'pk, appliedVersion')) {
      versions.set(streamOf.get(item.pk as string)!, item.appliedVersion as number);
    }
    return versions;
  }

  async appliedVersion(streamId: string): Promise<number> {
    return (await this.appliedVersions([streamId])).get(streamId) ?? 0;
  }

  /**
   * Applies `events` (one stream, ascending versions) from `appliedVersion + 1` on; events at or
   * below it are skipped, versions missing before a handled event are read from the store.
   * Stops at the first event that fails.
   */
  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
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
        const failure = await this.applyFrom(streamId, events, current, readFromStore, {
          oneEventPerCommit,
          onCommit: (version, committed) => {
            applied.push(...committed);
            current = version;
          },
        });
        return { appliedVersion: current, applied, ...(failure ? { failure } : {}) };
      } catch (error) {
        if (error instanceof AppliedVersionMoved && restarts < MAX_CONFLICT_RESTARTS) {
          current = await this.appliedVersion(streamId);
          continue;
        }
        if (error instanceof AppliedVersionMoved) {
          return {
            appliedVersion: current,
            applied,
            failure: { kind: 'transient', version: current + 1, error },
          };
        }
        if (!(error instanceof CommitFailed)) throw error;
        const transient = isTransientError(error.cause);
        if (!transient && error.events.length > 1 && !oneEventPerCommit) {
          // Find the event whose writes DynamoDB refuses by committing one event at a time.
          oneEventPerCommit = true;
          continue;
        }
        const first = error.events[0]!;
        return {
          appliedVersion: current,
          applied,
          failure: {
            kind: transient ? 'transient' : 'poison',
            version: first.version,
            eventId: first.eventId,
            eventType: first.type,
            error: error.cause as Error,
          },
        };
      }
    }
  }

  // eslint-disable-next-line max-params -- predates the parameter cap; take an options object when next changed
  private async applyFrom(
    streamId: string,
    delivered: readonly EventToApply[],
    appliedVersion: number,
    readFromStore: ReadFromStore,
    options: {
      oneEventPerCommit: boolean;
      onCommit: (version: number, handled: readonly RecordedEvent[]) => void;
    },
  ): Promise<StreamFailure | undefined> {
    const { events, gap } = await contiguousEvents(
      { streamId, handles: this.handles, readFromStore },
      delivered,
      appliedVersion,
    );
    let group = new PendingWrites();
    // Items read while the group is built: the group's events see one state of each item, and
    // a projection reading the same item for every event costs one read per commit.
    let reads = new Map<string, ReadModelItem | undefined>();
    let handled: RecordedEvent[] = [];
    let lastVersion = appliedVersion;
    let committedVersion = appliedVersion;

    // Commits the group's writes with the advance to the last event it spans; a group holding
    // no handled event has nothing to write and waits for the next one.
    const flush = async () => {
      if (handled.length === 0) return;
      await this.commit(streamId, committedVersion, lastVersion, handled, group.all());
      committedVersion = lastVersion;
      options.onCommit(lastVersion, handled);
      group = new PendingWrites();
      reads = new Map();
      handled = [];
    };
    const context: ProjectionContext = {
      get: async (key) => {
        const pending = group.lookup(key);
        if (pending === 'unknown') throw new PendingUpdateRead();
        if (pending !== undefined) return pending ?? undefined;
        const id = keyId(key);
        if (!reads.has(id)) reads.set(id, await this.read(key));
        const item = reads.get(id);
        return item && structuredClone(item);
      },
    };

    for (let index = 0; index < events.length;) {
      const { event, error } = events[index]!;
      if (!this.handles.has(event.type)) {
        lastVersion = event.version;
        index++;
        continue;
      }
      let writes: ReadModelWrite[];
      try {
        if (error) throw error;
        writes = normaliseEventWrites(await this.projection.apply(event, context));
        writes.forEach((write) => this.toTransactItem(write)); // validates keys before committing
      } catch (applyError) {
        await flush();
        if (applyError instanceof PendingUpdateRead) continue;
        return {
          kind: isTransientError(applyError) ? 'transient' : 'poison',
          version: event.version,
          eventId: event.eventId,
          eventType: event.type,
          error: applyError as Error,
        };
      }
      if (!group.canTake(writes) || (options.oneEventPerCommit && handled.length > 0)) {
        await flush();
      }
      group.add(writes);
      handled.push(event);
      lastVersion = event.version;
      index++;
    }
    await flush();
    return gap;
  }

  /** Consistent read of one item of this generation, in the projection's own keys. */
  async read(key: { pk: string; sk: string }): Promise<ReadModelItem | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.keys.physical(key),
        ConsistentRead: true,
      }),
    );
    return Item ? this.keys.logical(Item) : undefined;
  }

  // eslint-disable-next-line max-params -- predates the parameter cap; take an options object when next changed
  private async commit(
    streamId: string,
    fromVersion: number,
    toVersion: number,
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
      if (writes.length === 0) {
        await this.doc.send(new UpdateCommand(advance));
      } else {
        await this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              ...writes.map((write) => this.toTransactItem(write)),
              { Update: advance },
            ],
          }),
        );
      }
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

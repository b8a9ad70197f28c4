/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
import { EventSourcingError } from '../errors.js';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type BatchWriteCommandInput,
  type BatchWriteCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../consumers/concurrency.js';
import { sleep } from '../retry.js';
import type { EventToApply } from '../consumers/version-guard.js';
import type { GlobalLogReader } from '../global-log/reader.js';
import {
  GlobalLogSubscription,
  SubscriptionStoppedError,
  type SubscriptionCheckpoint,
} from '../global-log/subscription.js';
import { saveGenerations, type GenerationState } from './generations.js';
import type { ProjectionRuntime } from './projection-runtime.js';
import { appliedPrefix, controlKey, generationPrefix } from './read-model-keys.js';

export interface RebuildProgress {
  readonly projection: string;
  readonly generation: number;
  readonly phase: 'replaying' | 'switching' | 'cleaning' | 'done';
  /** Events of the global log replayed so far (across restarts of the rebuild). */
  readonly done: number;
  /** Events in the global log when the rebuild started. */
  readonly total: number;
  readonly eventsPerSecond: number;
  /** Seconds left at the current rate, when it can be told. */
  readonly etaSeconds?: number;
}

export interface RebuildOptions {
  /** Events per read of the global log (default 500). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How often `onProgress` is called while replaying (default 1000 ms). */
  readonly progressIntervalMs?: number;
  /** Interrupts the rebuild between batches; running it again resumes where it stopped. */
  readonly signal?: AbortSignal;
  /**
   * How long after the rebuild started it keeps following the log before switching over
   * (default 120 s). A consumer batch that began before the new generation was registered
   * writes only the live one; such an event reaches the new one through the log, which must
   * have indexed it by then: so the wait must exceed the consumer function's timeout, and the
   * log's indexer must not lag more (its lag alarm fires at one minute).
   */
  readonly settleMs?: number;
  /**
   * Wait after the switch-over before deleting the replaced generation. A stream consumer's batch
   * that read the generations before the switch still writes the old generation until it ends,
   * so the wait must exceed the consumer function's timeout (and the readers' 1 s cache):
   * default 120 s, for consumers with timeouts up to 60 s plus margin.
   */
  readonly retireAfterMs?: number;
  /** Keep the replaced generation instead of deleting it. */
  readonly keepRetired?: boolean;
}

/** Longer than the stream consumers' function timeout: see `retireAfterMs` and `settleMs`. */
const RETIRE_AFTER_MS = 120_000;

export interface RebuildResult {
  readonly generation: number;
  readonly replaced: number;
  readonly events: number;
  readonly parkedStreams: readonly string[];
}

interface RebuildRecord {
  readonly generation: number;
  readonly total: number;
  readonly done: number;
  /** The log position replayed up to. */
  readonly position: number;
  readonly startedAt: string;
}

export class RebuildInterruptedError extends EventSourcingError {
  readonly code = 'RebuildInterrupted';
  constructor(readonly generation: number) {
    super(`Rebuild into generation ${generation} interrupted; run it again to resume`);
    this.name = 'RebuildInterruptedError';
  }
}

/** Another rebuild of the same projection started or switched over meanwhile; run it again. */
export class RebuildConflictError extends EventSourcingError {
  readonly code = 'RebuildConflict';
  constructor(
    readonly projection: string,
    reason: string,
  ) {
    super(`The rebuild of ${projection} lost to another one (${reason}); run it again`);
    this.name = 'RebuildConflictError';
  }
}

const PAGE_ATTEMPTS = 5;
const BATCH_WRITE_LIMIT = 25;

/**
 * Re-runs a projection over the global log, in the order events happened, into a new
 * generation of its read model while the live generation keeps serving, then switches over.
 *
 * Why nothing is missed: the new generation is registered as `building` before the replay
 * starts. From then on every stream consumer batch writes it too (filling gaps from the events
 * table); every event written before that moment is in the log the replay reads, once the
 * indexer has caught up with it, which is why the replay follows the log for `settleMs` after
 * the start before switching. Streams are applied with the same version guard, filling gaps
 * from the events table, so the replay and the consumers can meet on a stream without harm.
 * The switch-over is one conditional write of the generation state. The replayed position is
 * the rebuild's checkpoint, so an interrupted rebuild resumes.
 */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
export async function rebuildProjection(
  runtime: ProjectionRuntime,
  log: GlobalLogReader,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { record, state } = await startOrResume(runtime, log);
  const started = Date.now();
  const doneAtStart = record.done;
  let done = record.done;
  let replayEnded: number | undefined;
  const progress = (phase: RebuildProgress['phase']): RebuildProgress => {
    // The rate is the replay's: switching and cleaning do not slow it down after the fact.
    const end = phase === 'replaying' ? Date.now() : (replayEnded ??= Date.now());
    const seconds = (end - started) / 1000;
    const eventsPerSecond = seconds > 0 ? (done - doneAtStart) / seconds : 0;
    return {
      projection: runtime.name,
      generation: record.generation,
      phase,
      done,
      total: Math.max(record.total, done),
      eventsPerSecond,
      ...(eventsPerSecond > 0
        ? { etaSeconds: Math.max(0, record.total - done) / eventsPerSecond }
        : {}),
    };
  };
  const timer = setInterval(
    () => options.onProgress?.(progress('replaying')),
    options.progressIntervalMs ?? 1000,
  );
  const parked = new Set<string>();
  const writer = runtime.writer(record.generation);
  const replay = new GlobalLogSubscription({
    reader: log,
    checkpoint: new RebuildCheckpoint(runtime, record.position, () => done),
    batchSize: options.batchSize ?? 500,
    handle: async (events) => {
      const byStream = new Map<string, EventToApply[]>();
      const taken = await runtime.toApplyEach(events.map(({ event }) => event));
      for (const toApply of taken) {
        const stream = byStream.get(toApply.event.streamId) ?? [];
        stream.push(toApply);
        byStream.set(toApply.event.streamId, stream);
      }
      await applyPage(runtime, writer, byStream, (streamId) => parked.add(streamId));
      done += events.length;
    },
  });
  const settledAt = Date.parse(record.startedAt) + (options.settleMs ?? RETIRE_AFTER_MS);
  try {
    for (;;) {
      const settled = Date.now() >= settledAt;
      await replay.catchUp(options.signal);
      if (settled) break;
      await sleep(Math.min(1000, settledAt - Date.now()));
    }
  } catch (error) {
    if (error instanceof SubscriptionStoppedError) {
      throw new RebuildInterruptedError(record.generation);
    }
    throw error;
  } finally {
    clearInterval(timer);
  }

  options.onProgress?.(progress('switching'));
  const replaced = await switchOver(runtime, record.generation, state);
  if (!options.keepRetired) {
    options.onProgress?.(progress('cleaning'));
    await sleep(options.retireAfterMs ?? RETIRE_AFTER_MS);
    await removeRetiredGenerations(runtime);
  }
  options.onProgress?.(progress('done'));
  return { generation: record.generation, replaced, events: done, parkedStreams: [...parked] };
}

/** The replayed position and the count of events done, kept in the rebuild record. */
class RebuildCheckpoint implements SubscriptionCheckpoint {
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

async function startOrResume(
  runtime: ProjectionRuntime,
  log: GlobalLogReader,
): Promise<{ record: RebuildRecord; state: GenerationState }> {
  const table = runtime.options.tables.readModel;
  const state = await runtime.generations();
  if (state.building !== undefined) {
    const saved = await readRebuildRecord(runtime);
    if (saved?.generation === state.building) return { record: saved, state };
    const record = await saveNewRecord(runtime, state.building, log);
    return { record, state };
  }
  const generation = state.latest + 1;
  const record = await saveNewRecord(runtime, generation, log);
  const registered = await saveGenerations(runtime.doc, table, runtime.name, state, {
    ...state,
    building: generation,
    latest: generation,
  });
  if (!registered) {
    throw new RebuildConflictError(runtime.name, 'its generations changed meanwhile');
  }
  return { record, state: registered };
}

async function readRebuildRecord(runtime: ProjectionRuntime): Promise<RebuildRecord | undefined> {
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

async function saveNewRecord(
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

/** Applies one batch of the log, stream by stream; poison parks the stream, transient errors retry. */
async function applyPage(
  runtime: ProjectionRuntime,
  writer: ReturnType<ProjectionRuntime['writer']>,
  byStream: Map<string, EventToApply[]>,
  onParked: (streamId: string) => void,
): Promise<void> {
  let streamIds = [...byStream.keys()].filter((streamId) =>
    byStream.get(streamId)!.some(({ event }) => runtime.handles.has(event.type)),
  );
  for (let attempt = 1; streamIds.length > 0; attempt++) {
    const applied = await writer.appliedVersions(streamIds);
    const retry: string[] = [];
    await mapConcurrently(streamIds, runtime.concurrency, async (streamId) => {
      const events = byStream.get(streamId)!.sort((a, b) => a.event.version - b.event.version);
      const result = await writer.apply(
        streamId,
        events,
        applied.get(streamId) ?? 0,
        runtime.readFromStore,
      );
      if (!result.failure) return;
      if (result.failure.kind === 'transient' && attempt < PAGE_ATTEMPTS) {
        retry.push(streamId);
        return;
      }
      const previous = await runtime.parking.get(runtime.name, streamId);
      await runtime.parking.recordFailure(
        { consumer: runtime.name, streamId, previous },
        result.failure,
        { parkAfterAttempts: 1, queuedUpTo: events.at(-1)!.event.version },
      );
      onParked(streamId);
    });
    streamIds = retry;
    if (retry.length > 0) await sleep(100 * 2 ** attempt);
  }
}

async function switchOver(
  runtime: ProjectionRuntime,
  generation: number,
  registered: GenerationState,
): Promise<number> {
  let state = registered;
  for (;;) {
    if (state.building !== generation) {
      throw new RebuildConflictError(
        runtime.name,
        `generation ${generation} is no longer being built`,
      );
    }
    const saved = await saveGenerations(
      runtime.doc,
      runtime.options.tables.readModel,
      runtime.name,
      state,
      {
        active: generation,
        retired: [...state.retired, state.active],
        latest: state.latest,
      },
    );
    if (saved) break;
    state = await runtime.generations();
  }
  await runtime.doc.send(
    new DeleteCommand({
      TableName: runtime.options.tables.readModel,
      Key: controlKey(runtime.name, 'rebuild'),
    }),
  );
  return state.active;
}

/** Deletes the items and bookkeeping of generations replaced by a switch-over. */
export async function removeRetiredGenerations(runtime: ProjectionRuntime): Promise<number> {
  const table = runtime.options.tables.readModel;
  let state = await runtime.generations();
  let removed = 0;
  for (const generation of state.retired) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await runtime.doc.send(
        new ScanCommand({
          TableName: table,
          ProjectionExpression: 'pk, sk',
          FilterExpression: 'begins_with(pk, :items) OR begins_with(pk, :applied)',
          ExpressionAttributeValues: {
            ':items': generationPrefix(runtime.name, generation),
            ':applied': appliedPrefix(runtime.name, generation),
          },
          ExclusiveStartKey: startKey,
        }),
      );
      const keys = page.Items ?? [];
      for (let start = 0; start < keys.length; start += BATCH_WRITE_LIMIT) {
        let requests: BatchWriteCommandInput['RequestItems'] = {
          [table]: keys
            .slice(start, start + BATCH_WRITE_LIMIT)
            .map((key) => ({ DeleteRequest: { Key: key } })),
        };
        // eslint-disable-next-line max-depth -- predates the nesting cap; extract the inner loop when next changed
        while (requests && Object.keys(requests).length > 0) {
          const result: BatchWriteCommandOutput = await runtime.doc.send(
            new BatchWriteCommand({ RequestItems: requests }),
          );
          requests = result.UnprocessedItems;
        }
      }
      removed += keys.length;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    for (;;) {
      const saved = await saveGenerations(runtime.doc, table, runtime.name, state, {
        ...state,
        retired: state.retired.filter((retired) => retired !== generation),
      });
      if (saved) {
        state = saved;
        break;
      }
      state = await runtime.generations();
    }
  }
  return removed;
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

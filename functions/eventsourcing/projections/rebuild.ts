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
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ScanCommand as RawScanCommand } from '@aws-sdk/client-dynamodb';
import { eventFromItem } from '../event-items';
import { mapConcurrently } from '../consumers/concurrency';
import type { EventToApply } from '../consumers/version-guard';
import { saveGenerations, type GenerationState } from './generations';
import type { ProjectionRuntime } from './projection-runtime';
import { appliedPrefix, controlKey, generationPrefix } from './read-model-keys';

export interface RebuildProgress {
  readonly projection: string;
  readonly generation: number;
  readonly phase: 'scanning' | 'switching' | 'cleaning' | 'done';
  /** Events of the events table handled so far (across restarts of the rebuild). */
  readonly done: number;
  /** Events in the table when the rebuild started. */
  readonly total: number;
  readonly eventsPerSecond: number;
  /** Seconds left at the current rate, when it can be told. */
  readonly etaSeconds?: number;
}

export interface RebuildOptions {
  /** Parallel scan segments of the events table (default 4). */
  readonly segments?: number;
  /** Items per scan page (default 500). */
  readonly pageSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How often `onProgress` is called while scanning (default 1000 ms). */
  readonly progressIntervalMs?: number;
  /** Interrupts the rebuild between pages; running it again resumes where it stopped. */
  readonly signal?: AbortSignal;
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

/** Longer than the stream consumers' function timeout: see `retireAfterMs`. */
const RETIRE_AFTER_MS = 120_000;

export interface RebuildResult {
  readonly generation: number;
  readonly replaced: number;
  readonly events: number;
  readonly parkedStreams: readonly string[];
}

interface SegmentPosition {
  readonly lastKey?: Record<string, AttributeValue>;
  readonly finished?: boolean;
}

interface RebuildRecord {
  readonly generation: number;
  readonly total: number;
  readonly done: number;
  readonly segments: SegmentPosition[];
  readonly startedAt: string;
}

export class RebuildInterruptedError extends Error {
  constructor(readonly generation: number) {
    super(`Rebuild into generation ${generation} interrupted; run it again to resume`);
    this.name = 'RebuildInterruptedError';
  }
}

const PAGE_ATTEMPTS = 5;
const BATCH_WRITE_LIMIT = 25;

/**
 * Re-runs a projection over the whole events table into a new generation of its read model
 * while the live generation keeps serving, then switches over.
 *
 * Why nothing is missed: the new generation is registered as `building` before the scan
 * starts. From then on every stream consumer batch writes it too (filling gaps from the events
 * table), and every event written before that moment is in the table the scan reads. The scan
 * applies each stream in version order with the same version guard, filling gaps from the table,
 * so both writers can meet on a stream without harm. When the scan ends the new generation is
 * as current as the live one; the switch-over is one conditional write of the generation
 * state. Progress is checkpointed per scan segment, so an interrupted rebuild resumes.
 */
export async function rebuildProjection(
  runtime: ProjectionRuntime,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const segments = options.segments ?? 4;
  const { record, state } = await startOrResume(runtime, segments);
  const started = Date.now();
  const doneAtStart = record.done;
  let done = record.done;
  let scanEnded: number | undefined;
  const progress = (phase: RebuildProgress['phase']): RebuildProgress => {
    // The rate is the scan's: switching and cleaning do not slow it down after the fact.
    const end = phase === 'scanning' ? Date.now() : (scanEnded ??= Date.now());
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
    () => options.onProgress?.(progress('scanning')),
    options.progressIntervalMs ?? 1000,
  );
  const parked = new Set<string>();
  try {
    await Promise.all(
      record.segments.map(async (position, segment) => {
        if (position.finished) return;
        await scanSegment(runtime, record.generation, {
          segment,
          segments: record.segments.length,
          startKey: position.lastKey,
          pageSize: options.pageSize ?? 500,
          ...(options.signal ? { signal: options.signal } : {}),
          onPage: (count) => {
            done += count;
          },
          onParked: (streamId) => parked.add(streamId),
        });
      }),
    );
  } finally {
    clearInterval(timer);
  }

  options.onProgress?.(progress('switching'));
  const replaced = await switchOver(runtime, record.generation, state);
  if (!options.keepRetired) {
    options.onProgress?.(progress('cleaning'));
    await new Promise((resolve) => setTimeout(resolve, options.retireAfterMs ?? RETIRE_AFTER_MS));
    await removeRetiredGenerations(runtime);
  }
  options.onProgress?.(progress('done'));
  return { generation: record.generation, replaced, events: done, parkedStreams: [...parked] };
}

async function startOrResume(
  runtime: ProjectionRuntime,
  segments: number,
): Promise<{ record: RebuildRecord; state: GenerationState }> {
  const table = runtime.options.tables.readModel;
  const state = await runtime.generations();
  if (state.building !== undefined) {
    const saved = await readRebuildRecord(runtime);
    if (saved?.generation === state.building) return { record: saved, state };
    const record = await saveNewRecord(runtime, state.building, segments);
    return { record, state };
  }
  const generation = state.latest + 1;
  const record = await saveNewRecord(runtime, generation, segments);
  const registered = await saveGenerations(runtime.doc, table, runtime.name, state, {
    ...state,
    building: generation,
    latest: generation,
  });
  if (!registered) {
    throw new Error(`The generations of ${runtime.name} changed meanwhile; run the rebuild again`);
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
  return Item as RebuildRecord | undefined;
}

async function saveNewRecord(
  runtime: ProjectionRuntime,
  generation: number,
  segments: number,
): Promise<RebuildRecord> {
  const record: RebuildRecord = {
    generation,
    total: await countEvents(runtime, segments),
    done: 0,
    segments: Array.from({ length: segments }, () => ({})),
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

async function countEvents(runtime: ProjectionRuntime, segments: number): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: segments }, async (_, segment) => {
      let count = 0;
      let startKey: Record<string, AttributeValue> | undefined;
      do {
        const page = await runtime.options.client.send(
          new RawScanCommand({
            TableName: runtime.options.tables.events,
            Select: 'COUNT',
            Segment: segment,
            TotalSegments: segments,
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return count;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

async function scanSegment(
  runtime: ProjectionRuntime,
  generation: number,
  scan: {
    segment: number;
    segments: number;
    startKey: Record<string, AttributeValue> | undefined;
    pageSize: number;
    signal?: AbortSignal;
    onPage: (count: number) => void;
    onParked: (streamId: string) => void;
  },
): Promise<void> {
  const writer = runtime.writer(generation);
  let startKey = scan.startKey;
  do {
    if (scan.signal?.aborted) throw new RebuildInterruptedError(generation);
    const page = await runtime.options.client.send(
      new RawScanCommand({
        TableName: runtime.options.tables.events,
        Segment: scan.segment,
        TotalSegments: scan.segments,
        ExclusiveStartKey: startKey,
        Limit: scan.pageSize,
        ConsistentRead: true,
      }),
    );
    const byStream = new Map<string, EventToApply[]>();
    for (const item of page.Items ?? []) {
      const applicable = runtime.toApply(eventFromItem(item));
      const events = byStream.get(applicable.event.streamId) ?? [];
      events.push(applicable);
      byStream.set(applicable.event.streamId, events);
    }
    await applyPage(runtime, writer, byStream, scan.onParked);
    startKey = page.LastEvaluatedKey;
    await runtime.doc.send(
      new UpdateCommand({
        TableName: runtime.options.tables.readModel,
        Key: controlKey(runtime.name, 'rebuild'),
        UpdateExpression: `SET #segments[${scan.segment}] = :position ADD #done :count`,
        ExpressionAttributeNames: { '#segments': 'segments', '#done': 'done' },
        ExpressionAttributeValues: {
          ':position': startKey ? { lastKey: startKey } : { finished: true },
          ':count': page.Items?.length ?? 0,
        },
      }),
    );
    scan.onPage(page.Items?.length ?? 0);
  } while (startKey);
}

/**
 * Applies one scan page, stream by stream; poison parks the stream, transient errors retry.
 * Streams without an event the projection handles cost nothing, not even a read.
 */
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
      await runtime.parking.recordFailure(runtime.name, streamId, result.failure, previous, {
        parkAfterAttempts: 1,
        queuedUpTo: events.at(-1)!.event.version,
      });
      onParked(streamId);
    });
    streamIds = retry;
    if (retry.length > 0) await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
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
      throw new Error(`Generation ${generation} of ${runtime.name} is no longer being built`);
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
  readonly segments: number;
  readonly segmentsFinished: number;
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
    segments: record.segments.length,
    segmentsFinished: record.segments.filter((segment) => segment.finished).length,
  };
}

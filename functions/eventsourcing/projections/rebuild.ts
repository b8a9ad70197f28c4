import { EventSourcingError } from '../errors.js';
import { mapConcurrently } from '../consumers/concurrency.js';
import { sleep } from '../retry.js';
import type { EventToApply } from '../consumers/version-guard.js';
import type { GlobalLogReader, LoggedEvent } from '../global-log/reader.js';
import { GlobalLogSubscription, SubscriptionStoppedError } from '../global-log/subscription.js';
import { saveGenerations, type GenerationState } from './generations.js';
import type { ProjectionRuntime } from './projection-runtime.js';
import { RebuildConflictError, removeRetiredGenerations, switchOver } from './generation-switch.js';
import {
  RebuildCheckpoint,
  readRebuildRecord,
  saveNewRecord,
  type RebuildRecord,
} from './rebuild-record.js';

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

export class RebuildInterruptedError extends EventSourcingError {
  readonly code = 'RebuildInterrupted';
  constructor(readonly generation: number) {
    super(`Rebuild into generation ${generation} interrupted; run it again to resume`);
    this.name = 'RebuildInterruptedError';
  }
}

const PAGE_ATTEMPTS = 5;

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
export async function rebuildProjection(
  runtime: ProjectionRuntime,
  log: GlobalLogReader,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const { record, state } = await startOrResume(runtime, log);
  const progress = new ReplayProgress(runtime.name, record);
  const parked = await replay(runtime, log, { record, progress, options });
  options.onProgress?.(progress.at('switching'));
  const replaced = await switchOver(runtime, record.generation, state);
  if (!options.keepRetired) {
    options.onProgress?.(progress.at('cleaning'));
    await sleep(options.retireAfterMs ?? RETIRE_AFTER_MS);
    await removeRetiredGenerations(runtime);
  }
  options.onProgress?.(progress.at('done'));
  return {
    generation: record.generation,
    replaced,
    events: progress.done,
    parkedStreams: [...parked],
  };
}

/** Events replayed so far and the replay's rate, as reported to `onProgress`. */
class ReplayProgress {
  done: number;
  private readonly started = Date.now();
  private readonly doneAtStart: number;
  private replayEnded: number | undefined;

  constructor(
    private readonly projection: string,
    private readonly record: RebuildRecord,
  ) {
    this.done = record.done;
    this.doneAtStart = record.done;
  }

  at(phase: RebuildProgress['phase']): RebuildProgress {
    // The rate is the replay's: switching and cleaning do not slow it down after the fact.
    const end = phase === 'replaying' ? Date.now() : (this.replayEnded ??= Date.now());
    const seconds = (end - this.started) / 1000;
    const eventsPerSecond = seconds > 0 ? (this.done - this.doneAtStart) / seconds : 0;
    const { total, generation } = this.record;
    return {
      projection: this.projection,
      generation,
      phase,
      done: this.done,
      total: Math.max(total, this.done),
      eventsPerSecond,
      ...(eventsPerSecond > 0
        ? { etaSeconds: Math.max(0, total - this.done) / eventsPerSecond }
        : {}),
    };
  }
}

/**
 * Replays the log into the rebuilt generation from the record's position, following it until
 * `settleMs` after the rebuild started. Returns the streams parked on the way.
 */
async function replay(
  runtime: ProjectionRuntime,
  log: GlobalLogReader,
  run: { record: RebuildRecord; progress: ReplayProgress; options: RebuildOptions },
): Promise<Set<string>> {
  const { record, progress, options } = run;
  const timer = setInterval(
    () => options.onProgress?.(progress.at('replaying')),
    options.progressIntervalMs ?? 1000,
  );
  const parked = new Set<string>();
  const writer = runtime.writer(record.generation);
  const subscription = new GlobalLogSubscription({
    reader: log,
    checkpoint: new RebuildCheckpoint(runtime, record.position, () => progress.done),
    batchSize: options.batchSize ?? 500,
    handle: async (events) => {
      const byStream = await eventsByStream(runtime, events);
      await applyPage(runtime, writer, byStream, (streamId) => parked.add(streamId));
      progress.done += events.length;
    },
  });
  const settledAt = Date.parse(record.startedAt) + (options.settleMs ?? RETIRE_AFTER_MS);
  try {
    await followUntil(subscription, settledAt, options.signal);
  } catch (error) {
    if (error instanceof SubscriptionStoppedError) {
      throw new RebuildInterruptedError(record.generation);
    }
    throw error;
  } finally {
    clearInterval(timer);
  }
  return parked;
}

/** Catches up with the log again and again until a catch-up that began at `settledAt` or later. */
async function followUntil(
  subscription: GlobalLogSubscription,
  settledAt: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  for (;;) {
    const settled = Date.now() >= settledAt;
    await subscription.catchUp(signal);
    if (settled) return;
    await sleep(Math.min(1000, settledAt - Date.now()));
  }
}

/** A page of the log by stream, each event as the projection takes it (personal fields opened). */
async function eventsByStream(
  runtime: ProjectionRuntime,
  events: readonly LoggedEvent[],
): Promise<Map<string, EventToApply[]>> {
  const byStream = new Map<string, EventToApply[]>();
  for (const toApply of await runtime.toApplyEach(events.map(({ event }) => event))) {
    const stream = byStream.get(toApply.event.streamId) ?? [];
    stream.push(toApply);
    byStream.set(toApply.event.streamId, stream);
  }
  return byStream;
}

async function startOrResume(
  runtime: ProjectionRuntime,
  log: GlobalLogReader,
): Promise<{ record: RebuildRecord; state: GenerationState }> {
  const state = await runtime.generations();
  if (state.building !== undefined) {
    const saved = await readRebuildRecord(runtime);
    if (saved?.generation === state.building) return { record: saved, state };
    const record = await saveNewRecord(runtime, state.building, log);
    return { record, state };
  }
  const generation = state.latest + 1;
  const record = await saveNewRecord(runtime, generation, log);
  const registered = await saveGenerations(runtime.generationsItem, state, {
    ...state,
    building: generation,
    latest: generation,
  });
  if (!registered) {
    throw new RebuildConflictError(runtime.name, 'its generations changed meanwhile');
  }
  return { record, state: registered };
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

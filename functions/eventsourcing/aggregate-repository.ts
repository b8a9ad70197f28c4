import type { Decider } from './decider.js';
import type { EventStreamStore } from './event-stream-store.js';
import { isTombstone } from './tombstones.js';
import { InvalidEventError } from './errors.js';
import { logger as defaultLogger } from './logger.js';
import type { SnapshotStrategy } from './snapshot-strategies.js';
import type { Snapshot, SnapshotStore } from './snapshots.js';
import type { NewEvent, RecordedEvent } from './types.js';

export interface SnapshotSettings {
  readonly store: SnapshotStore;
  readonly strategy: SnapshotStrategy;
  /** Bump when the state's shape or `evolve` changes: older snapshots are then ignored. */
  readonly stateVersion: number;
  /** A snapshot write taking longer than this is abandoned (the command is unaffected). */
  readonly writeTimeoutMs?: number;
  /**
   * How many of the latest events a load reads beside the snapshot, in the same round trip
   * (default: the strategy's events between snapshots, else 50). A snapshot further behind
   * the head costs a second Query for the events in between.
   */
  readonly tailWindow?: number;
}

/** Latest events read beside the snapshot when the strategy does not say how many accumulate. */
const DEFAULT_TAIL_WINDOW = 50;
/** About what one 1 MB page holds of small events: more would be another round trip anyway. */
const MAX_TAIL_WINDOW = 1000;

/** Where a temporal load stops: at a version, or at the last event recorded at or before a time. */
export type LoadTarget = { readonly version: number } | { readonly at: Date };

export interface LoadedAggregate<State> {
  readonly streamId: string;
  readonly state: State;
  /** Version of the last event folded into `state` (0 for a stream with no events). */
  readonly version: number;
  /** `recordedAt` of that event. */
  readonly lastRecordedAt: string | undefined;
  /**
   * Id and metadata of that event when the load read it from the stream (not when the load
   * ended at the snapshot): what a process manager's next step is caused by.
   */
  readonly lastEvent: Pick<RecordedEvent, 'eventId' | 'metadata'> | undefined;
  /** The snapshot the load started from, if one was used. */
  readonly snapshot: Snapshot<State> | undefined;
  /** Events read from the events table after the snapshot. */
  readonly eventsRead: number;
  /**
   * The version of the stream's tombstone when it is closed: `state` is its last state, which
   * nothing may change any more.
   */
  readonly closed?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function checkTarget(target: LoadTarget | undefined): { toVersion?: number; at?: string } {
  if (!target) return {};
  if ('version' in target) {
    if (!(Number.isSafeInteger(target.version) && target.version >= 0)) {
      throw new InvalidEventError('version must be a non-negative integer', 'version');
    }
    return { toVersion: target.version };
  }
  const time = target.at.getTime();
  if (Number.isNaN(time)) throw new InvalidEventError('at must be a valid time', 'at');
  return { at: target.at.toISOString() };
}

/**
 * Loads deciders' state from a snapshot plus the tail of the stream, and takes snapshots. The
 * store's catalogue parses every event before `evolve` sees it.
 */
export class AggregateRepository<Command, State, Event extends NewEvent> {
  constructor(
    readonly store: EventStreamStore<Event & RecordedEvent>,
    readonly decider: Decider<Command, State, Event>,
    private readonly snapshots?: SnapshotSettings,
    private readonly log: Pick<typeof defaultLogger, 'warn'> = defaultLogger,
  ) {}

  /** Current state, or the state as of `target` (snapshots past the target are not used). */
  async load(streamId: string, target?: LoadTarget): Promise<LoadedAggregate<State>> {
    const { toVersion, at } = checkTarget(target);
    if (this.snapshots && !target) return this.loadLatest(streamId, this.snapshots);
    const snapshot = await this.usableSnapshot(streamId);
    const usable = snapshot && snapshot.version <= (toVersion ?? Infinity);
    const loaded = this.start(
      streamId,
      usable && !(at && snapshot.eventRecordedAt > at) ? snapshot : undefined,
    );
    if (toVersion !== undefined && loaded.version >= toVersion) return loaded;
    await this.foldStream(loaded, { fromVersion: loaded.version + 1, toVersion }, at);
    return loaded;
  }

  /**
   * `loaded` brought up to the stream's head: only the events appended after `loaded.version`
   * are read (one Query from there on) and folded onto the state it holds, and no snapshot is
   * read. What a command that lost a race decides again on: `evolve` is pure, so the state it
   * already held is as good as a fresh load up to that version.
   */
  async catchUp(loaded: LoadedAggregate<State>): Promise<LoadedAggregate<State>> {
    const caughtUp: Mutable<LoadedAggregate<State>> = { ...loaded };
    await this.foldStream(caughtUp, { fromVersion: loaded.version + 1 });
    return caughtUp;
  }

  /**
   * The current state in one round trip: the snapshot and the latest events are read side by
   * side. Only a snapshot further behind than the window (or none, on a longer stream) needs
   * the events in between, read next.
   */
  private async loadLatest(
    streamId: string,
    settings: SnapshotSettings,
  ): Promise<LoadedAggregate<State>> {
    const wanted =
      settings.tailWindow ?? settings.strategy.eventsBetweenSnapshots ?? DEFAULT_TAIL_WINDOW;
    const window = Math.max(1, Math.min(wanted, MAX_TAIL_WINDOW));
    const [snapshot, latest] = await Promise.all([
      this.usableSnapshot(streamId),
      // The table alone: what the window misses below it, archived or not, is read next.
      this.store.readLatest(streamId, window, { fromArchive: false }),
    ]);
    const loaded = this.start(streamId, snapshot);
    const oldest = latest[0]?.version ?? 1;
    if (oldest > loaded.version + 1) {
      await this.foldStream(loaded, { fromVersion: loaded.version + 1, toVersion: oldest - 1 });
    }
    if (oldest > loaded.version + 1) {
      // The events in between ended early (a transaction still committing): read on from there.
      await this.foldStream(loaded, { fromVersion: loaded.version + 1 });
      return loaded;
    }
    for (const event of latest) {
      if (event.version > loaded.version) this.fold(loaded, this.store.parse(event));
    }
    return loaded;
  }

  private start(
    streamId: string,
    snapshot: Snapshot<State> | undefined,
  ): Mutable<LoadedAggregate<State>> {
    return {
      streamId,
      state: snapshot?.state ?? this.decider.initialState,
      version: snapshot?.version ?? 0,
      lastRecordedAt: snapshot?.eventRecordedAt,
      lastEvent: undefined,
      snapshot,
      eventsRead: 0,
    };
  }

  private fold(loaded: Mutable<LoadedAggregate<State>>, event: Event & RecordedEvent): void {
    if (isTombstone(event)) loaded.closed = event.version;
    else loaded.state = this.decider.evolve(loaded.state, event);
    loaded.version = event.version;
    loaded.lastRecordedAt = event.recordedAt;
    loaded.lastEvent = { eventId: event.eventId, metadata: event.metadata };
    loaded.eventsRead += 1;
  }

  /** Folds the stream's events in `range`, stopping before the first recorded after `at`. */
  private async foldStream(
    loaded: Mutable<LoadedAggregate<State>>,
    range: { fromVersion: number; toVersion?: number | undefined },
    at?: string,
  ): Promise<void> {
    const options = range.toVersion === undefined ? { fromVersion: range.fromVersion } : range;
    for await (const event of this.store.iterate(loaded.streamId, options)) {
      if (at !== undefined && event.recordedAt > at) break;
      this.fold(loaded, event);
    }
  }

  /** Writes a snapshot of `loaded` when the strategy asks for one; never throws. */
  async maybeSnapshot(loaded: LoadedAggregate<State>, now = new Date()): Promise<void> {
    const settings = this.snapshots;
    if (!settings || !this.wantsSnapshot(settings.strategy, loaded, now)) return;
    try {
      await settings.store.save(
        {
          streamId: loaded.streamId,
          version: loaded.version,
          state: loaded.state,
          stateVersion: settings.stateVersion,
          takenAt: now.toISOString(),
          eventRecordedAt: loaded.lastRecordedAt!,
        },
        AbortSignal.timeout(settings.writeTimeoutMs ?? 1000),
      );
    } catch (error) {
      this.log.warn('Snapshot write failed; the command is unaffected', {
        streamId: loaded.streamId,
        version: loaded.version,
        error: error as Error,
      });
    }
  }

  private wantsSnapshot(
    strategy: SnapshotStrategy,
    loaded: LoadedAggregate<State>,
    now: Date,
  ): boolean {
    if (loaded.version === 0 || loaded.lastRecordedAt === undefined) return false;
    return strategy({
      version: loaded.version,
      snapshotVersion: loaded.snapshot?.version ?? 0,
      snapshotTakenAt: loaded.snapshot ? new Date(loaded.snapshot.takenAt) : undefined,
      now,
    });
  }

  /** The stream's snapshot when it is of the current state version; undefined on a read error. */
  private async usableSnapshot(streamId: string): Promise<Snapshot<State> | undefined> {
    if (!this.snapshots) return undefined;
    try {
      const snapshot = await this.snapshots.store.get<State>(streamId);
      return snapshot?.stateVersion === this.snapshots.stateVersion ? snapshot : undefined;
    } catch (error) {
      this.log.warn('Snapshot read failed; loading from events only', {
        streamId,
        error: error as Error,
      });
      return undefined;
    }
  }
}

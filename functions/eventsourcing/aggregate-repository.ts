import type { Decider } from './decider';
import type { EventStreamStore } from './event-stream-store';
import { InvalidEventError } from './errors';
import { logger as defaultLogger } from './logger';
import type { SnapshotStrategy } from './snapshot-strategies';
import type { Snapshot, SnapshotStore } from './snapshots';
import type { NewEvent, RecordedEvent } from './types';

export interface SnapshotSettings {
  readonly store: SnapshotStore;
  readonly strategy: SnapshotStrategy;
  /** Bump when the state's shape or `evolve` changes: older snapshots are then ignored. */
  readonly stateVersion: number;
  /** A snapshot write taking longer than this is abandoned (the command is unaffected). */
  readonly writeTimeoutMs?: number;
}

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
  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
  async load(streamId: string, target?: LoadTarget): Promise<LoadedAggregate<State>> {
    const toVersion = target && 'version' in target ? target.version : undefined;
    const at = target && 'at' in target ? target.at.toISOString() : undefined;
    if (toVersion !== undefined && !(Number.isSafeInteger(toVersion) && toVersion >= 0)) {
      throw new InvalidEventError('version must be a non-negative integer', 'version');
    }
    if (at !== undefined && Number.isNaN(Date.parse(at))) {
      throw new InvalidEventError('at must be a valid time', 'at');
    }
    const snapshot = await this.usableSnapshot(streamId, toVersion, at);
    let state = snapshot?.state ?? this.decider.initialState;
    let version = snapshot?.version ?? 0;
    let lastRecordedAt = snapshot?.eventRecordedAt;
    let lastEvent: LoadedAggregate<State>['lastEvent'];
    let eventsRead = 0;
    if (toVersion === undefined || version < toVersion) {
      for await (const event of this.store.iterate(streamId, {
        fromVersion: version + 1,
        ...(toVersion === undefined ? {} : { toVersion }),
      })) {
        if (at !== undefined && event.recordedAt > at) break;
        state = this.decider.evolve(state, event);
        version = event.version;
        lastRecordedAt = event.recordedAt;
        lastEvent = { eventId: event.eventId, metadata: event.metadata };
        eventsRead += 1;
      }
    }
    return { streamId, state, version, lastRecordedAt, lastEvent, snapshot, eventsRead };
  }

  /** Writes a snapshot of `loaded` when the strategy asks for one; never throws. */
  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
  async maybeSnapshot(loaded: LoadedAggregate<State>, now = new Date()): Promise<void> {
    const settings = this.snapshots;
    if (!settings || loaded.version === 0 || loaded.lastRecordedAt === undefined) return;
    const wanted = settings.strategy({
      version: loaded.version,
      snapshotVersion: loaded.snapshot?.version ?? 0,
      snapshotTakenAt: loaded.snapshot ? new Date(loaded.snapshot.takenAt) : undefined,
      now,
    });
    if (!wanted) return;
    try {
      await settings.store.save(
        {
          streamId: loaded.streamId,
          version: loaded.version,
          state: loaded.state,
          stateVersion: settings.stateVersion,
          takenAt: now.toISOString(),
          eventRecordedAt: loaded.lastRecordedAt,
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

  private async usableSnapshot(
    streamId: string,
    toVersion: number | undefined,
    at: string | undefined,
  ): Promise<Snapshot<State> | undefined> {
    if (!this.snapshots) return undefined;
    let snapshot: Snapshot<State> | undefined;
    try {
      snapshot = await this.snapshots.store.get<State>(streamId);
    } catch (error) {
      this.log.warn('Snapshot read failed; loading from events only', {
        streamId,
        error: error as Error,
      });
      return undefined;
    }
    if (!snapshot || snapshot.stateVersion !== this.snapshots.stateVersion) return undefined;
    if (toVersion !== undefined && snapshot.version > toVersion) return undefined;
    if (at !== undefined && snapshot.eventRecordedAt > at) return undefined;
    return snapshot;
  }
}

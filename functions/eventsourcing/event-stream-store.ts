import type { EventCatalogue } from './event-catalogue.js';
import type {
  AppendOptions,
  AppendResult,
  ReadOptions,
  StreamAppend,
} from './event-store-options.js';
import type { ConditionalPut } from './event-writes.js';
import type { NewEvent, RecordedEvent } from './types.js';

/**
 * What a store of append-only event streams promises, whichever storage holds them: the
 * DynamoDB `EventStore` and the `InMemoryEventStore` both keep it, and one contract test suite
 * proves it of both. Repositories and command handlers depend on this, not on a storage.
 */
export interface EventStreamStore<Event extends RecordedEvent = RecordedEvent> {
  /** How events are checked on append and parsed on read; without one the store only reads. */
  readonly catalogue: EventCatalogue<Event> | undefined;
  /**
   * Appends events to one stream atomically, at the expected version, or throws
   * `ConcurrencyError` and writes nothing.
   */
  append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** Appends to several streams atomically, each at an exact expected version. */
  appendToStreams(
    appends: readonly StreamAppend[],
    options?: Pick<AppendOptions, 'metadata' | 'alongside'>,
  ): Promise<AppendResult[]>;
  /**
   * Closes a stream for good with its tombstone (`StreamClosed`, see `tombstones.ts`): later
   * appends throw `StreamClosedError`; its events stay readable.
   */
  close(
    streamId: string,
    reason: string,
    options: Pick<AppendOptions, 'expectedVersion' | 'metadata'>,
  ): Promise<AppendResult>;
  /** Commits `writes` provided the stream is still at `version` (a decision of no events). */
  commitAt(streamId: string, version: number, writes: readonly ConditionalPut[]): Promise<void>;
  /** A stream, or a version range of it, in order, each event parsed by the catalogue. */
  read(streamId: string, options?: ReadOptions): Promise<Event[]>;
  /** Like `read`, yielding events one by one so callers can stop early. */
  iterate(streamId: string, options?: ReadOptions): AsyncGenerator<Event>;
  /** The last `count` events of a stream (fewer when it is shorter), oldest first, as stored. */
  readLatest(
    streamId: string,
    count: number,
    options?: Pick<ReadOptions, 'fromArchive'>,
  ): Promise<RecordedEvent[]>;
  /** A stored event as readers get it: upcast and parsed by the catalogue, or as stored. */
  parse(event: RecordedEvent): Event;
  /** The stream's current version (0 when it does not exist). */
  headVersion(streamId: string): Promise<number>;
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventCatalogue } from './event-catalogue.js';
import type { ConditionalPut } from './event-writes.js';
import type { ArchiveSource } from './archive/archived-events.js';
import type { PersonalData } from './personal/personal-data.js';
import type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types.js';

export interface AppendOptions {
  readonly expectedVersion: ExpectedVersion;
  /** Merged into every event's metadata (the event's own metadata wins). */
  readonly metadata?: EventMetadata;
  /**
   * Lower bound for `recordedAt`: the command handler passes the last loaded event's time so
   * that times stay ordered within a stream even when Lambda clocks disagree.
   */
  readonly notBefore?: string;
  /**
   * Writes committed atomically with the events. When one of their conditions fails, nothing is
   * written and the append throws `WriteConditionFailedError`.
   */
  readonly alongside?: readonly ConditionalPut[];
}

export interface AppendResult {
  readonly streamId: string;
  /** The stream's version after the append; pass it as the next `expectedVersion`. */
  readonly version: number;
  readonly events: readonly RecordedEvent[];
}

export interface ReadOptions {
  readonly fromVersion?: number;
  readonly toVersion?: number;
  readonly direction?: 'forward' | 'backward';
  /** Maximum number of events returned; reading stops once it is reached. */
  readonly limit?: number;
  /**
   * `false` reads the events table alone: a read ends where the table's versions do, never
   * reaching versions the archiver moved to S3 (a repository's look at a stream's latest events,
   * which a snapshot usually makes enough). Archived versions are read by default.
   */
  readonly fromArchive?: boolean;
}

export interface EventStoreOptions<Event extends RecordedEvent = RecordedEvent> {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /**
   * The event types this store may write and how to read them. Without one the store only
   * reads, yielding events exactly as stored (for stream consumers that upcast and parse each
   * event themselves), and refuses every append.
   */
  readonly catalogue?: EventCatalogue<Event>;
  readonly clock?: () => Date;
  /** How often a read re-queries when it observes a gap (a transaction still committing). */
  readonly gapRetries?: number;
  /**
   * Encrypts the catalogue's personal fields per data subject on append and opens them on every
   * read (see `PersonalData`); without it personal fields are stored in clear.
   */
  readonly personalData?: PersonalData;
  /**
   * Where the archived versions of streams are read (see `archive/`): reads go there, unseen by
   * the caller, for versions the archiver moved out of the table. The archive bucket named by
   * `BUCKET_ARCHIVE` when omitted; `false` for none (a stream must then be wholly in the table).
   */
  readonly archive?: ArchiveSource | false;
}

/** One stream's part of an atomic multi-stream append. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedVersion: number | 'no_stream';
}

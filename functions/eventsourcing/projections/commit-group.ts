import type { ProjectionContext, ReadModelItem, ReadModelWrite } from '../projection.js';
import type { RecordedEvent } from '../types.js';
import { PendingWrites, keyId } from './pending-writes.js';

/** Raised from `context.get` when only an update of the item is pending: commit, then re-apply. */
export class PendingUpdateRead extends Error {}

/** The advance of one stream's applied version that a commit makes. */
export interface StreamRange {
  readonly streamId: string;
  readonly fromVersion: number;
  readonly toVersion: number;
}

/** How a commit group reaches its generation, and what it reports once committed. */
export interface CommitGroupOptions {
  readonly streamId: string;
  /** The stream's applied version when the group starts. */
  readonly appliedVersion: number;
  /** Consistent read of one item of the generation. */
  readonly read: (key: { pk: string; sk: string }) => Promise<ReadModelItem | undefined>;
  /** Commits the writes of `handled` events with the advance over `range`, in one transaction. */
  readonly commit: (
    range: StreamRange,
    handled: readonly RecordedEvent[],
    writes: readonly ReadModelWrite[],
  ) => Promise<void>;
  readonly onCommit: (version: number, handled: readonly RecordedEvent[]) => void;
}

/**
 * The events of one stream being gathered into one commit: their pending writes, the items read
 * while they were projected, and the versions they span. Flushed, it commits and starts over.
 */
export class CommitGroup {
  /** What the projection reads through: pending writes first, then the items read so far. */
  readonly context: ProjectionContext = { get: (key) => this.get(key) };
  private writes = new PendingWrites();
  // Items read while the group is built: the group's events see one state of each item, and
  // a projection reading the same item for every event costs one read per commit.
  private reads = new Map<string, ReadModelItem | undefined>();
  private handled: RecordedEvent[] = [];
  private lastVersion: number;
  private committedVersion: number;

  constructor(private readonly options: CommitGroupOptions) {
    this.lastVersion = options.appliedVersion;
    this.committedVersion = options.appliedVersion;
  }

  /** An event the projection does not handle: the group spans it without writing. */
  skip(event: RecordedEvent): void {
    this.lastVersion = event.version;
  }

  /** Whether one event's writes can join the group without committing it first. */
  canTake(writes: readonly ReadModelWrite[]): boolean {
    return this.writes.canTake(writes);
  }

  add(event: RecordedEvent, writes: readonly ReadModelWrite[]): void {
    this.writes.add(writes);
    this.handled.push(event);
    this.lastVersion = event.version;
  }

  /**
   * Commits the group's writes with the advance to the last event it spans; a group holding
   * no handled event has nothing to write and waits for the next one.
   */
  async flush(): Promise<void> {
    if (this.handled.length === 0) return;
    const { streamId } = this.options;
    const range = { streamId, fromVersion: this.committedVersion, toVersion: this.lastVersion };
    await this.options.commit(range, this.handled, this.writes.all());
    this.committedVersion = this.lastVersion;
    this.options.onCommit(this.lastVersion, this.handled);
    this.writes = new PendingWrites();
    this.reads = new Map();
    this.handled = [];
  }

  private async get(key: { pk: string; sk: string }): Promise<ReadModelItem | undefined> {
    const pending = this.writes.lookup(key);
    if (pending === 'unknown') throw new PendingUpdateRead();
    if (pending !== undefined) return pending ?? undefined;
    const id = keyId(key);
    if (!this.reads.has(id)) this.reads.set(id, await this.options.read(key));
    const item = this.reads.get(id);
    return item && structuredClone(item);
  }
}

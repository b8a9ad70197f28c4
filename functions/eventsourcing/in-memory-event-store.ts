/* eslint-disable @typescript-eslint/require-await -- the DynamoDB store's asynchronous contract
   (a throw is a rejection), kept without I/O */
import {
  ConcurrencyError,
  EventTooLargeError,
  StreamClosedError,
  StreamGapError,
  UnsupportedOperationError,
} from './errors.js';
import type { EventCatalogue } from './event-catalogue.js';
import { eventIdFactory } from './event-ids.js';
import { prepareEvents, type CheckedEvent, type PreparedEvent } from './event-items.js';
import type {
  AppendOptions,
  AppendResult,
  ReadOptions,
  StreamAppend,
} from './event-store-options.js';
import type { ConditionalPut } from './event-writes.js';
import type { EventStreamStore } from './event-stream-store.js';
import { InMemoryEventTable } from './in-memory-event-table.js';
import { refuseUnsealed, sealPersonalData, type PersonalData } from './personal/personal-data.js';
import { itemBytes, MAX_TRANSACTION_BYTES } from './item-size.js';
import {
  checkAppend,
  checkClose,
  checkNewEvents,
  checkStreamAppends,
  rangeOf,
  recordedAtOf,
} from './store-checks.js';
import { baseOf, isExact, validateExpectedVersion, validateStreamId } from './event-validation.js';
import { isTombstone } from './tombstones.js';
import type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types.js';

export interface InMemoryEventStoreOptions<Event extends RecordedEvent = RecordedEvent> {
  /** The event types this store may write and how to read them; without one it only reads. */
  readonly catalogue?: EventCatalogue<Event>;
  /** The events; a fresh, empty table when omitted. Share one to stand for several processes. */
  readonly table?: InMemoryEventTable;
  readonly clock?: () => Date;
  /** Encrypts the catalogue's personal fields per subject, as the DynamoDB store does. */
  readonly personalData?: PersonalData;
}

/** One stream's events, planned after version `base`. */
interface PlannedAppend {
  readonly streamId: string;
  readonly expectedVersion: ExpectedVersion;
  readonly base: number;
  readonly prepared: readonly PreparedEvent[];
}

/**
 * An event store in memory with the DynamoDB `EventStore`'s contract: the same expected
 * versions, atomic single- and multi-stream appends, reads, limits, catalogue checks and typed
 * errors. For unit tests of command handlers, process managers and projections without Java.
 * Writes to other tables committed with an append (`alongside`, `commitAt`) need DynamoDB and
 * are refused with `UnsupportedOperationError`.
 */
export class InMemoryEventStore<
  Event extends RecordedEvent = RecordedEvent,
> implements EventStreamStore<Event> {
  readonly catalogue: EventCatalogue<Event> | undefined;
  readonly table: InMemoryEventTable;
  private readonly clock: () => Date;
  private readonly personalData: PersonalData | undefined;
  private readonly newEventId = eventIdFactory();

  constructor(options: InMemoryEventStoreOptions<Event> = {}) {
    this.catalogue = options.catalogue;
    this.table = options.table ?? new InMemoryEventTable();
    this.clock = options.clock ?? (() => new Date());
    this.personalData = options.personalData;
  }

  // Every method checks and writes without awaiting in between (sealing personal data comes
  // before): nothing can interleave, so each append is atomic as a DynamoDB transaction is.

  async append(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const checked = checkAppend(this.catalogue, streamId, events, options.expectedVersion);
    return this.appendChecked(streamId, checked, options);
  }

  async close(
    streamId: string,
    reason: string,
    options: Pick<AppendOptions, 'expectedVersion' | 'metadata'>,
  ): Promise<AppendResult> {
    const tombstone = checkClose(streamId, reason, options.expectedVersion);
    if (this.table.head(streamId) === 0) {
      throw new ConcurrencyError(streamId, options.expectedVersion, 0);
    }
    return this.appendChecked(streamId, tombstone, options);
  }

  private async appendChecked(
    streamId: string,
    checked: readonly CheckedEvent[],
    options: AppendOptions,
  ): Promise<AppendResult> {
    const { expectedVersion } = options;
    refuseOtherTables(options.alongside ?? []);
    // Without personal data nothing is awaited before the commit, so nothing comes in between.
    if (!this.personalData) refuseUnsealed(this.catalogue, checked);
    const { base, sealed } = this.personalData
      ? await this.planSealed(streamId, expectedVersion, checked)
      : { base: this.baseFor(streamId, expectedVersion), sealed: checked };
    const recordedAt = recordedAtOf(this.clock().toISOString(), options.notBefore);
    const context = { recordedAt, metadata: options.metadata };
    const planned = {
      streamId,
      expectedVersion,
      base,
      prepared: this.prepare(streamId, base, sealed, context),
    };
    return (await this.revealed(this.commit([planned])))[0]!;
  }

  async appendToStreams(
    appends: readonly StreamAppend[],
    options: Pick<AppendOptions, 'metadata' | 'alongside'> = {},
  ): Promise<AppendResult[]> {
    refuseOtherTables(options.alongside ?? []);
    const checked = checkStreamAppends(appends, (events) => checkNewEvents(this.catalogue, events));
    const sealed = await Promise.all(
      appends.map((a) =>
        sealPersonalData(
          this.personalData,
          this.catalogue,
          { streamId: a.streamId, base: baseOf(a.expectedVersion) },
          checked.get(a.streamId)!,
        ),
      ),
    );
    const recordedAt = this.clock().toISOString();
    const results = this.commit(
      appends.map(({ streamId, expectedVersion }, index) => {
        const base = baseOf(expectedVersion);
        const context = { recordedAt, metadata: options.metadata };
        const prepared = this.prepare(streamId, base, sealed[index]!, context);
        return { streamId, expectedVersion, base, prepared };
      }),
    );
    return this.revealed(results);
  }

  async commitAt(
    streamId: string,
    version: number,
    writes: readonly ConditionalPut[],
  ): Promise<void> {
    validateStreamId(streamId);
    validateExpectedVersion(version);
    refuseOtherTables(writes);
    const last = this.table.get(streamId, version);
    if (last && isTombstone(last)) throw new StreamClosedError(streamId, version);
    // As in DynamoDB, the condition is that version + 1 does not exist yet.
    if (this.table.head(streamId) > version) {
      throw new ConcurrencyError(streamId, version, this.table.head(streamId));
    }
  }

  async read(streamId: string, options: ReadOptions = {}): Promise<Event[]> {
    const events: Event[] = [];
    for await (const event of this.iterate(streamId, options)) events.push(event);
    return events;
  }

  async *iterate(streamId: string, options: ReadOptions = {}): AsyncGenerator<Event> {
    validateStreamId(streamId);
    const { from, to, forward, limit } = rangeOf(options);
    const stored = this.table.range(streamId, from, to, forward).slice(0, limit);
    let expected = forward ? from : stored[0]?.version;
    for (const event of stored) {
      // Nothing commits in the background here: a hole is there for good.
      if (event.version !== expected) throw new StreamGapError(streamId, expected!, event.version);
      yield this.parse(await this.reveal(event));
      expected = forward ? event.version + 1 : event.version - 1;
    }
  }

  // Nothing is archived in memory: `fromArchive` changes nothing here.
  async readLatest(streamId: string, count: number): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const latest = this.table.range(streamId, 1, Number.MAX_SAFE_INTEGER, false).slice(0, count);
    return Promise.all(latest.reverse().map((event) => this.reveal(event)));
  }

  /** The version an append goes after. */
  private baseFor(streamId: string, expectedVersion: ExpectedVersion): number {
    const head = this.table.head(streamId);
    if (expectedVersion === 'stream_exists' && head === 0) {
      throw new ConcurrencyError(streamId, expectedVersion, 0);
    }
    return isExact(expectedVersion) ? baseOf(expectedVersion) : head;
  }

  /** Where an append goes and its events sealed for that place, sealed again if the head moved. */
  private async planSealed(
    streamId: string,
    expectedVersion: ExpectedVersion,
    checked: readonly CheckedEvent[],
  ): Promise<{ base: number; sealed: readonly CheckedEvent[] }> {
    for (;;) {
      const base = this.baseFor(streamId, expectedVersion);
      const sealed = await sealPersonalData(
        this.personalData,
        this.catalogue,
        { streamId, base },
        checked,
      );
      if (isExact(expectedVersion) || this.table.head(streamId) === base) return { base, sealed };
    }
  }

  /** A stored event with its personal values opened (or replaced, once erased). */
  async reveal(event: RecordedEvent): Promise<RecordedEvent> {
    return this.personalData ? (await this.personalData.reveal([event]))[0]! : event;
  }

  /** Results whose events show their personal values as readers see them. */
  private async revealed(results: AppendResult[]): Promise<AppendResult[]> {
    if (!this.personalData) return results;
    const personal = this.personalData;
    return Promise.all(
      results.map(async (result) => ({
        ...result,
        events: await personal.reveal([...result.events]),
      })),
    );
  }

  async headVersion(streamId: string): Promise<number> {
    validateStreamId(streamId);
    return this.table.head(streamId);
  }

  /** Checks every stream is where its append expects it, then writes all of them or none. */
  private commit(planned: readonly PlannedAppend[]): AppendResult[] {
    const all = planned.flatMap((p) => p.prepared);
    // A single put that finds its own event at the version succeeded before (as in DynamoDB).
    if (!(all.length === 1 && this.isStored(all[0]!))) {
      for (const { streamId, expectedVersion, base } of planned) {
        const head = this.table.head(streamId);
        const last = this.table.get(streamId, head);
        if (last && isTombstone(last)) throw new StreamClosedError(streamId, head);
        if (head !== base) throw new ConcurrencyError(streamId, expectedVersion, head);
      }
      const totalBytes = all.reduce((sum, p) => sum + itemBytes(p.item), 0);
      if (all.length > 1 && totalBytes > MAX_TRANSACTION_BYTES) {
        throw new EventTooLargeError(`${all.length} events`, totalBytes, MAX_TRANSACTION_BYTES);
      }
      this.table.insert(all);
    }
    return planned.map(({ streamId, base, prepared }) => ({
      streamId,
      version: base + prepared.length,
      events: prepared.map((p) => p.event),
    }));
  }

  private isStored({ event }: PreparedEvent): boolean {
    return this.table.get(event.streamId, event.version)?.eventId === event.eventId;
  }

  private prepare(
    streamId: string,
    base: number,
    events: readonly CheckedEvent[],
    context: { recordedAt: string; metadata: EventMetadata | undefined },
  ): PreparedEvent[] {
    return prepareEvents(streamId, base + 1, events, {
      ...context,
      newEventId: () => this.newEventId(),
      previousHash: this.table.get(streamId, base)?.hash,
    });
  }

  parse(event: RecordedEvent): Event {
    return this.catalogue ? this.catalogue.parse(event) : (event as Event);
  }
}

function refuseOtherTables(writes: readonly ConditionalPut[]): void {
  if (writes.length === 0) return;
  throw new UnsupportedOperationError(
    `The in-memory event store cannot commit writes to '${writes[0]!.tableName}': ` +
      'test writes committed with an append against DynamoDB Local',
  );
}

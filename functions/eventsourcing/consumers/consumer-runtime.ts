import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventSourcingError, StreamGapError } from '../errors.js';
import { EventStore } from '../event-store.js';
import type { PersonalData } from '../personal/personal-data.js';
import type { RecordedEvent } from '../types.js';
import { mapConcurrently } from './concurrency.js';
import { ParkedStreams, type ParkedStream } from './parked-streams.js';
import type { StreamedEvent } from './stream-records.js';
import {
  earliestFailure,
  lowestSequence,
  type BatchOutcome,
  type RedriveOutcome,
  type StreamOutcome,
} from './stream-outcomes.js';
import type { EventToApply, GuardedTarget, ReadFromStore, StreamFailure } from './version-guard.js';
import { assertConsumerName } from './consumer-names.js';

/** Physical names of the tables every consumer uses. */
export interface ConsumerTables {
  readonly events: string;
  readonly parkedStreams: string;
}

export interface ConsumerRuntimeOptions {
  readonly client: DynamoDBClient;
  readonly tables: ConsumerTables;
  /**
   * Turns a stored event of a handled type into the event the consumer receives, or says why it
   * cannot (the consumer host's decoder); events reach the consumer as stored when omitted.
   */
  readonly decode?: (event: RecordedEvent) => EventToApply;
  /** Opens personal fields of the events read from the events table before they are decoded. */
  readonly personalData?: PersonalData;
  /** Failed attempts at one stream before it is parked (default 2: a first try, one retry). */
  readonly parkAfterAttempts?: number;
  /** Streams of one batch processed at the same time (each stream stays in order). */
  readonly concurrency?: number;
}

export const DEFAULT_PARK_AFTER_ATTEMPTS = 2;
const DEFAULT_CONCURRENCY = 8;
const MAX_RELEASE_ROUNDS = 10;

/** The consumer ran out of the invocation's time on a stream. */
export class ConsumerTimeoutError extends EventSourcingError {
  readonly code = 'ConsumerTimeout';
  constructor(consumer: string, streamId: string) {
    super(`${consumer} did not finish stream '${streamId}' within the invocation's time`);
    this.name = 'ConsumerTimeoutError';
  }
}

/** The document client consumers write with: attributes left undefined are not written. */
export const consumerDocumentClient = (client: DynamoDBClient): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/**
 * One consumer of a table stream at run time: its version guards (`targets`), parking and
 * redrive, reading the events table. Shared by projections and reactions; used by the consumer
 * host, the redrive command and rebuilds.
 *
 * A stream that fails (the consumer's code throws, an event cannot be decoded, a version is
 * missing) is recorded with its reason; after `parkAfterAttempts` failed deliveries it is parked:
 * later events of that stream queue behind it, for this consumer only, until a redrive replays
 * it from the events table. Nothing that can be recorded ever fails the batch for the others.
 */
export abstract class ConsumerRuntime {
  abstract readonly kind: 'projection' | 'reaction';
  readonly doc: DynamoDBDocumentClient;
  readonly parking: ParkedStreams;
  readonly handles: ReadonlySet<string>;
  readonly parkAfterAttempts: number;
  readonly concurrency: number;
  private readonly rawStore: EventStore;
  private readonly decode: (event: RecordedEvent) => EventToApply;

  constructor(
    readonly name: string,
    handles: readonly string[],
    readonly options: ConsumerRuntimeOptions,
  ) {
    assertConsumerName(name);
    this.handles = new Set(handles);
    this.doc = consumerDocumentClient(options.client);
    this.parking = new ParkedStreams(this.doc, options.tables.parkedStreams);
    this.parkAfterAttempts = options.parkAfterAttempts ?? DEFAULT_PARK_AFTER_ATTEMPTS;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.decode = options.decode ?? ((event) => ({ event }));
    // Decoding happens per event below, so one that cannot be decoded fails alone.
    this.rawStore = new EventStore({ client: options.client, tableName: options.tables.events });
  }

  /** Where the consumer's version guards live: each must take every event. */
  abstract targets(): Promise<readonly GuardedTarget[]>;

  /** A stored event as this consumer takes it: decoded when it handles the type. */
  toApply(event: RecordedEvent): EventToApply {
    return this.handles.has(event.type) ? this.decode(event) : { event };
  }

  /**
   * Stored events as this consumer takes them: personal fields opened (an event whose sealed
   * value does not open comes with its error), then decoded when it handles the type.
   */
  async toApplyEach(events: readonly RecordedEvent[]): Promise<EventToApply[]> {
    if (!this.options.personalData) return events.map((event) => this.toApply(event));
    const revealed = await this.options.personalData.revealEach(events);
    return revealed.map((opened) => (opened.error ? opened : this.toApply(opened.event)));
  }

  /**
   * Events of a stream from the events table, an event whose data cannot be read with the
   * reason; a hole ends the read (the caller sees the gap).
   */
  readonly readFromStore: ReadFromStore = async (streamId, fromVersion, toVersion) => {
    const read: EventToApply[] = [];
    try {
      for await (const item of this.rawStore.iterateItems(streamId, { fromVersion, toVersion })) {
        read.push(item);
      }
    } catch (error) {
      if (!(error instanceof StreamGapError)) throw error;
    }
    const taken = await this.toApplyEach(
      read.filter((item) => !item.error).map((item) => item.event),
    );
    let next = 0;
    return read.map((item) => (item.error ? item : taken[next++]!));
  };

  /**
   * Processes one delivered batch: each stream in version order, streams side by side. Streams
   * not started by `deadline` are left to the next delivery; a stream still running at the
   * deadline counts as a failed attempt (a slow consumer ends up parked, not holding the shard).
   */
  async consumeBatch(
    byStream: ReadonlyMap<string, readonly StreamedEvent[]>,
    options: { readonly deadline?: number } = {},
  ): Promise<BatchOutcome> {
    const streamIds = [...byStream.keys()];
    if (streamIds.length === 0) return { streams: [] };
    const targets = await this.targets();
    const [parked, ...guards] = await Promise.all([
      this.parking.states(this.name, streamIds),
      ...targets.map((target) => target.appliedVersions(streamIds)),
    ]);
    const streams = await mapConcurrently(streamIds, this.concurrency, (streamId) => {
      const batch: StreamBatch = {
        streamId,
        events: byStream.get(streamId)!,
        record: parked.get(streamId),
      };
      if (options.deadline !== undefined && Date.now() >= options.deadline) {
        const notStarted: StreamOutcome = {
          streamId,
          applied: [],
          retryFrom: batch.events[0]!.sequenceNumber,
        };
        return Promise.resolve(notStarted);
      }
      const work = this.consumeStream(
        batch,
        targets.map((target, index) => ({
          target,
          appliedVersion: guards[index]!.get(streamId) ?? 0,
        })),
      );
      return options.deadline === undefined ? work : this.finishBy(options.deadline, work, batch);
    });
    const retryFrom = lowestSequence(streams.map((stream) => stream.retryFrom));
    return { streams, ...(retryFrom ? { retryFrom } : {}) };
  }

  private async finishBy(
    deadline: number,
    work: Promise<StreamOutcome>,
    batch: StreamBatch,
  ): Promise<StreamOutcome> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    });
    try {
      const outcome = await Promise.race([work, timedOut]);
      if (outcome) return outcome;
    } finally {
      clearTimeout(timer);
    }
    // The work goes on in the background; its guarded writes stay correct whenever they land.
    work.catch(() => undefined);
    const first = batch.events[0]!.event;
    return this.recordFailure(batch, [], {
      kind: 'transient',
      version: first.version,
      eventId: first.eventId,
      eventType: first.type,
      error: new ConsumerTimeoutError(this.name, batch.streamId),
    });
  }

  private async consumeStream(
    batch: StreamBatch,
    targets: readonly { target: GuardedTarget; appliedVersion: number }[],
  ): Promise<StreamOutcome> {
    const { streamId, events } = batch;
    let { record } = batch;
    if (record?.status === 'parked') {
      if (await this.parking.queueBehind(this.name, streamId, events.at(-1)!.event.version)) {
        return { streamId, applied: [], parked: record, queued: true };
      }
      record = undefined; // released by a redrive meanwhile: process as usual
    }
    const results = [];
    for (const { target, appliedVersion } of targets) {
      results.push(await target.apply(streamId, events, appliedVersion, this.readFromStore));
    }
    // What the first guard (a projection's active generation) applied is what the batch applied.
    const applied = results[0]?.applied ?? [];
    const failure = earliestFailure(results);
    if (!failure) {
      if (record?.status === 'failing') await this.parking.clearFailing(this.name, streamId);
      return { streamId, applied };
    }
    return this.recordFailure({ ...batch, record }, applied, failure);
  }

  /** Counts a failed attempt; parked, the stream no longer holds the batch up. */
  private async recordFailure(
    { streamId, events, record }: StreamBatch,
    applied: readonly RecordedEvent[],
    failure: StreamFailure,
  ): Promise<StreamOutcome> {
    const stored = await this.parking.recordFailure(
      { consumer: this.name, streamId, previous: record },
      failure,
      { parkAfterAttempts: this.parkAfterAttempts, queuedUpTo: events.at(-1)!.event.version },
    );
    if (stored.status === 'parked') return { streamId, applied, failure, parked: stored };
    const retryFrom =
      lowestSequence(
        events
          .filter((streamed) => streamed.event.version >= failure.version)
          .map((streamed) => streamed.sequenceNumber),
      ) ?? events[0]!.sequenceNumber;
    return { streamId, applied, failure, parked: stored, retryFrom };
  }

  /**
   * Replays parked streams from the events table through every version guard, then releases
   * them. Events that queued behind a park meanwhile are processed before the release, so
   * nothing is skipped. A stream that fails again stays parked with the new reason. Named
   * streams that are not parked are caught up from the events table too (after records were
   * discarded to the on-failure destination, for instance).
   */
  async redrive(streamIds?: readonly string[]): Promise<RedriveOutcome[]> {
    const targets = await this.parking.redriveTargets(this.name, streamIds);
    return mapConcurrently(targets, this.concurrency, ({ streamId, record }) =>
      this.redriveStream(streamId, record),
    );
  }

  private async redriveStream(
    streamId: string,
    record: ParkedStream | undefined,
  ): Promise<RedriveOutcome> {
    let processed = 0;
    for (let round = 0; round < MAX_RELEASE_ROUNDS; round++) {
      const versions: number[] = [];
      for (const target of await this.targets()) {
        const from = (await target.appliedVersions([streamId])).get(streamId) ?? 0;
        const tail = await this.readFromStore(streamId, from + 1, Number.MAX_SAFE_INTEGER);
        const result = await target.apply(streamId, tail, from, this.readFromStore);
        if (result.failure) {
          const { appliedVersion, failure } = result;
          return this.redriveFailed(streamId, record, { appliedVersion, failure });
        }
        // Every event read is processed, unhandled ones after the last commit included.
        versions.push(Math.max(result.appliedVersion, tail.at(-1)?.event.version ?? 0));
      }
      processed = Math.min(...versions);
      if (!record || (await this.parking.release(this.name, streamId, processed))) {
        return { streamId, released: true, appliedVersion: processed };
      }
    }
    return { streamId, released: false, appliedVersion: processed };
  }

  /** A redriven stream failed again: parked, it keeps the new reason. */
  private async redriveFailed(
    streamId: string,
    record: ParkedStream | undefined,
    result: { readonly appliedVersion: number; readonly failure: StreamFailure },
  ): Promise<RedriveOutcome> {
    if (record) await this.parking.recordRedriveFailure(record, result.failure);
    return {
      streamId,
      released: false,
      appliedVersion: result.appliedVersion,
      failure: result.failure,
    };
  }
}

/** One stream of a delivered batch: its events, and its parked record if it has one. */
interface StreamBatch {
  readonly streamId: string;
  readonly events: readonly StreamedEvent[];
  readonly record: ParkedStream | undefined;
}

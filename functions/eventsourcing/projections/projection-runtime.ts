import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { EventStore } from '../event-store';
import type { Projection } from '../projection';
import type { RecordedEvent } from '../types';
import { Upcasters } from '../upcasting';
import { mapConcurrently } from './concurrency';
import {
  GenerationWriter,
  type EventToApply,
  type ReadFromStore,
  type StreamFailure,
} from './generation-writer';
import { readGenerations, writtenGenerations, type GenerationState } from './generations';
import { ParkedStreams, type ParkedStream } from './parked-streams';
import { assertProjectionName } from './read-model-keys';
import { compareSequenceNumbers, upcastToApply, type StreamedEvent } from './stream-records';

/** Physical names of the tables a projection uses. */
export interface ProjectionTables {
  readonly events: string;
  readonly readModel: string;
  readonly parkedStreams: string;
}

export interface ProjectionRuntimeOptions {
  readonly client: DynamoDBClient;
  readonly tables: ProjectionTables;
  readonly upcasters?: Upcasters;
  /** Failed attempts at one event (not counting throttling and the like) before parking. */
  readonly parkAfterAttempts?: number;
  /** Streams of one batch projected at the same time (each stream stays in order). */
  readonly concurrency?: number;
}

export const DEFAULT_PARK_AFTER_ATTEMPTS = 3;
const DEFAULT_CONCURRENCY = 8;
const MAX_RELEASE_ROUNDS = 10;

/** What became of one stream of a batch. */
export interface StreamOutcome {
  readonly streamId: string;
  /** Events newly applied to the active generation. */
  readonly applied: readonly RecordedEvent[];
  /** Sequence number to retry from when the stream must be delivered again. */
  readonly retryFrom?: string;
  readonly failure?: StreamFailure;
  /** The stream's record when it failed, was parked, or waits behind an earlier park. */
  readonly parked?: ParkedStream;
  readonly queued?: boolean;
}

export interface BatchOutcome {
  /** The lowest sequence number that must be delivered again, if any. */
  readonly retryFrom?: string;
  readonly streams: readonly StreamOutcome[];
}

export interface RedriveOutcome {
  readonly streamId: string;
  readonly released: boolean;
  readonly appliedVersion: number;
  readonly failure?: StreamFailure;
}

/**
 * Everything a projection needs at run time: its generations, the version guard, parking and
 * reading the events table. Shared by the Lambda handler, redrive and rebuild.
 */
export class ProjectionRuntime {
  readonly doc: DynamoDBDocumentClient;
  readonly parking: ParkedStreams;
  readonly upcasters: Upcasters;
  readonly parkAfterAttempts: number;
  readonly concurrency: number;
  private readonly rawStore: EventStore;
  private readonly writers = new Map<number, GenerationWriter>();

  constructor(
    readonly projection: Projection,
    readonly options: ProjectionRuntimeOptions,
  ) {
    assertProjectionName(projection.name);
    this.doc = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.parking = new ParkedStreams(this.doc, options.tables.parkedStreams);
    this.upcasters = options.upcasters ?? new Upcasters();
    this.parkAfterAttempts = options.parkAfterAttempts ?? DEFAULT_PARK_AFTER_ATTEMPTS;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    // Upcasting happens per event below, so one that cannot be upcast fails alone.
    this.rawStore = new EventStore({ client: options.client, tableName: options.tables.events });
  }

  get name(): string {
    return this.projection.name;
  }

  generations(consistent = true): Promise<GenerationState> {
    return readGenerations(this.doc, this.options.tables.readModel, this.name, consistent);
  }

  writer(generation: number): GenerationWriter {
    let writer = this.writers.get(generation);
    if (!writer) {
      writer = new GenerationWriter(
        this.doc,
        this.options.tables.readModel,
        this.projection,
        generation,
      );
      this.writers.set(generation, writer);
    }
    return writer;
  }

  /** Events of a stream from the events table, upcast one by one. */
  readonly readFromStore: ReadFromStore = async (streamId, fromVersion, toVersion) => {
    const events: EventToApply[] = [];
    for await (const event of this.rawStore.iterate(streamId, { fromVersion, toVersion })) {
      events.push(this.upcast(event));
    }
    return events;
  };

  upcast(event: RecordedEvent): EventToApply {
    return upcastToApply(this.upcasters, event);
  }

  /**
   * Projects one delivered batch: every stream in version order, streams side by side. The live
   * generation reports gaps (the stream is delivered again); the generation a rebuild is
   * building fills gaps from the events table.
   */
  async projectBatch(
    byStream: ReadonlyMap<string, readonly StreamedEvent[]>,
  ): Promise<BatchOutcome> {
    const streamIds = [...byStream.keys()];
    if (streamIds.length === 0) return { streams: [] };
    const state = await this.generations();
    const generations = writtenGenerations(state);
    const [parked, ...applied] = await Promise.all([
      this.parking.states(this.name, streamIds),
      ...generations.map((generation) => this.writer(generation).appliedVersions(streamIds)),
    ]);
    const streams = await mapConcurrently(streamIds, this.concurrency, (streamId) =>
      this.projectStream(
        streamId,
        byStream.get(streamId)!,
        parked.get(streamId),
        generations.map((generation, index) => ({
          generation,
          appliedVersion: applied[index]!.get(streamId) ?? 0,
          fill: generation === state.building,
        })),
      ),
    );
    const retryFrom = streams
      .map((stream) => stream.retryFrom)
      .filter((sequence): sequence is string => sequence !== undefined)
      .sort(compareSequenceNumbers)[0];
    return { streams, ...(retryFrom ? { retryFrom } : {}) };
  }

  private async projectStream(
    streamId: string,
    events: readonly StreamedEvent[],
    record: ParkedStream | undefined,
    targets: readonly { generation: number; appliedVersion: number; fill: boolean }[],
  ): Promise<StreamOutcome> {
    const lastVersion = events.at(-1)!.event.version;
    if (record?.status === 'parked') {
      if (await this.parking.queueBehind(this.name, streamId, lastVersion)) {
        return { streamId, applied: [], parked: record, queued: true };
      }
      record = undefined; // released by a redrive meanwhile: apply as usual
    }
    let applied: readonly RecordedEvent[] = [];
    let failure: StreamFailure | undefined;
    for (const [index, { generation, appliedVersion, fill }] of targets.entries()) {
      const result = await this.writer(generation).apply(
        streamId,
        events,
        appliedVersion,
        fill ? this.readFromStore : undefined,
      );
      if (index === 0) applied = result.applied;
      if (result.failure && (!failure || result.failure.version < failure.version)) {
        failure = result.failure;
      }
    }
    if (!failure) {
      if (record?.status === 'failing') await this.parking.clearFailing(this.name, streamId);
      return { streamId, applied };
    }
    const retryFrom = events
      .filter((streamed) => streamed.event.version >= failure.version)
      .map((streamed) => streamed.sequenceNumber)
      .sort(compareSequenceNumbers)[0];
    if (failure.kind === 'transient') return { streamId, applied, failure, retryFrom };
    const stored = await this.parking.recordFailure(this.name, streamId, failure, record, {
      parkAfterAttempts: this.parkAfterAttempts,
      queuedUpTo: lastVersion,
    });
    if (stored.status === 'parked') return { streamId, applied, failure, parked: stored };
    return { streamId, applied, failure, parked: stored, retryFrom };
  }

  /**
   * Replays parked streams from the events table into every written generation, then releases
   * them. Events that queued behind a park meanwhile are applied before the release, so nothing
   * is skipped. A stream that fails again stays parked with the new reason. Named streams that
   * are not parked are caught up from the events table too (after records were discarded to
   * the on-failure destination, for instance).
   */
  async redrive(streamIds?: readonly string[]): Promise<RedriveOutcome[]> {
    const parked = (await this.parking.list(this.name)).filter(
      (record) => record.status === 'parked',
    );
    const targets = streamIds
      ? streamIds.map((streamId) => ({
          streamId,
          record: parked.find((record) => record.streamId === streamId),
        }))
      : parked.map((record) => ({ streamId: record.streamId, record }));
    return mapConcurrently(targets, this.concurrency, ({ streamId, record }) =>
      this.redriveStream(streamId, record),
    );
  }

  private async redriveStream(
    streamId: string,
    record: ParkedStream | undefined,
  ): Promise<RedriveOutcome> {
    let appliedVersion = 0;
    for (let round = 0; round < MAX_RELEASE_ROUNDS; round++) {
      const generations = writtenGenerations(await this.generations());
      const versions: number[] = [];
      for (const generation of generations) {
        const writer = this.writer(generation);
        const from = await writer.appliedVersion(streamId);
        const tail = await this.readFromStore(streamId, from + 1, Number.MAX_SAFE_INTEGER);
        const result = await writer.apply(streamId, tail, from, this.readFromStore);
        if (result.failure) {
          if (record) await this.parking.recordRedriveFailure(record, result.failure);
          return {
            streamId,
            released: false,
            appliedVersion: result.appliedVersion,
            failure: result.failure,
          };
        }
        versions.push(result.appliedVersion);
      }
      appliedVersion = Math.min(...versions);
      if (!record || (await this.parking.release(this.name, streamId, appliedVersion))) {
        return { streamId, released: true, appliedVersion };
      }
    }
    return { streamId, released: false, appliedVersion };
  }
}

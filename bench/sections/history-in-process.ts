import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { eventIdFactory } from '../../functions/eventsourcing/event-ids';
import { itemHashing, prepareEvents } from '../../functions/eventsourcing/event-items';
import type { LeafReference } from '../../functions/eventsourcing/global-log/references';
import { checkChain } from '../../functions/eventsourcing/integrity/chain-check';
import { sha256 } from '../../functions/eventsourcing/integrity/encoding';
import { leafRoot } from '../../functions/eventsourcing/integrity/log-leaves';
import { itemBytes } from '../../functions/eventsourcing/item-size';
import { interleave } from '../interleave';
import type { HistorySettings } from '../settings';
import { spread, type Spread } from '../stats';
import { EVENT_METADATA, depositEvent } from '../workload';

type Item = Record<string, AttributeValue>;

/** A rate measured in this process: per second of wall time, and per CPU-second it used. */
export interface InProcessRate {
  readonly perSecond: Spread;
  readonly perCpuSecond: Spread;
}

/** Section 9, in process: what hashing costs per event, and how fast its checks run. */
export interface InProcessResult {
  readonly events: number;
  readonly streams: number;
  /** Bytes of one event item (the deposit every section writes). */
  readonly itemBytes: number;
  /** The hash of one item, chained (what `prepareEvents` adds to an append), in microseconds. */
  readonly hashMicros: { readonly cpu: Spread; readonly wall: Spread };
  /** SHA-256 alone over as many bytes as each event's encoding: the floor under `hashMicros`. */
  readonly sha256Micros: { readonly cpu: Spread; readonly wall: Spread };
  /** Bytes SHA-256 takes in per event (docs/integrity.md, section 1). */
  readonly encodedBytes: number;
  /** The verifier's chain check of every stream: each event's hash recomputed from its item. */
  readonly eventHashes: InProcessRate;
  /** Leaf encoding, leaf hashes and the Merkle root over every position (what the sealer does). */
  readonly leavesAndRoot: InProcessRate;
  /** Both, one after the other: the verifier's hashing and Merkle work per event. */
  readonly together: InProcessRate;
}

/** `events` deposits across `streams` streams, each stream's items chained as appends chain them. */
function storedStreams(events: number, streams: number): Item[][] {
  const newEventId = eventIdFactory();
  return Array.from({ length: streams }, (_, s) => {
    const length = Math.floor(events / streams) + (s < events % streams ? 1 : 0);
    const items: Item[] = [];
    let previousHash: string | undefined;
    for (let version = 1; version <= length; version++) {
      const [prepared] = prepareEvents(
        `account-${s}`,
        version,
        [{ ...depositEvent(version), schemaVersion: 1 }],
        {
          recordedAt: new Date().toISOString(),
          newEventId,
          metadata: EVENT_METADATA,
          previousHash,
        },
      );
      previousHash = prepared!.event.hash;
      items.push(prepared!.item);
    }
    return items;
  });
}

/** The global log over the streams: one version of each stream in turn, as writers interleave. */
function logLeaves(streams: readonly Item[][]): LeafReference[] {
  const leaves: LeafReference[] = [];
  const longest = Math.max(...streams.map((items) => items.length));
  for (let index = 0; index < longest; index++) {
    for (const item of streams.map((items) => items[index])) {
      if (!item) continue;
      leaves.push({
        position: leaves.length + 1,
        streamId: item.streamId!.S!,
        version: Number(item.version!.N),
        hash: item.h!.S!,
      });
    }
  }
  return leaves;
}

const utf8 = (value: string | undefined) => Buffer.byteLength(value ?? '', 'utf8');

/**
 * Bytes of an item's hash input (docs/integrity.md, section 1): the domain and six texts with
 * their 4-byte lengths, the previous hash, two 8-byte integers, and the optional metadata.
 */
function encodedLength(item: Item): number {
  const texts = ['streamId', 'eventId', 'type', 'at', 'data'].map(
    (name) => 4 + utf8(item[name]!.S),
  );
  const meta = item.meta?.S === undefined ? 1 : 1 + 4 + utf8(item.meta.S);
  const domain = 4 + utf8('dynamo-event-sourcing/event/v1');
  return domain + 32 + 8 + 8 + meta + texts.reduce((sum, length) => sum + length, 0);
}

interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function time(work: () => unknown): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  work();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return Promise.resolve({ wallMs, cpuMs: (used.user + used.system) / 1000 });
}

const MEASURES = ['hashing', 'sha256', 'eventHashes', 'leavesAndRoot'] as const;

const micros = (events: number, timings: readonly Timing[]) => ({
  cpu: spread(timings.map((t) => (t.cpuMs * 1000) / events)),
  wall: spread(timings.map((t) => (t.wallMs * 1000) / events)),
});

const rate = (events: number, timings: readonly Timing[]): InProcessRate => ({
  perSecond: spread(timings.map((t) => events / (t.wallMs / 1000))),
  perCpuSecond: spread(timings.map((t) => events / (t.cpuMs / 1000))),
});

/**
 * Each run times the four measures in turn, the order rotating from run to run: the chained
 * hash of every item alone, SHA-256 alone over inputs of the same sizes, `checkChain` over every
 * stream (the verifier's code), and `leafRoot` over every position (the sealer's and the
 * verifier's code).
 */
export async function measureInProcess(settings: HistorySettings): Promise<InProcessResult> {
  const { inProcessEvents: events } = settings;
  const streams = storedStreams(events, settings.streams);
  const items = streams.flat();
  const leaves = logLeaves(streams);
  const inputs = items.map((item) => randomBytes(encodedLength(item)));
  const timings = await interleave(MEASURES, settings.inProcessRuns, (measure) => {
    if (measure === 'leavesAndRoot') return time(() => leafRoot(leaves));
    if (measure === 'eventHashes') return time(() => streams.forEach((s) => checkChain(s)));
    if (measure === 'sha256') return time(() => inputs.forEach((input) => sha256(input)));
    return time(() => {
      let previous: string | undefined;
      for (const item of items) previous = itemHashing.hash(item, previous);
    });
  });
  const together = timings.eventHashes.map((t, run) => ({
    wallMs: t.wallMs + timings.leavesAndRoot[run]!.wallMs,
    cpuMs: t.cpuMs + timings.leavesAndRoot[run]!.cpuMs,
  }));
  return {
    events,
    streams: settings.streams,
    itemBytes: itemBytes(items[0]!),
    hashMicros: micros(events, timings.hashing),
    sha256Micros: micros(events, timings.sha256),
    encodedBytes: inputs[0]!.length,
    eventHashes: rate(events, timings.eventHashes),
    leavesAndRoot: rate(events, timings.leavesAndRoot),
    together: rate(events, together),
  };
}

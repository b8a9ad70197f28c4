import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { eventFromItem, type PreparedEvent } from './event-items.js';
import type { RecordedEvent } from './types.js';

type Item = Record<string, AttributeValue>;

/**
 * The in-memory counterpart of the events table: items keyed by stream and version, kept as
 * DynamoDB attribute values so that what is read back is exactly what DynamoDB would return.
 * Several `InMemoryEventStore`s can share one, as Lambda containers share the table.
 */
export class InMemoryEventTable {
  private readonly streams = new Map<string, Map<number, Item>>();

  /** The highest version stored in the stream (0 when it has none). */
  head(streamId: string): number {
    const versions = this.streams.get(streamId);
    return versions ? Math.max(0, ...versions.keys()) : 0;
  }

  /** The event stored at one version, as stored (not parsed). */
  get(streamId: string, version: number): RecordedEvent | undefined {
    const item = this.streams.get(streamId)?.get(version);
    return item && eventFromItem(item);
  }

  /** Versions stored in the stream, in ascending order. */
  versions(streamId: string): number[] {
    return [...(this.streams.get(streamId)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Stored events with versions in `[from, to]`, as stored, in the direction asked. */
  range(streamId: string, from: number, to: number, forward: boolean): RecordedEvent[] {
    const versions = this.versions(streamId).filter((v) => v >= from && v <= to);
    if (!forward) versions.reverse();
    return versions.map((version) => this.get(streamId, version)!);
  }

  /**
   * Writes an event item past every check of the event store: what a bad deploy, a manual fix
   * or an event of an older schema version leaves behind (to test upcasters and corrupt events).
   */
  putStored(
    event: Pick<RecordedEvent, 'streamId' | 'version' | 'type' | 'data'> & Partial<RecordedEvent>,
  ): void {
    this.put({
      eventId: `${event.streamId}-${event.version}`,
      schemaVersion: 1,
      metadata: {},
      recordedAt: new Date().toISOString(),
      ...event,
    });
  }

  /** Writes prepared events; the store has checked their versions are free. */
  insert(prepared: readonly PreparedEvent[]): void {
    for (const { event, item } of prepared) this.stream(event.streamId).set(event.version, item);
  }

  private put(event: RecordedEvent): void {
    this.stream(event.streamId).set(
      event.version,
      marshall(event, { removeUndefinedValues: true }),
    );
  }

  private stream(streamId: string): Map<number, Item> {
    let versions = this.streams.get(streamId);
    if (!versions) this.streams.set(streamId, (versions = new Map<number, Item>()));
    return versions;
  }
}

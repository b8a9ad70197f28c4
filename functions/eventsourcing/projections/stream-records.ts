import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { eventFromItem, isEventItem } from '../event-items';
import type { RecordedEvent } from '../types';
import type { Upcasters } from '../upcasting';
import type { EventToApply } from './generation-writer';

/** One event taken from a stream record, with the record's position for failure reports. */
export interface StreamedEvent {
  readonly event: RecordedEvent;
  readonly sequenceNumber: string;
  /** Why the record could not become a current-schema event (it fails when reached). */
  readonly error?: Error;
}

/**
 * Lambda hands binary attributes over as base64 strings; the SDK's unmarshalling expects bytes.
 */
function toSdkAttributeValue(value: LambdaAttributeValue): AttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B, 'base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b, 'base64')) };
  if (value.M !== undefined) return { M: toSdkItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toSdkAttributeValue) };
  return value;
}

function toSdkItem(image: Record<string, LambdaAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(
    Object.entries(image).map(([name, value]) => [name, toSdkAttributeValue(value)]),
  );
}

/** The event at its current schema, or as stored with the reason it cannot be upcast. */
export function upcastToApply(upcasters: Upcasters, event: RecordedEvent): EventToApply {
  try {
    return { event: upcasters.upcast(event) };
  } catch (error) {
    return { event, error: error as Error };
  }
}

/** Numeric order of DynamoDB Streams sequence numbers (decimal strings of varying length). */
export function compareSequenceNumbers(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/**
 * Turns the records of one Lambda batch into events grouped by stream, each stream's events in
 * version order (a stream's records can arrive swapped: Streams orders only per item). Only
 * INSERTs of event items count; anything else on the stream is ignored. Events are upcast to
 * their current schema; an event that cannot be upcast keeps its error and fails when reached.
 */
export function eventsByStream(
  records: readonly DynamoDBRecord[],
  upcasters: Upcasters,
): Map<string, StreamedEvent[]> {
  const byStream = new Map<string, Map<number, StreamedEvent>>();
  for (const record of records) {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (record.eventName !== 'INSERT' || !image || !sequenceNumber) continue;
    const item = toSdkItem(image);
    if (!isEventItem(item)) continue;
    const raw = eventFromItem(item);
    const streamed: StreamedEvent = { ...upcastToApply(upcasters, raw), sequenceNumber };
    const versions = byStream.get(raw.streamId) ?? new Map<number, StreamedEvent>();
    // A record delivered twice in one batch is the same event: keep its first position.
    if (!versions.has(raw.version)) versions.set(raw.version, streamed);
    byStream.set(raw.streamId, versions);
  }
  return new Map(
    [...byStream].map(([streamId, versions]) => [
      streamId,
      [...versions.values()].sort((a, b) => a.event.version - b.event.version),
    ]),
  );
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { isEventItem, readEventItem } from '../event-items.js';
import type { EventToApply } from './version-guard.js';

/** One event taken from a stream record, with the record's position for failure reports. */
export interface StreamedEvent extends EventToApply {
  readonly sequenceNumber: string;
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

/** Numeric order of DynamoDB Streams sequence numbers (decimal strings of varying length). */
export function compareSequenceNumbers(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference === 0n ? 0 : difference < 0n ? -1 : 1;
}

/**
 * Turns the records of one Lambda batch into events grouped by stream, each stream's events in
 * version order (a stream's records can arrive swapped: Streams orders only per item). Only
 * INSERTs of event items count; anything else on the stream is ignored. Events are as stored:
 * the consumer host decodes those a consumer handles.
 */
export function eventsByStream(records: readonly DynamoDBRecord[]): Map<string, StreamedEvent[]> {
  const byStream = new Map<string, Map<number, StreamedEvent>>();
  for (const record of records) {
    const streamed = streamedEventOf(record);
    if (!streamed) continue;
    const { streamId, version } = streamed.event;
    const versions = byStream.get(streamId) ?? new Map<number, StreamedEvent>();
    // A record delivered twice in one batch is the same event: keep its first position.
    if (!versions.has(version)) versions.set(version, streamed);
    byStream.set(streamId, versions);
  }
  return new Map(
    [...byStream].map(([streamId, versions]) => [
      streamId,
      [...versions.values()].sort((a, b) => a.event.version - b.event.version),
    ]),
  );
}

/** The event an INSERT of an event item holds, with the reason when its data cannot be read. */
function streamedEventOf(record: DynamoDBRecord): StreamedEvent | undefined {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (record.eventName !== 'INSERT' || !image || !sequenceNumber) return undefined;
  const item = toSdkItem(image);
  if (!isEventItem(item)) return undefined;
  // Consumers of its type park an event whose data cannot be read; the others pass it by.
  const { event, error } = readEventItem(item);
  return { event, sequenceNumber, ...(error ? { error } : {}) };
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { CorruptEventError, EventTooLargeError, InvalidEventError } from './errors.js';
import { eventHash, storedFieldsOf } from './integrity/event-hash.js';
import { MAX_ITEM_BYTES, fitsInItem, itemBytes } from './item-size.js';
import type { EventMetadata, NewEvent, RecordedEvent } from './types.js';

/**
 * The one codec of event items. An item holds:
 *
 * | attribute  | type | holds                                                          |
 * |------------|------|----------------------------------------------------------------|
 * | `streamId` | S    | partition key                                                  |
 * | `version`  | N    | sort key, from 1; every write is conditional on its absence    |
 * | `eventId`  | S    | ULID (stream hosts filter on it)                               |
 * | `type`     | S    | event type (stream hosts and consumers filter on it)           |
 * | `at`       | S    | recordedAt, ISO-8601 UTC with milliseconds                     |
 * | `data`     | S    | the event's data as JSON                                       |
 * | `meta`     | S    | its metadata as JSON; absent when empty                        |
 * | `sv`       | N    | schema version of `data`; absent while it is 1                 |
 * | `h`        | S    | SHA-256 of the event as stored, chained (docs/integrity.md)    |
 *
 * JSON in one string attribute is as readable in the console as a map, and costs DynamoDB and
 * the SDK one value to read instead of one per field. Items of the first layout (`recordedAt`,
 * `schemaVersion`, `data` and `metadata` as maps) are read as well: events are never rewritten.
 */
/** The item that stores `event`. */
export function eventItem(event: RecordedEvent): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {
    streamId: { S: event.streamId },
    version: { N: String(event.version) },
    eventId: { S: event.eventId },
    type: { S: event.type },
    at: { S: event.recordedAt },
    data: { S: JSON.stringify(event.data) },
  };
  if (!isEmpty(event.metadata)) item.meta = { S: JSON.stringify(event.metadata) };
  if (event.schemaVersion !== 1) item.sv = { N: String(event.schemaVersion) };
  if (event.hash !== undefined) item.h = { S: event.hash };
  return item;
}

const isEmpty = (value: object) => {
  for (const _ in value) return false;
  return true;
};

/** A stored event and, when its data or metadata cannot be read at all, why. */
export interface ReadEventItem {
  /** The event; a document `error` says cannot be read is empty. */
  readonly event: RecordedEvent;
  readonly error?: CorruptEventError;
}

type JsonObject = Record<string, unknown>;

/** Why a stored document cannot be read: no schema can even be asked about it. */
class Unreadable {
  constructor(readonly reason: string) {}
}

function parsedObject(json: string): JsonObject | Unreadable {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    return new Unreadable(`not JSON: ${(error as Error).message}`);
  }
  return asObject(parsed);
}

const asObject = (value: unknown): JsonObject | Unreadable =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : new Unreadable('not a JSON object');

/** A document stored as JSON in a string, or as a map (the first layout). */
function documentOf(value: AttributeValue | undefined): JsonObject | Unreadable {
  if (value?.S !== undefined) return parsedObject(value.S);
  if (value?.M !== undefined) return unmarshall(value.M);
  return {};
}

/** A document of an item already unmarshalled (as the document client returns it). */
function documentIn(value: unknown): JsonObject | Unreadable {
  if (value === undefined) return {};
  return typeof value === 'string' ? parsedObject(value) : asObject(value);
}

/** An event as read from its item, before knowing that its documents could be read. */
type StoredEvent = Omit<RecordedEvent, 'data' | 'metadata'> & {
  readonly data: JsonObject | Unreadable;
  readonly metadata: JsonObject | Unreadable;
};

const isReadable = (event: StoredEvent): event is RecordedEvent =>
  !(event.data instanceof Unreadable) && !(event.metadata instanceof Unreadable);

/** The event, or one with empty documents in place of unreadable ones and the reason. */
function eventOf(event: StoredEvent): ReadEventItem {
  if (isReadable(event)) return { event };
  const { data, metadata } = event;
  const [field, unreadable] =
    data instanceof Unreadable ? ['data', data] : ['metadata', metadata as Unreadable];
  const { streamId, version, eventId, type } = event;
  return {
    event: {
      ...event,
      data: data instanceof Unreadable ? {} : data,
      metadata: metadata instanceof Unreadable ? {} : metadata,
    },
    error: new CorruptEventError(streamId, version, eventId, type, field, unreadable.reason),
  };
}

/**
 * The event an item stores, in either layout, without throwing for data that cannot be read:
 * for readers that need only its key, type and time, or that hand the reason on.
 */
export function readEventItem(item: Record<string, AttributeValue>): ReadEventItem {
  return eventOf({
    streamId: item.streamId!.S!,
    version: Number(item.version!.N),
    eventId: item.eventId!.S!,
    type: item.type!.S!,
    schemaVersion: Number(item.sv?.N ?? item.schemaVersion?.N ?? 1),
    data: documentOf(item.data),
    metadata: documentOf(item.meta ?? item.metadata),
    recordedAt: (item.at ?? item.recordedAt)!.S!,
    ...(item.h?.S !== undefined ? { hash: item.h.S } : {}),
  });
}

/** The event an item stores, in either layout; `CorruptEventError` when its JSON is broken. */
export function eventFromItem(item: Record<string, AttributeValue>): RecordedEvent {
  const { event, error } = readEventItem(item);
  if (error) throw error;
  return event;
}

/** The event in an item already unmarshalled (as the document client returns it). */
export function eventFromAttributes(raw: Record<string, unknown>): RecordedEvent {
  const { event, error } = eventOf({
    streamId: raw.streamId as string,
    version: raw.version as number,
    eventId: raw.eventId as string,
    type: raw.type as string,
    schemaVersion: ((raw.sv ?? raw.schemaVersion) as number | undefined) ?? 1,
    data: documentIn(raw.data),
    metadata: documentIn(raw.meta ?? raw.metadata),
    recordedAt: (raw.at ?? raw.recordedAt) as string,
    ...(typeof raw.h === 'string' ? { hash: raw.h } : {}),
  });
  if (error) throw error;
  return event;
}

/** Whether a DynamoDB item is an event item (stream consumers also see other writes). */
export function isEventItem(item: Record<string, AttributeValue> | undefined): boolean {
  return item?.streamId?.S !== undefined && item.version?.N !== undefined && !!item.type?.S;
}

export interface PreparedEvent {
  readonly event: RecordedEvent;
  readonly item: Record<string, AttributeValue>;
}

/** A new event whose data its catalogue has checked, at its type's current schema version. */
export type CheckedEvent = NewEvent & { readonly schemaVersion: number };

function storableItem(event: RecordedEvent, index: number): Record<string, AttributeValue> {
  try {
    return eventItem(event);
  } catch (error) {
    throw new InvalidEventError(
      `events[${index}] cannot be stored: ${(error as Error).message}`,
      `events[${index}].data`,
    );
  }
}

/**
 * How `prepareEvents` hashes an item: `eventHash` over its stored fields, chained to the hash
 * before it. A seam for one caller only: the benchmark (bench/sections/history-appends.ts)
 * replaces `hash` for some of its appends, to time the same store with and without hashing.
 * Nothing else may: an event stored with any other hash fails verification.
 */
export const itemHashing = {
  hash: (item: Record<string, AttributeValue>, previousHash: string | undefined): string =>
    eventHash(storedFieldsOf(item)!, previousHash),
};

/** The event and its item, both carrying the hash of the item's stored fields. */
function sealed(
  event: RecordedEvent,
  item: Record<string, AttributeValue>,
  previousHash: string | undefined,
): PreparedEvent {
  const hash = itemHashing.hash(item, previousHash);
  return { event: { ...event, hash }, item: { ...item, h: { S: hash } } };
}

/** What new events are recorded with, besides their own content. */
export interface PrepareContext {
  readonly recordedAt: string;
  readonly newEventId: () => string;
  readonly metadata: EventMetadata | undefined;
  /** Hash of the stream's event before the first new one; undefined when none or unhashed. */
  readonly previousHash: string | undefined;
}

/**
 * Turns checked events into the items to write, each hashed and chained to the one before it,
 * refusing oversized ones.
 */
export function prepareEvents(
  streamId: string,
  firstVersion: number,
  events: readonly CheckedEvent[],
  context: PrepareContext,
): PreparedEvent[] {
  let previousHash = context.previousHash;
  return events.map((newEvent, index) => {
    const event: RecordedEvent = {
      streamId,
      version: firstVersion + index,
      eventId: newEvent.eventId ?? context.newEventId(),
      type: newEvent.type,
      schemaVersion: newEvent.schemaVersion,
      data: newEvent.data,
      metadata: newEvent.metadata
        ? { ...context.metadata, ...newEvent.metadata }
        : (context.metadata ?? {}),
      recordedAt: context.recordedAt,
    };
    const prepared = sealed(event, storableItem(event, index), previousHash);
    if (!fitsInItem(prepared.item)) {
      throw new EventTooLargeError(event.type, itemBytes(prepared.item), MAX_ITEM_BYTES);
    }
    previousHash = prepared.event.hash;
    return prepared;
  });
}

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { CorruptEventError, EventTooLargeError, InvalidEventError } from './errors';
import { MAX_ITEM_BYTES, fitsInItem, itemBytes } from './item-size';
import type { EventMetadata, NewEvent, RecordedEvent } from './types';

export { validateExpectedVersion, validateNewEvents, validateStreamId } from './event-validation';

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
  return item;
}

const isEmpty = (value: object) => {
  for (const _ in value) return false;
  return true;
};

type EventHeader = Omit<RecordedEvent, 'data' | 'metadata'>;

/** A stored event and, when its data or metadata cannot be read at all, why. */
export interface ReadEventItem {
  /** The event; its data and metadata are empty when `error` says they cannot be read. */
  readonly event: RecordedEvent;
  readonly error?: CorruptEventError;
}

/**
 * A document stored as JSON in a string, a map of the first layout, or already unmarshalled.
 * JSON that does not parse to an object is a corrupt event: no schema can be asked about it.
 */
function documentOf(value: unknown, field: string, header: EventHeader): Record<string, unknown> {
  if (value === undefined) return {};
  let document: unknown = value;
  let reason = 'not a JSON object';
  if (typeof value === 'string') {
    try {
      document = JSON.parse(value);
    } catch (error) {
      document = undefined;
      reason = `not JSON: ${(error as Error).message}`;
    }
  }
  if (typeof document === 'object' && document !== null && !Array.isArray(document)) {
    return document as Record<string, unknown>;
  }
  const { streamId, version, eventId, type } = header;
  throw new CorruptEventError(streamId, version, eventId, type, field, reason);
}

function readDocuments(header: EventHeader, data: unknown, metadata: unknown): ReadEventItem {
  try {
    return {
      event: {
        ...header,
        data: documentOf(data, 'data', header),
        metadata: documentOf(metadata, 'metadata', header),
      },
    };
  } catch (error) {
    if (!(error instanceof CorruptEventError)) throw error;
    return { event: { ...header, data: {}, metadata: {} }, error };
  }
}

/**
 * The event an item stores, in either layout, without throwing for data that cannot be read:
 * for readers that need only its key, type and time, or that hand the reason on.
 */
export function readEventItem(item: Record<string, AttributeValue>): ReadEventItem {
  const header: EventHeader = {
    streamId: item.streamId!.S!,
    version: Number(item.version!.N),
    eventId: item.eventId!.S!,
    type: item.type!.S!,
    schemaVersion: Number(item.sv?.N ?? item.schemaVersion?.N ?? 1),
    recordedAt: (item.at ?? item.recordedAt)!.S!,
  };
  const document = (value: AttributeValue | undefined) =>
    value?.M !== undefined ? unmarshall(value.M) : value?.S;
  return readDocuments(header, document(item.data), document(item.meta ?? item.metadata));
}

/** The event an item stores, in either layout; `CorruptEventError` when its JSON is broken. */
export function eventFromItem(item: Record<string, AttributeValue>): RecordedEvent {
  const { event, error } = readEventItem(item);
  if (error) throw error;
  return event;
}

/** The event in an item already unmarshalled (as the document client returns it). */
export function eventFromAttributes(raw: Record<string, unknown>): RecordedEvent {
  const header: EventHeader = {
    streamId: raw.streamId as string,
    version: raw.version as number,
    eventId: raw.eventId as string,
    type: raw.type as string,
    schemaVersion: ((raw.sv ?? raw.schemaVersion) as number | undefined) ?? 1,
    recordedAt: (raw.at ?? raw.recordedAt) as string,
  };
  const { event, error } = readDocuments(header, raw.data, raw.meta ?? raw.metadata);
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

/** Turns checked events into the items to write, refusing oversized ones. */
export function prepareEvents(
  streamId: string,
  firstVersion: number,
  events: readonly CheckedEvent[],
  context: {
    recordedAt: string;
    newEventId: () => string;
    metadata: EventMetadata | undefined;
  },
): PreparedEvent[] {
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
    const item = storableItem(event, index);
    if (!fitsInItem(item)) {
      throw new EventTooLargeError(event.type, itemBytes(item), MAX_ITEM_BYTES);
    }
    return { event, item };
  });
}

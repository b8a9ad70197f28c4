import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { EventTooLargeError, InvalidEventError } from './errors';
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

/** A document (JSON in a string, a map of the first layout, or already unmarshalled). */
function documentOf(value: AttributeValue | undefined): Record<string, unknown> {
  if (value?.S !== undefined) return JSON.parse(value.S) as Record<string, unknown>;
  if (value?.M !== undefined) return unmarshall(value.M);
  return {};
}

/** The event an item stores, in either layout. */
export function eventFromItem(item: Record<string, AttributeValue>): RecordedEvent {
  return {
    streamId: item.streamId!.S!,
    version: Number(item.version!.N),
    eventId: item.eventId!.S!,
    type: item.type!.S!,
    schemaVersion: Number(item.sv?.N ?? item.schemaVersion?.N ?? 1),
    data: documentOf(item.data),
    metadata: documentOf(item.meta ?? item.metadata),
    recordedAt: (item.at ?? item.recordedAt)!.S!,
  };
}

const documentIn = (value: unknown): Record<string, unknown> =>
  typeof value === 'string'
    ? (JSON.parse(value) as Record<string, unknown>)
    : ((value as Record<string, unknown> | undefined) ?? {});

/** The event in an item already unmarshalled (as the document client returns it). */
export function eventFromAttributes(raw: Record<string, unknown>): RecordedEvent {
  return {
    streamId: raw.streamId as string,
    version: raw.version as number,
    eventId: raw.eventId as string,
    type: raw.type as string,
    schemaVersion: ((raw.sv ?? raw.schemaVersion) as number | undefined) ?? 1,
    data: documentIn(raw.data),
    metadata: documentIn(raw.meta ?? raw.metadata),
    recordedAt: (raw.at ?? raw.recordedAt) as string,
  };
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

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { EventTooLargeError, InvalidEventError } from './errors';
import { MAX_ITEM_BYTES, itemBytes } from './item-size';
import type { EventMetadata, ExpectedVersion, NewEvent, RecordedEvent } from './types';

const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,255}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MAX_STREAM_ID_BYTES = 1024;
const MAX_EVENT_ID_LENGTH = 128;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);

export function validateStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidEventError('streamId must be a non-empty string', 'streamId');
  }
  if (Buffer.byteLength(streamId) > MAX_STREAM_ID_BYTES || CONTROL_CHARACTERS.test(streamId)) {
    throw new InvalidEventError(
      `streamId must be at most ${MAX_STREAM_ID_BYTES} bytes without control characters`,
      'streamId',
    );
  }
}

export function validateExpectedVersion(expected: unknown): asserts expected is ExpectedVersion {
  const valid =
    (typeof expected === 'number' && Number.isSafeInteger(expected) && expected >= 0) ||
    expected === 'no_stream' ||
    expected === 'stream_exists' ||
    expected === 'any';
  if (!valid) {
    throw new InvalidEventError(
      "expectedVersion must be a non-negative integer, 'no_stream', 'stream_exists' or 'any'",
      'expectedVersion',
    );
  }
}

// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
function validateNewEvent(event: NewEvent, index: number): void {
  const at = `events[${index}]`;
  if (!isPlainObject(event)) throw new InvalidEventError(`${at} must be an object`, at);
  if (typeof event.type !== 'string' || !EVENT_TYPE_PATTERN.test(event.type)) {
    throw new InvalidEventError(
      `${at}.type must start with a letter and hold at most 256 letters, digits or ._:-`,
      `${at}.type`,
    );
  }
  if (!isPlainObject(event.data)) {
    throw new InvalidEventError(`${at}.data must be an object`, `${at}.data`);
  }
  if (
    event.schemaVersion !== undefined &&
    !(Number.isSafeInteger(event.schemaVersion) && event.schemaVersion >= 1)
  ) {
    throw new InvalidEventError(
      `${at}.schemaVersion must be a positive integer`,
      `${at}.schemaVersion`,
    );
  }
  assertStorableNumbers(event.data, `${at}.data`);
  if (event.metadata !== undefined && !isPlainObject(event.metadata)) {
    throw new InvalidEventError(`${at}.metadata must be an object`, `${at}.metadata`);
  }
  if (
    event.eventId !== undefined &&
    (typeof event.eventId !== 'string' ||
      event.eventId.length === 0 ||
      event.eventId.length > MAX_EVENT_ID_LENGTH)
  ) {
    throw new InvalidEventError(
      `${at}.eventId must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`,
      `${at}.eventId`,
    );
  }
}

function marshallEvent(event: RecordedEvent, index: number): Record<string, AttributeValue> {
  try {
    return marshall(event, { removeUndefinedValues: true });
  } catch (error) {
    throw new InvalidEventError(
      `events[${index}] cannot be stored: ${(error as Error).message}`,
      `events[${index}].data`,
    );
  }
}

/** DynamoDB numbers hold 38 significant digits and magnitudes up to 9.99e125. */
const MAX_DYNAMODB_MAGNITUDE = 9.99e125;

function assertStorableNumbers(value: unknown, path: string): void {
  if (typeof value === 'number') {
    const storable =
      Number.isFinite(value) &&
      Math.abs(value) <= MAX_DYNAMODB_MAGNITUDE &&
      (!Number.isInteger(value) || Number.isSafeInteger(value));
    if (!storable) {
      throw new InvalidEventError(
        `${path} must be a finite number that JavaScript and DynamoDB hold exactly`,
        path,
      );
    }
  }
  if (Array.isArray(value)) value.forEach((v, i) => assertStorableNumbers(v, `${path}[${i}]`));
  else if (isPlainObject(value)) {
    for (const [key, v] of Object.entries(value)) assertStorableNumbers(v, `${path}.${key}`);
  }
}

export interface PreparedEvent {
  readonly event: RecordedEvent;
  readonly item: Record<string, AttributeValue>;
}

/** A new event whose data its catalogue has checked, at its type's current schema version. */
export type CheckedEvent = NewEvent & { readonly schemaVersion: number };

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
      metadata: { ...context.metadata, ...newEvent.metadata },
      recordedAt: context.recordedAt,
    };
    const item = marshallEvent(event, index);
    const size = itemBytes(item);
    if (size > MAX_ITEM_BYTES) throw new EventTooLargeError(event.type, size, MAX_ITEM_BYTES);
    return { event, item };
  });
}

/** Checks every new event without knowing the stream position (used to fail before any I/O). */
export function validateNewEvents(events: readonly NewEvent[]): void {
  events.forEach(validateNewEvent);
}

export function eventFromItem(item: Record<string, AttributeValue>): RecordedEvent {
  return eventFromAttributes(unmarshall(item));
}

/** The event in an item already unmarshalled (as the document client returns it). */
export function eventFromAttributes(raw: Record<string, unknown>): RecordedEvent {
  return {
    streamId: raw.streamId as string,
    version: raw.version as number,
    eventId: raw.eventId as string,
    type: raw.type as string,
    schemaVersion: (raw.schemaVersion as number | undefined) ?? 1,
    data: (raw.data as Record<string, unknown> | undefined) ?? {},
    metadata: (raw.metadata as EventMetadata | undefined) ?? {},
    recordedAt: raw.recordedAt as string,
  };
}

/** Whether a DynamoDB item is an event item (stream consumers also see other writes). */
export function isEventItem(item: Record<string, AttributeValue> | undefined): boolean {
  return item?.streamId?.S !== undefined && item.version?.N !== undefined && !!item.type?.S;
}

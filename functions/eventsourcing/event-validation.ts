import { InvalidEventError } from './errors.js';
import type { ExpectedVersion, NewEvent } from './types.js';

const EVENT_TYPE_PATTERN = /^[A-Za-z][A-Za-z0-9._:-]{0,255}$/;
// eslint-disable-next-line no-control-regex -- control characters are what stream ids and event types may not hold
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
const MAX_STREAM_ID_BYTES = 1024;
const MAX_EVENT_ID_LENGTH = 128;
/** DynamoDB numbers hold 38 significant digits and magnitudes up to 9.99e125. */
const MAX_DYNAMODB_MAGNITUDE = 9.99e125;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === Object.prototype || prototype === null;
};

export function validateStreamId(streamId: unknown): asserts streamId is string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidEventError('streamId must be a non-empty string', 'streamId');
  }
  // A UTF-16 length within a third of the limit cannot exceed it in UTF-8 bytes.
  const tooLong =
    streamId.length * 3 > MAX_STREAM_ID_BYTES && Buffer.byteLength(streamId) > MAX_STREAM_ID_BYTES;
  if (tooLong || CONTROL_CHARACTERS.test(streamId)) {
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

const isValidSchemaVersion = (version: unknown) =>
  version === undefined || (Number.isSafeInteger(version) && (version as number) >= 1);

const isValidEventId = (id: unknown) =>
  id === undefined || (typeof id === 'string' && id.length > 0 && id.length <= MAX_EVENT_ID_LENGTH);

/** An X-Ray trace id: version 1, the epoch seconds and 96 random bits, in hex. */
export const isTraceId = (value: unknown): value is string =>
  typeof value === 'string' && /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(value);

function validateMetadata(metadata: NewEvent['metadata'], at: string): void {
  if (metadata !== undefined && !isPlainObject(metadata)) {
    throw new InvalidEventError(`${at}.metadata must be an object`, `${at}.metadata`);
  }
  assertStorable(metadata, `${at}.metadata`);
  if (metadata?.traceId !== undefined && !isTraceId(metadata.traceId)) {
    throw new InvalidEventError(
      `${at}.metadata.traceId must be an X-Ray trace id (1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx)`,
      `${at}.metadata.traceId`,
    );
  }
}

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
  if (!isValidSchemaVersion(event.schemaVersion)) {
    throw new InvalidEventError(
      `${at}.schemaVersion must be a positive integer`,
      `${at}.schemaVersion`,
    );
  }
  assertStorable(event.data, `${at}.data`);
  validateMetadata(event.metadata, at);
  if (!isValidEventId(event.eventId)) {
    throw new InvalidEventError(
      `${at}.eventId must be a string of 1 to ${MAX_EVENT_ID_LENGTH} characters`,
      `${at}.eventId`,
    );
  }
}

const isStorableNumber = (value: number) =>
  Number.isFinite(value) &&
  Math.abs(value) <= MAX_DYNAMODB_MAGNITUDE &&
  (!Number.isInteger(value) || Number.isSafeInteger(value));

/**
 * Where below `value` the first value lies that an event item cannot hold exactly ('' for
 * `value` itself), or undefined when it holds only JSON values with exact numbers. Paths are
 * built only on the way back from a fault, so a valid event costs one walk and no strings.
 */
function unstorablePath(value: unknown): string | undefined {
  if (typeof value === 'number') return isStorableNumber(value) ? undefined : '';
  if (typeof value === 'object') return value === null ? undefined : unstorablePathIn(value);
  // Neither JSON nor DynamoDB holds a bigint, function or symbol.
  return PLAIN_SCALARS.has(typeof value) ? undefined : '';
}

const PLAIN_SCALARS = new Set(['string', 'boolean', 'undefined']);

function unstorablePathIn(value: object): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const below = unstorablePath(value[i]);
      if (below !== undefined) return `[${i}]${below}`;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return '';
  for (const key in value) {
    const below = unstorablePath(value[key]);
    if (below !== undefined) return `.${key}${below}`;
  }
  return undefined;
}

function assertStorable(value: unknown, path: string): void {
  const below = unstorablePath(value);
  if (below === undefined) return;
  throw new InvalidEventError(
    `${path}${below} must be a string, a boolean, null, a plain object, an array or a finite number that JavaScript and DynamoDB hold exactly`,
    `${path}${below}`,
  );
}

/** Checks every new event without knowing the stream position (used to fail before any I/O). */
export function validateNewEvents(events: readonly NewEvent[]): void {
  events.forEach(validateNewEvent);
}

/** DynamoDB's limit of actions in one TransactWriteItems call. */
export const MAX_TRANSACTION_ACTIONS = 100;

/** The most events one append can hold: one action of its transaction puts the stream's head. */
export const MAX_EVENTS_PER_APPEND = MAX_TRANSACTION_ACTIONS - 1;

export const isExact = (expected: ExpectedVersion): expected is number | 'no_stream' =>
  typeof expected === 'number' || expected === 'no_stream';
/** The version after which an exact expected version appends. */
export const baseOf = (expected: number | 'no_stream') => (expected === 'no_stream' ? 0 : expected);

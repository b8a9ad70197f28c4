import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { hash as digest } from 'node:crypto';
import { HASH_BYTES, ZERO_HASH, fromHex } from './encoding.js';

/** Names this encoding: a later one gets another name, so hashes of the two never collide. */
const EVENT_HASH_DOMAIN = 'dynamo-event-sourcing/event/v1';

/**
 * An event's fields exactly as its item stores them: `data` and `meta` are the stored JSON
 * strings, not the objects they decode to, so encrypting fields or moving the item to another
 * storage tier never changes what is hashed.
 */
export interface StoredEventFields {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  readonly data: string;
  /** Absent when the event has no metadata. */
  readonly meta: string | undefined;
}

const TWO_TO_32 = 2 ** 32;

/**
 * Writes the encoding of docs/integrity.md section 1 into one buffer sized up front: the verifier
 * hashes every event it checks, and this is the hot part of it (`HashInput` spells out the same
 * bytes field by field, and a test holds the two equal).
 */
class EventEncoding {
  private readonly bytes: Buffer;
  private offset = 0;

  constructor(length: number) {
    this.bytes = Buffer.allocUnsafe(length);
  }

  static textLength = (value: string) => 4 + Buffer.byteLength(value, 'utf8');

  text(value: string): this {
    const length = this.bytes.write(value, this.offset + 4, 'utf8');
    this.bytes.writeUInt32BE(length, this.offset);
    this.offset += 4 + length;
    return this;
  }

  integer(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${value} is not a non-negative safe integer`);
    }
    this.bytes.writeUInt32BE(Math.floor(value / TWO_TO_32), this.offset);
    this.bytes.writeUInt32BE(value % TWO_TO_32, this.offset + 4);
    this.offset += 8;
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.offset);
    this.offset += bytes.length;
    return this;
  }

  byte(value: number): this {
    this.bytes[this.offset++] = value;
    return this;
  }

  done(): Buffer {
    return this.bytes;
  }
}

/** The bytes an event's hash is taken over (docs/integrity.md, section 1). */
export function eventHashInput(
  fields: StoredEventFields,
  previousHash: string | undefined,
): Buffer {
  const { textLength } = EventEncoding;
  const length =
    textLength(EVENT_HASH_DOMAIN) +
    HASH_BYTES +
    textLength(fields.streamId) +
    8 +
    textLength(fields.eventId) +
    textLength(fields.type) +
    8 +
    textLength(fields.recordedAt) +
    textLength(fields.data) +
    1 +
    (fields.meta === undefined ? 0 : textLength(fields.meta));
  const encoding = new EventEncoding(length)
    .text(EVENT_HASH_DOMAIN)
    .raw(previousHash === undefined ? ZERO_HASH : fromHex(previousHash))
    .text(fields.streamId)
    .integer(fields.version)
    .text(fields.eventId)
    .text(fields.type)
    .integer(fields.schemaVersion)
    .text(fields.recordedAt)
    .text(fields.data);
  return (fields.meta === undefined ? encoding.byte(0) : encoding.byte(1).text(fields.meta)).done();
}

/**
 * The hash of one event, chained to the hash of the event before it in its stream (hex), or to
 * 32 zero bytes for the stream's first hashed event. See docs/integrity.md for the encoding.
 */
export const eventHash = (fields: StoredEventFields, previousHash: string | undefined): string =>
  digest('sha256', eventHashInput(fields, previousHash), 'hex');

/**
 * The stored fields of an event item in the compact layout; undefined for an item of the first
 * layout (maps instead of JSON strings), which was written before events were hashed.
 */
export function storedFieldsOf(
  item: Record<string, AttributeValue>,
): StoredEventFields | undefined {
  const data = item.data?.S;
  const at = item.at?.S;
  if (data === undefined || at === undefined) return undefined;
  return {
    streamId: item.streamId!.S!,
    version: Number(item.version!.N),
    eventId: item.eventId!.S!,
    type: item.type!.S!,
    schemaVersion: Number(item.sv?.N ?? 1),
    recordedAt: at,
    data,
    meta: item.meta?.S,
  };
}

/** The hash an item stores (attribute `h`), if any. Never trusted by the verifier. */
export const storedHashOf = (item: Record<string, AttributeValue>): string | undefined => item.h?.S;

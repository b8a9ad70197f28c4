import { HASH_BYTES, ZERO_HASH, fromHex } from './encoding.js';

/** Names this encoding: a later one gets another name, so leaves of the two never collide. */
const LEAF_DOMAIN = Buffer.from('dynamo-event-sourcing/leaf/v1', 'utf8');

/** What one position of the global log contributes to a checkpoint's Merkle tree. */
export interface LeafFields {
  /** The event's position in the global log (from 1). */
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  /** The event's stored hash `h` (hex); undefined for an unsealed event (written before hashing). */
  readonly hash: string | undefined;
}

const TWO_TO_32 = 2 ** 32;

/** integer(n): a non-negative safe integer as 64 bits, big-endian (no BigInt: this runs hot). */
function writeInteger(bytes: Buffer, name: string, value: number, offset: number): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`The ${name} ${value} is not a non-negative safe integer`);
  }
  bytes.writeUInt32BE(Math.floor(value / TWO_TO_32), offset);
  return bytes.writeUInt32BE(value % TWO_TO_32, offset + 4);
}

/**
 * The bytes of the leaf of one global-log position (docs/integrity.md, section 2):
 * text(domain) ‖ integer(position) ‖ text(streamId) ‖ integer(version) ‖ raw(hash or 32 zeros),
 * written into one buffer (the sealer encodes every position it seals). `RangeError` for a hash
 * that is not 64 lowercase hex digits, or a position or version that is not a non-negative safe
 * integer.
 */
export function leafBytes(fields: LeafFields): Buffer {
  const hash = fields.hash === undefined ? ZERO_HASH : fromHex(fields.hash);
  const streamIdLength = Buffer.byteLength(fields.streamId, 'utf8');
  const length = 4 + LEAF_DOMAIN.length + 8 + 4 + streamIdLength + 8 + HASH_BYTES;
  const bytes = Buffer.allocUnsafe(length);
  let offset = bytes.writeUInt32BE(LEAF_DOMAIN.length, 0);
  offset += LEAF_DOMAIN.copy(bytes, offset);
  offset = writeInteger(bytes, 'position', fields.position, offset);
  offset = bytes.writeUInt32BE(streamIdLength, offset);
  offset += bytes.write(fields.streamId, offset, 'utf8');
  offset = writeInteger(bytes, 'version', fields.version, offset);
  hash.copy(bytes, offset);
  return bytes;
}

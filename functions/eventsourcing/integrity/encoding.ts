import { createHash } from 'node:crypto';

/**
 * The byte encoding every hash of verifiable history is taken over (docs/integrity.md): each
 * field is written with its length first, so no two different lists of fields encode alike.
 */
export class HashInput {
  private readonly parts: Buffer[] = [];

  /** A UTF-8 string: its byte length as a 32-bit big-endian integer, then its bytes. */
  text(value: string): this {
    const bytes = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    this.parts.push(length, bytes);
    return this;
  }

  /** A string that may be absent: one byte 0 when absent, else 1 and the string. */
  optionalText(value: string | undefined): this {
    this.parts.push(Buffer.of(value === undefined ? 0 : 1));
    return value === undefined ? this : this.text(value);
  }

  /** A non-negative safe integer as a 64-bit big-endian integer. */
  integer(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`${value} is not a non-negative safe integer`);
    }
    const bytes = Buffer.alloc(8);
    bytes.writeBigUInt64BE(BigInt(value));
    this.parts.push(bytes);
    return this;
  }

  /** Raw bytes of a fixed length (a hash), written as they are. */
  raw(bytes: Uint8Array): this {
    this.parts.push(Buffer.from(bytes));
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** SHA-256 of the bytes. */
export const sha256 = (...chunks: readonly Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
};

/** Bytes of a SHA-256 hash. */
export const HASH_BYTES = 32;

/** 32 zero bytes: the "previous hash" of a stream's first hashed event. */
export const ZERO_HASH = Buffer.alloc(HASH_BYTES);

/** A hash as stored and shown: 64 lowercase hexadecimal digits. */
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const HEX_HASH = /^[0-9a-f]{64}$/;

/** Whether a string is a hash as stored (64 lowercase hexadecimal digits). */
export const isHexHash = (value: unknown): value is string =>
  typeof value === 'string' && HEX_HASH.test(value);

/** The bytes of a stored hash; `RangeError` for anything but 64 lowercase hex digits. */
export function fromHex(value: string): Buffer {
  if (!isHexHash(value)) throw new RangeError(`'${String(value)}' is not a SHA-256 hash in hex`);
  return Buffer.from(value, 'hex');
}

import { createHash } from 'node:crypto';
import { S3Refusal } from './errors';

/** The flexible checksums S3 verifies, by the suffix of their `x-amz-checksum-*` header. */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** The table of a reflected 32-bit CRC. */
function crc32Table(polynomial: number): Uint32Array {
  return Uint32Array.from({ length: 256 }, (_, index) => {
    let crc = index;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    return crc >>> 0;
  });
}

const CRC32 = crc32Table(0xedb88320);
const CRC32C = crc32Table(0x82f63b78);

function crc32Of(table: Uint32Array, data: Uint8Array): Buffer {
  let crc = 0xffffffff;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  const digest = Buffer.alloc(4);
  digest.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return digest;
}

/**
 * CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), with the 64-bit register kept as two
 * 32-bit halves: plain numbers are much faster than bigint over an object's bytes.
 */
const CRC64_HIGH = new Uint32Array(256);
const CRC64_LOW = new Uint32Array(256);
for (let index = 0; index < 256; index += 1) {
  let [high, low] = [0, index];
  for (let bit = 0; bit < 8; bit += 1) {
    const carry = low & 1;
    low = ((low >>> 1) | ((high & 1) << 31)) >>> 0;
    high >>>= 1;
    if (carry) [high, low] = [(high ^ 0x9a6c9329) >>> 0, (low ^ 0xac4bc9b5) >>> 0];
  }
  [CRC64_HIGH[index], CRC64_LOW[index]] = [high, low];
}

function crc64NvmeOf(data: Uint8Array): Buffer {
  let [high, low] = [0xffffffff, 0xffffffff];
  for (const byte of data) {
    const index = (low ^ byte) & 0xff;
    low = (((low >>> 8) | ((high & 0xff) << 24)) ^ CRC64_LOW[index]!) >>> 0;
    high = ((high >>> 8) ^ CRC64_HIGH[index]!) >>> 0;
  }
  const digest = Buffer.alloc(8);
  digest.writeUInt32BE((high ^ 0xffffffff) >>> 0, 0);
  digest.writeUInt32BE((low ^ 0xffffffff) >>> 0, 4);
  return digest;
}

/** The checksum of `data` as S3 writes it in headers: the digest's bytes in base64. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  const digest = {
    crc32: () => crc32Of(CRC32, data),
    crc32c: () => crc32Of(CRC32C, data),
    crc64nvme: () => crc64NvmeOf(data),
    sha1: () => createHash('sha1').update(data).digest(),
    sha256: () => createHash('sha256').update(data).digest(),
  }[algorithm]();
  return digest.toString('base64');
}

const isAlgorithm = (name: string): name is ChecksumAlgorithm =>
  (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);

/**
 * Checks every checksum a request carries, in a header or a trailer, against the payload, as S3
 * does (`BadDigest`); a request naming an algorithm (`x-amz-sdk-checksum-algorithm`) must carry
 * its checksum.
 */
export function verifyChecksums(
  fields: Readonly<Record<string, string | undefined>>,
  payload: Uint8Array,
): void {
  const named = fields['x-amz-sdk-checksum-algorithm']?.toLowerCase();
  if (named && (!isAlgorithm(named) || fields[`x-amz-checksum-${named}`] === undefined)) {
    throw new S3Refusal(
      'InvalidRequest',
      400,
      'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
    );
  }
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const given = fields[`x-amz-checksum-${algorithm}`];
    if (given !== undefined && given !== checksumOf(algorithm, payload)) {
      throw new S3Refusal(
        'BadDigest',
        400,
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    }
  }
}

import { randomFillSync } from 'node:crypto';
import { monotonicFactory, type ULIDFactory } from 'ulid';

const POOL_BYTES = 4096;

/**
 * Cryptographically strong random fractions in [0, 1), one byte each, drawn from a pool the
 * operating system refills 4 KB at a time. The `ulid` package's default source asks for one
 * byte per character, sixteen calls per id, which made id generation the largest cost of an
 * append after the request itself.
 */
export function pooledRandom(): () => number {
  const pool = new Uint8Array(POOL_BYTES);
  let next = POOL_BYTES;
  return () => {
    if (next === POOL_BYTES) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++]! / 256;
  };
}

/** Event ids: ULIDs, increasing within a process even within one millisecond. */
export function eventIdFactory(): ULIDFactory {
  return monotonicFactory(pooledRandom());
}

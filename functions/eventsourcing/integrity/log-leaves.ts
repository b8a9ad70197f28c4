import type { GlobalLogReader } from '../global-log/reader.js';
import type { LeafReference } from '../global-log/references.js';
import { toHex } from './encoding.js';
import { leafBytes } from './leaf.js';
import { leafHash, merkleRoot } from './merkle.js';

/** Positions read from the log per request. */
const READ_CHUNK = 1000;

/** The log's leaves after `after`, up to `until`, as far as the log holds them in one run. */
export async function readLeaves(
  reader: GlobalLogReader,
  after: number,
  until: number,
): Promise<LeafReference[]> {
  const leaves: LeafReference[] = [];
  for (let from = after; from < until;) {
    const { events, next } = await reader.leaves(from, Math.min(READ_CHUNK, until - from));
    leaves.push(...events);
    if (events.length === 0 || next === from) break;
    from = next;
  }
  return leaves;
}

/** The Merkle tree's leaf hashes of consecutive positions, in order. */
export const leafHashesOf = (leaves: readonly LeafReference[]): Buffer[] =>
  leaves.map((leaf) =>
    leafHash(
      leafBytes({
        position: leaf.position,
        streamId: leaf.streamId,
        version: leaf.version,
        hash: leaf.hash,
      }),
    ),
  );

/** The root (hex) of the tree over consecutive positions. */
export const leafRoot = (leaves: readonly LeafReference[]): string =>
  toHex(merkleRoot(leafHashesOf(leaves)));

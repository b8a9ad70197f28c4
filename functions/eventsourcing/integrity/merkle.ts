import { hash as digest } from 'node:crypto';
import { HASH_BYTES } from './encoding.js';
import { EventSourcingError } from '../errors.js';

/**
 * The Merkle tree of RFC 6962 section 2.1 (RFC 9162 section 2.1): leaf and node hashes with
 * distinct prefixes, trees split at the largest power of two below their size, audit paths and
 * their verification. Hashes are 32-byte buffers.
 */

const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/** An inclusion proof that cannot belong to any tree of the size it claims. */
export class InclusionProofError extends EventSourcingError {
  readonly code = 'InvalidInclusionProof';
  constructor(message: string) {
    super(message);
    this.name = 'InclusionProofError';
  }
}

/** SHA-256 of one prefix byte and the parts, hashed in one call (the sealer hashes millions). */
function prefixedHash(prefix: number, parts: readonly Uint8Array[]): Buffer {
  let length = 1;
  for (const part of parts) length += part.length;
  const input = Buffer.allocUnsafe(length);
  input[0] = prefix;
  let offset = 1;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }
  return digest('sha256', input, 'buffer');
}

/** The hash of a leaf: SHA-256(0x00 ‖ leaf). */
export const leafHash = (leaf: Uint8Array): Buffer => prefixedHash(LEAF_PREFIX, [leaf]);

/** The input of one node hash, reused: hashing is synchronous, so no two calls share it. */
const nodeInput = Buffer.alloc(1 + 2 * HASH_BYTES);

/** The hash of an inner node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_BYTES || right.length !== HASH_BYTES) {
    return prefixedHash(NODE_PREFIX, [left, right]);
  }
  nodeInput[0] = NODE_PREFIX;
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_BYTES);
  return digest('sha256', nodeInput, 'buffer');
}

/** The root of the empty tree: SHA-256 of no bytes (never sealed, defined by the RFC). */
export const EMPTY_TREE_ROOT: Buffer = digest('sha256', Buffer.alloc(0), 'buffer');

/**
 * One level up: siblings paired left to right; a last node without a sibling moves up as it
 * is. Repeating this gives exactly the RFC's tree, whose left subtrees are always perfect.
 */
function parentLevel(level: readonly Buffer[]): Buffer[] {
  const parents: Buffer[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) parents.push(nodeHash(level[i]!, level[i + 1]!));
  if (level.length % 2 === 1) parents.push(level[level.length - 1]!);
  return parents;
}

/** The root hash of the tree over these leaf hashes, in order (RFC 9162 section 2.1.1). */
export function merkleRoot(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return EMPTY_TREE_ROOT;
  let level: readonly Buffer[] = leafHashes;
  while (level.length > 1) level = parentLevel(level);
  return level[0]!;
}

/**
 * The audit path of leaf `index` (RFC 9162 section 2.1.3.1): the sibling hashes from the leaf up
 * to the root. `RangeError` unless `0 <= index < leafHashes.length`.
 */
export function inclusionProof(leafHashes: readonly Buffer[], index: number): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leafHashes.length) {
    throw new RangeError(`Leaf ${index} is not in a tree of ${leafHashes.length} leaves`);
  }
  const path: Buffer[] = [];
  let level: readonly Buffer[] = leafHashes;
  let node = index;
  while (level.length > 1) {
    const sibling = node % 2 === 0 ? node + 1 : node - 1;
    if (sibling < level.length) path.push(level[sibling]!);
    level = parentLevel(level);
    node = Math.floor(node / 2);
  }
  return path;
}

/** Where a proof is checked: the leaf's index and the tree's last index, shifted together. */
interface Cursor {
  fn: number;
  sn: number;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** One step of the verification loop of RFC 9162 section 2.1.3.2. */
function climb(cursor: Cursor, hash: Buffer, sibling: Uint8Array): Buffer {
  if (cursor.sn === 0) throw new InclusionProofError('The audit path is longer than the tree');
  let next: Buffer;
  if (isOdd(cursor.fn) || cursor.fn === cursor.sn) {
    next = nodeHash(sibling, hash);
    while (!isOdd(cursor.fn) && cursor.fn !== 0) {
      cursor.fn = half(cursor.fn);
      cursor.sn = half(cursor.sn);
    }
  } else {
    next = nodeHash(hash, sibling);
  }
  cursor.fn = half(cursor.fn);
  cursor.sn = half(cursor.sn);
  return next;
}

function checkShape(index: number, treeSize: number, hashes: readonly Uint8Array[]): void {
  if (!Number.isSafeInteger(treeSize) || treeSize < 1) {
    throw new InclusionProofError(`${treeSize} is not the size of a non-empty tree`);
  }
  if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
    throw new InclusionProofError(`Leaf ${index} is not in a tree of ${treeSize} leaves`);
  }
  if (hashes.some((hash) => hash.length !== HASH_BYTES)) {
    throw new InclusionProofError(`Every hash of an inclusion proof has ${HASH_BYTES} bytes`);
  }
}

/**
 * The root that the audit path `path` leads to from the leaf hash of leaf `index` of a tree of
 * `treeSize` leaves (RFC 9162 section 2.1.3.2); the proof holds when it equals the tree's root.
 * `InclusionProofError` when the index is not below the tree size, a hash is not 32 bytes, or
 * the path has the wrong length for that index and size.
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  treeSize: number,
  path: readonly Uint8Array[],
): Buffer {
  checkShape(index, treeSize, [leafHash, ...path]);
  const cursor: Cursor = { fn: index, sn: treeSize - 1 };
  let hash: Buffer = Buffer.from(leafHash);
  for (const sibling of path) hash = climb(cursor, hash, sibling);
  if (cursor.sn !== 0) throw new InclusionProofError('The audit path is shorter than the tree');
  return hash;
}

import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashInput } from '../../functions/eventsourcing/integrity/encoding';
import { leafBytes } from '../../functions/eventsourcing/integrity/leaf';
import {
  EMPTY_TREE_ROOT,
  InclusionProofError,
  inclusionProof,
  leafHash,
  merkleRoot,
  nodeHash,
  rootFromInclusionProof,
} from '../../functions/eventsourcing/integrity/merkle';

/** The RFC 6962 test leaves of Certificate Transparency (and trillian), as hex. */
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map((hex) => Buffer.from(hex, 'hex'));

/** Their roots for the trees of the first 1..8 leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** Trillian's inclusion vectors: leaf index, tree size, audit path. */
const PATHS: [number, number, string[]][] = [
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

const hex = (hashes: readonly Buffer[]) => hashes.map((hash) => hash.toString('hex'));
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

/** RFC 6962's definitions written out recursively, as independent of the code under test. */
const largestPowerOfTwoBelow = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return sha(Buffer.of(0), leaves[0]!);
  const k = largestPowerOfTwoBelow(leaves.length);
  return sha(Buffer.of(1), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}
/** PATH(m, D[n]) of RFC 6962 section 2.1.1, each sibling with the side it is on. */
function referencePath(m: number, leaves: readonly Buffer[]): [Buffer, 'L' | 'R'][] {
  if (leaves.length <= 1) return [];
  const k = largestPowerOfTwoBelow(leaves.length);
  const [left, right] = [leaves.slice(0, k), leaves.slice(k)];
  return m < k
    ? [...referencePath(m, left), [referenceRoot(right), 'R']]
    : [...referencePath(m - k, right), [referenceRoot(left), 'L']];
}

/** The sides of the siblings on the path from leaf `m` of a tree of `n` leaves, as PATH has them. */
function sides(m: number, n: number): string {
  if (n <= 1) return '';
  const k = largestPowerOfTwoBelow(n);
  return m < k ? `${sides(m, k)}R` : `${sides(m - k, n - k)}L`;
}

interface Proof {
  leaf: Buffer;
  index: number;
  size: number;
  path: Buffer[];
}

/** Whether a proof leads to `root`; false also when the verifier refuses it. */
function verifies(proof: Proof, root: Buffer) {
  try {
    return rootFromInclusionProof(proof.leaf, proof.index, proof.size, proof.path).equals(root);
  } catch (error) {
    if (error instanceof InclusionProofError) return false;
    throw error;
  }
}

const flipBit = (bytes: Buffer, bit: number) => {
  const copy = Buffer.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
};

describe('Merkle tree (RFC 6962)', () => {
  const hashes = LEAVES.map(leafHash);

  it('gives the RFC 6962 test roots for every size up to eight, and SHA-256("") when empty', () => {
    expect(hex(ROOTS.map((_, i) => merkleRoot(hashes.slice(0, i + 1))))).toEqual(ROOTS);
    expect(merkleRoot([]).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(EMPTY_TREE_ROOT.equals(sha())).toBe(true);
    expect(nodeHash(hashes[0]!, hashes[1]!).toString('hex')).toBe(ROOTS[1]);
  });

  it.each(PATHS)('gives the known audit path of leaf %i in a tree of %i', (index, size, path) => {
    expect(hex(inclusionProof(hashes.slice(0, size), index))).toEqual(path);
    const root = rootFromInclusionProof(
      hashes[index]!,
      index,
      size,
      path.map((h) => Buffer.from(h, 'hex')),
    );
    expect(root.toString('hex')).toBe(ROOTS[size - 1]);
  });

  it('agrees with the recursive definition of roots and paths for every size to 70', () => {
    const leaves = Array.from({ length: 70 }, (_, i) => randomBytes(i % 40));
    for (let size = 0; size <= leaves.length; size++) {
      const tree = leaves.slice(0, size);
      expect(merkleRoot(tree.map(leafHash)).equals(referenceRoot(tree))).toBe(true);
      for (let index = 0; index < size; index++) {
        const expected = referencePath(index, tree).map(([hash]) => hash.toString('hex'));
        expect(hex(inclusionProof(tree.map(leafHash), index))).toEqual(expected);
      }
    }
  });

  it('refuses leaves outside the tree and paths of the wrong length', () => {
    const tree = hashes.slice(0, 5);
    const path = inclusionProof(tree, 1);
    expect(() => inclusionProof(tree, 5)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    const attempts: [number, number, Buffer[]][] = [
      [5, 5, path],
      [1, 0, []],
      [-1, 5, path],
      [1, 5, path.slice(1)],
      [1, 5, [...path, tree[0]!]],
      [1, 5, [tree[0]!, ...path]],
      [1, 5, [path[0]!.subarray(1), ...path.slice(1)]],
      [1.5, 5, path],
    ];
    for (const [index, size, candidate] of attempts) {
      expect(() => rootFromInclusionProof(tree[1]!, index, size, candidate)).toThrow(
        InclusionProofError,
      );
    }
  });

  it('proves every leaf of random trees, and no proof survives a flipped bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer(), (size, seed) => {
        const leaves = Array.from({ length: size }, (_, i) =>
          leafHash(Buffer.from(`${seed}:${i}`)),
        );
        const root = merkleRoot(leaves);
        const wrong: string[] = [];
        const check = (what: string, proof: Proof, expected: boolean) => {
          if (verifies(proof, root) !== expected) wrong.push(`${what} of leaf ${proof.index}`);
        };
        for (let index = 0; index < size; index++) {
          const proof = { leaf: leaves[index]!, index, size, path: inclusionProof(leaves, index) };
          check('the proof', proof, true);
          const bit = (seed >>> 0) % 256;
          check('a flipped leaf', { ...proof, leaf: flipBit(proof.leaf, bit) }, false);
          proof.path.forEach((element, i) => {
            const path = proof.path.with(i, flipBit(element, (bit + i) % 256));
            check(`a flipped path element ${i}`, { ...proof, path }, false);
          });
          for (let b = 0; b < 10; b++) {
            check(`index bit ${b}`, { ...proof, index: index ^ (1 << b) }, false);
            // A tree size only matters through the shape of the path: another size whose path
            // from this leaf has the same shape gives the same root (for instance leaf 0 of 6
            // or 7). A proof binds its size only with the signed checkpoint that states it.
            const other = size ^ (1 << b);
            const sameShape = other > index && sides(index, other) === sides(index, size);
            check(`size bit ${b}`, { ...proof, size: other }, sameShape);
          }
        }
        expect(wrong).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});

describe('leaf bytes', () => {
  const fields = { position: 1307, streamId: 'account-é-1', version: 3, hash: 'ab'.repeat(32) };
  const expected = (hash: Buffer) =>
    new HashInput()
      .text('dynamo-event-sourcing/leaf/v1')
      .integer(fields.position)
      .text(fields.streamId)
      .integer(fields.version)
      .raw(hash)
      .bytes();

  it('encode position, stream, version and hash as the other encodings do', () => {
    expect(leafBytes(fields).equals(expected(Buffer.from(fields.hash, 'hex')))).toBe(true);
    expect(leafBytes({ ...fields, hash: undefined }).equals(expected(Buffer.alloc(32)))).toBe(true);
    const large = { ...fields, position: Number.MAX_SAFE_INTEGER, version: 2 ** 32 + 5 };
    expect(
      leafBytes(large).equals(
        new HashInput()
          .text('dynamo-event-sourcing/leaf/v1')
          .integer(large.position)
          .text(large.streamId)
          .integer(large.version)
          .raw(Buffer.from(fields.hash, 'hex'))
          .bytes(),
      ),
    ).toBe(true);
  });

  it('refuses hashes that are not 64 lowercase hex digits and unsafe integers', () => {
    for (const hash of ['AB'.repeat(32), 'ab'.repeat(31), 'zz'.repeat(32), '']) {
      expect(() => leafBytes({ ...fields, hash })).toThrow(RangeError);
    }
    for (const position of [-1, 1.5, 2 ** 53, Number.NaN]) {
      expect(() => leafBytes({ ...fields, position })).toThrow(RangeError);
      expect(() => leafBytes({ ...fields, version: position })).toThrow(RangeError);
    }
  });
});

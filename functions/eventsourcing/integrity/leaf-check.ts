import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { mapConcurrently } from '../consumers/concurrency.js';
import type { LeafReference } from '../global-log/references.js';
import { checkChain } from './chain-check.js';
import { storedHashOf } from './event-hash.js';
import type { Finding, UnsealedRange } from './findings.js';
import type { StoredEventItems } from './stored-items.js';

type EventItem = Record<string, AttributeValue>;

/** Streams checked side by side. */
const STREAM_CONCURRENCY = 8;

export interface LeafCheckInput {
  readonly items: StoredEventItems;
  /** Consecutive positions of the log, each stream's versions in order. */
  readonly leaves: readonly LeafReference[];
  /** The checkpoint sealing them; undefined for positions not sealed yet. */
  readonly checkpoint: number | undefined;
  /** Whether to report what the chains of these versions show (not when every chain is walked whole). */
  readonly chainFindings: boolean;
}

export interface LeafCheckResult {
  readonly findings: Finding[];
  readonly unsealed: UnsealedRange[];
  readonly events: number;
  readonly streams: number;
}

function byStream(leaves: readonly LeafReference[]): Map<string, LeafReference[]> {
  const streams = new Map<string, LeafReference[]>();
  for (const leaf of leaves) {
    const list = streams.get(leaf.streamId) ?? [];
    list.push(leaf);
    streams.set(leaf.streamId, list);
  }
  return streams;
}

/** Why the event at a leaf is not the event the log recorded there, if it is not. */
function leafProblem(
  leaf: LeafReference,
  item: EventItem | undefined,
  recomputed: string | undefined,
): Pick<Finding, 'kind' | 'detail'> | undefined {
  if (!item) return { kind: 'event-missing', detail: 'the events table no longer holds it' };
  const actual = recomputed ?? storedHashOf(item);
  if (actual === leaf.hash) return undefined;
  return {
    kind: 'event-changed',
    detail: `the log recorded hash ${leaf.hash ?? 'none'}, the stored event hashes to ${actual ?? 'none'}`,
  };
}

async function checkStream(
  input: LeafCheckInput,
  leaves: readonly LeafReference[],
  result: LeafCheckResult,
): Promise<void> {
  const { streamId } = leaves[0]!;
  const first = leaves[0]!.version;
  const stored = await input.items.range(streamId, Math.max(1, first - 1), leaves.at(-1)!.version);
  const previousItem =
    first > 1 ? stored.find((item) => item.version!.N === String(first - 1)) : undefined;
  const items = stored.filter((item) => Number(item.version!.N) >= first);
  const chain = checkChain(items, previousItem);
  if (input.chainFindings) result.findings.push(...chain.findings);
  if (chain.unsealed) result.unsealed.push(chain.unsealed);
  const byVersion = new Map(items.map((item) => [Number(item.version!.N), item]));
  for (const leaf of leaves) {
    const problem = leafProblem(leaf, byVersion.get(leaf.version), chain.hashes.get(leaf.version));
    if (problem) {
      result.findings.push({
        ...problem,
        streamId,
        version: leaf.version,
        position: leaf.position,
        ...(input.checkpoint !== undefined ? { checkpoint: input.checkpoint } : {}),
      });
    }
  }
}

/**
 * Checks the events behind consecutive positions of the log: each must still be in the events
 * table, and its hash, recomputed from its stored fields and chained to the stored hash of the
 * event before it, must be the hash the log recorded at that position.
 */
export async function checkLeaves(input: LeafCheckInput): Promise<LeafCheckResult> {
  const streams = byStream(input.leaves);
  const result: LeafCheckResult = {
    findings: [],
    unsealed: [],
    events: input.leaves.length,
    streams: streams.size,
  };
  await mapConcurrently([...streams.values()], STREAM_CONCURRENCY, (leaves) =>
    checkStream(input, leaves, result),
  );
  return result;
}

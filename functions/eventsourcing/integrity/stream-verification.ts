import type { KeyObject } from 'node:crypto';
import type { GlobalLogReader } from '../global-log/reader.js';
import { checkChain } from './chain-check.js';
import {
  parseStoredCheckpoint,
  verifyCheckpointSignature,
  type StoredCheckpoint,
} from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { Finding, UnsealedRange } from './findings.js';
import { leafRoot, readLeaves } from './log-leaves.js';
import type { SealRecords, SealedRun } from './seal-records.js';
import type { StoredEventItems } from './stored-items.js';

export interface StreamVerificationInput {
  readonly streamId: string;
  readonly items: StoredEventItems;
  readonly records: SealRecords;
  readonly reader: GlobalLogReader;
  readonly checkpoints: CheckpointStore;
  readonly publicKey: KeyObject;
}

export interface StreamVerification {
  readonly findings: Finding[];
  readonly unsealed?: UnsealedRange;
  readonly events: number;
  /** Checkpoints that sealed some of the stream's events, each checked whole. */
  readonly checkpoints: number[];
}

/** Reads a checkpoint, or says why it cannot be trusted. */
async function trustedCheckpoint(
  input: StreamVerificationInput,
  sequence: number,
  findings: Finding[],
): Promise<StoredCheckpoint | undefined> {
  const json = await input.checkpoints.read(sequence);
  if (json === undefined) {
    findings.push({ kind: 'checkpoint-missing', checkpoint: sequence, detail: 'no object stored' });
    return undefined;
  }
  const stored = parseStoredCheckpoint(json);
  if (!verifyCheckpointSignature(stored, input.publicKey)) {
    findings.push({
      kind: 'checkpoint-signature',
      checkpoint: sequence,
      detail: 'its signature does not verify with the public key',
    });
    return undefined;
  }
  return stored;
}

/** Checks one checkpoint's root, then the stream's leaves in it against the recomputed hashes. */
async function checkRuns(
  input: StreamVerificationInput,
  sealed: { readonly sequence: number; readonly runs: readonly SealedRun[] },
  hashes: ReadonlyMap<number, string>,
  findings: Finding[],
): Promise<void> {
  const { sequence, runs } = sealed;
  const stored = await trustedCheckpoint(input, sequence, findings);
  if (!stored) return;
  const { firstPosition, lastPosition, root } = stored.checkpoint;
  const leaves = await readLeaves(input.reader, firstPosition - 1, lastPosition);
  if (leaves.length !== lastPosition - firstPosition + 1 || leafRoot(leaves) !== root) {
    findings.push({
      kind: 'log-root-mismatch',
      checkpoint: sequence,
      position: firstPosition,
      detail: `positions ${firstPosition} to ${lastPosition} of the log do not give the signed root`,
    });
    return;
  }
  for (const run of runs) {
    run.positions.forEach((position, index) => {
      const version = run.firstVersion + index;
      const leaf = leaves[position - firstPosition];
      const recomputed = hashes.get(version);
      if (
        leaf?.streamId === input.streamId &&
        leaf.version === version &&
        leaf.hash === recomputed
      ) {
        return;
      }
      findings.push({
        kind: recomputed === undefined ? 'event-missing' : 'event-changed',
        streamId: input.streamId,
        version,
        position,
        checkpoint: sequence,
        detail: `checkpoint ${sequence} sealed hash ${leaf?.hash ?? 'none'} here; the stored event hashes to ${recomputed ?? 'nothing'}`,
      });
    });
  }
}

/**
 * Checks one stream: its chain from its first event, and every sealed version against the
 * checkpoint that sealed it (signature, root over that checkpoint's positions, and the leaf).
 */
export async function verifyStream(input: StreamVerificationInput): Promise<StreamVerification> {
  const items = await input.items.range(input.streamId, 1);
  const chain = checkChain(items);
  const findings = [...chain.findings];
  const bySequence = new Map<number, SealedRun[]>();
  for (const run of await input.records.sealedRuns(input.streamId)) {
    bySequence.set(run.sequence, [...(bySequence.get(run.sequence) ?? []), run]);
  }
  for (const [sequence, runs] of bySequence) {
    await checkRuns(input, { sequence, runs }, chain.hashes, findings);
  }
  return {
    findings,
    ...(chain.unsealed ? { unsealed: chain.unsealed } : {}),
    events: items.length,
    checkpoints: [...bySequence.keys()],
  };
}

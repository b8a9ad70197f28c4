import type { KeyObject } from 'node:crypto';
import {
  checkpointHash,
  parseStoredCheckpoint,
  verifyCheckpointSignature,
  type CheckpointBody,
  type StoredCheckpoint,
} from './checkpoint.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { Finding } from './findings.js';

/** A checkpoint as the walk found it: readable, and whether its signature holds. */
export interface WalkedCheckpoint {
  readonly stored: StoredCheckpoint;
  readonly signed: boolean;
}

export interface CheckpointWalkInput {
  readonly store: CheckpointStore;
  readonly publicKey: KeyObject;
  /** The log every checkpoint must name. */
  readonly log: string;
  /** First sequence number to check (its predecessor is read for the link). */
  readonly from: number;
  /** The highest sequence number known to have been written (the seal head's), if any. */
  readonly written: number | undefined;
  /** The checkpoint hash recorded for `from - 1` when it was last found sound. */
  readonly verifiedHash?: string;
}

/** What the link from one checkpoint to the next must be. */
interface Link {
  readonly sequence: number;
  readonly firstPosition: number;
  readonly previous: string | null;
}

const linkAfter = (body: CheckpointBody | undefined): Link =>
  body
    ? {
        sequence: body.sequence + 1,
        firstPosition: body.lastPosition + 1,
        previous: checkpointHash(body),
      }
    : { sequence: 1, firstPosition: 1, previous: null };

/** Why a checkpoint does not follow the one before it, if it does not. */
function linkProblem(body: CheckpointBody, link: Link, log: string): string | undefined {
  if (body.log !== log) return `names log '${body.log}', not '${log}'`;
  if (body.sequence !== link.sequence) return `says it is checkpoint ${body.sequence}`;
  if (body.previous !== link.previous) {
    return `names ${body.previous ?? 'no checkpoint'} as previous, not ${link.previous ?? 'none'}`;
  }
  if (body.firstPosition !== link.firstPosition) {
    return `starts at position ${body.firstPosition}, not ${link.firstPosition}`;
  }
  if (body.lastPosition < body.firstPosition) return 'seals no position';
  return undefined;
}

/**
 * Reads checkpoints `from` onwards, in sequence: each must be readable, signed by the key, name
 * the log, and follow the one before it (its hash as `previous`, the next position as its
 * first). Sequence numbers missing from the store, up to the highest written, are findings too.
 */
export async function walkCheckpoints(
  input: CheckpointWalkInput,
  findings: Finding[],
): Promise<WalkedCheckpoint[]> {
  const sequences = await input.store.sequences();
  const highest = Math.max(input.written ?? 0, sequences.at(-1) ?? 0);
  const present = new Set(sequences);
  let previous = input.from > 1 ? await readBody(input, input.from - 1, findings) : undefined;
  if (previous && input.verifiedHash && checkpointHash(previous) !== input.verifiedHash) {
    findings.push({
      kind: 'checkpoint-link',
      checkpoint: input.from - 1,
      detail: 'differs from the checkpoint the verifier found sound before',
    });
  }
  const walked: WalkedCheckpoint[] = [];
  for (let sequence = input.from; sequence <= highest; sequence++) {
    if (!present.has(sequence)) {
      findings.push({
        kind: 'checkpoint-missing',
        checkpoint: sequence,
        detail: 'no object stored',
      });
      previous = undefined;
      continue;
    }
    const stored = await readStored(input, sequence, findings);
    if (!stored) {
      previous = undefined;
      continue;
    }
    walked.push(check(stored, previous, input, findings));
    previous = stored.checkpoint;
  }
  return walked;
}

function check(
  stored: StoredCheckpoint,
  previous: CheckpointBody | undefined,
  input: CheckpointWalkInput,
  findings: Finding[],
): WalkedCheckpoint {
  const { sequence } = stored.checkpoint;
  const signed = verifyCheckpointSignature(stored, input.publicKey);
  if (!signed) {
    findings.push({
      kind: 'checkpoint-signature',
      checkpoint: sequence,
      detail: `its signature does not verify with the public key (it names key ${stored.checkpoint.keyId})`,
    });
  }
  // After a checkpoint that could not be read, the link cannot be checked: that is a finding already.
  if (previous !== undefined || sequence === 1) {
    const problem = linkProblem(stored.checkpoint, linkAfter(previous), input.log);
    if (problem) findings.push({ kind: 'checkpoint-link', checkpoint: sequence, detail: problem });
  }
  return { stored, signed };
}

async function readStored(
  input: CheckpointWalkInput,
  sequence: number,
  findings: Finding[],
): Promise<StoredCheckpoint | undefined> {
  const json = await input.store.read(sequence);
  if (json === undefined) {
    findings.push({ kind: 'checkpoint-missing', checkpoint: sequence, detail: 'no object stored' });
    return undefined;
  }
  try {
    return parseStoredCheckpoint(json);
  } catch (error) {
    findings.push({
      kind: 'checkpoint-unreadable',
      checkpoint: sequence,
      detail: (error as Error).message,
    });
    return undefined;
  }
}

async function readBody(
  input: CheckpointWalkInput,
  sequence: number,
  findings: Finding[],
): Promise<CheckpointBody | undefined> {
  return (await readStored(input, sequence, findings))?.checkpoint;
}

import type { KeyObject } from 'node:crypto';
import {
  canonicalCheckpoint,
  verifyCheckpointSignature,
  type StoredCheckpoint,
} from './checkpoint.js';
import { toHex } from './encoding.js';
import { eventHash, type StoredEventFields } from './event-hash.js';
import { leafBytes } from './leaf.js';
import { inclusionProof, leafHash, rootFromInclusionProof } from './merkle.js';
import {
  PROOF_FORMAT,
  ProofError,
  parseProof,
  type EventProof,
  type ProofStep,
} from './proof-format.js';

export { PROOF_FORMAT, ProofError, parseProof, type ProofStep };
export type { EventProof, ProofEvent, ProofInclusion } from './proof-format.js';

/** What `verifyProof` found: the proof it checked, or the step that failed and why. */
export type ProofVerification =
  | { readonly ok: true; readonly proof: EventProof }
  | { readonly ok: false; readonly step: ProofStep; readonly reason: string };

type Failure = Extract<ProofVerification, { ok: false }>;
const fail = (step: ProofStep, reason: string): Failure => ({ ok: false, step, reason });

/** Step 1: the event's fields and previous hash hash to the proof's `hash`. */
function checkEventHash({ event }: EventProof): Failure | undefined {
  const fields: StoredEventFields = {
    streamId: event.streamId,
    version: event.version,
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    recordedAt: event.recordedAt,
    data: event.data,
    meta: event.meta ?? undefined,
  };
  const computed = eventHash(fields, event.previousHash ?? undefined);
  if (computed === event.hash) return undefined;
  return fail(
    'event-hash',
    `step 1 (event hash): the event's fields hash to ${computed}, the proof says ${event.hash}`,
  );
}

/** Step 2: the leaf's place and the tree's size are those of the checkpoint. */
function checkPlace({ position, inclusion, checkpoint }: EventProof): Failure | undefined {
  const { firstPosition, lastPosition, sequence } = checkpoint.checkpoint;
  const leafIndex = position - firstPosition;
  const treeSize = lastPosition - firstPosition + 1;
  if (inclusion.leafIndex === leafIndex && inclusion.treeSize === treeSize) return undefined;
  return fail(
    'leaf',
    `step 2 (leaf): position ${position} in checkpoint ${sequence} (positions ${firstPosition}..${lastPosition}) ` +
      `is leaf ${leafIndex} of ${treeSize}; the proof says leaf ${inclusion.leafIndex} of ${inclusion.treeSize}`,
  );
}

/** Step 3: the audit path leads from the event's leaf to the checkpoint's root. */
function checkRoot({ event, position, inclusion, checkpoint }: EventProof): Failure | undefined {
  const leaf = leafHash(
    leafBytes({ position, streamId: event.streamId, version: event.version, hash: event.hash }),
  );
  const path = inclusion.auditPath.map((hash) => Buffer.from(hash, 'hex'));
  let root: string;
  try {
    root = toHex(rootFromInclusionProof(leaf, inclusion.leafIndex, inclusion.treeSize, path));
  } catch (error) {
    return fail('root', `step 3 (root): ${(error as Error).message}`);
  }
  if (root === checkpoint.checkpoint.root) return undefined;
  return fail(
    'root',
    `step 3 (root): the audit path leads to ${root}, the checkpoint's root is ${checkpoint.checkpoint.root}`,
  );
}

/** Step 4: the checkpoint's signature verifies with the public key. */
function checkSignature(
  { checkpoint }: EventProof,
  publicKey: string | KeyObject,
): Failure | undefined {
  try {
    if (verifyCheckpointSignature(checkpoint, publicKey)) return undefined;
  } catch (error) {
    return fail('signature', `step 4 (signature): ${(error as Error).message}`);
  }
  return fail(
    'signature',
    `step 4 (signature): checkpoint ${checkpoint.checkpoint.sequence}'s signature does not verify with this public key`,
  );
}

const firstFailure = (proof: EventProof): Failure | undefined =>
  checkEventHash(proof) ?? checkPlace(proof) ?? checkRoot(proof);

/**
 * Checks a proof (parsed JSON) with the public key alone (PEM or key object), in the four steps
 * of docs/integrity.md section 5: the event's hash, its leaf's place in the checkpoint, the
 * root, the checkpoint's signature. The first failure is returned with its step and reason.
 */
export function verifyProof(proof: unknown, publicKeyPem: string | KeyObject): ProofVerification {
  let parsed: EventProof;
  try {
    parsed = parseProof(proof);
  } catch (error) {
    return fail('format', `the proof is malformed: ${(error as Error).message}`);
  }
  return (
    firstFailure(parsed) ?? checkSignature(parsed, publicKeyPem) ?? { ok: true, proof: parsed }
  );
}

/** What a proof is built from: the event as stored, its position, and the checkpoint sealing it. */
export interface BuildProofInput {
  /** The event's fields exactly as stored (`storedFieldsOf` of its item). */
  readonly event: StoredEventFields;
  /** The hash of the event before it in its stream; undefined for the stream's first hashed event. */
  readonly previousHash: string | undefined;
  /** The event's stored hash `h`. */
  readonly hash: string;
  /** The event's position in the global log. */
  readonly position: number;
  /** The leaf hashes of the checkpoint's tree, positions `firstPosition..lastPosition` in order. */
  readonly leafHashes: readonly Buffer[];
  /** The stored checkpoint whose range holds `position`. */
  readonly checkpoint: StoredCheckpoint;
}

/**
 * The proof of one event (docs/integrity.md section 5). Checks steps 1 to 3 before returning:
 * `ProofError` (naming the step) when the event, its position, the leaves and the checkpoint do
 * not agree, so no endpoint ever serves a proof that fails. The signature is not checked here.
 */
export function buildProof(input: BuildProofInput): EventProof {
  const { event, position, checkpoint } = input;
  const { firstPosition, lastPosition, sequence } = checkpoint.checkpoint;
  if (
    position < firstPosition ||
    position > lastPosition ||
    input.leafHashes.length !== lastPosition - firstPosition + 1
  ) {
    throw new ProofError(
      'leaf',
      `Checkpoint ${sequence} seals positions ${firstPosition}..${lastPosition}: position ${position} ` +
        `with ${input.leafHashes.length} leaf hashes does not fit it`,
    );
  }
  const leafIndex = position - firstPosition;
  const proof: EventProof = {
    format: PROOF_FORMAT,
    event: {
      streamId: event.streamId,
      version: event.version,
      eventId: event.eventId,
      type: event.type,
      schemaVersion: event.schemaVersion,
      recordedAt: event.recordedAt,
      data: event.data,
      meta: event.meta ?? null,
      previousHash: input.previousHash ?? null,
      hash: input.hash,
    },
    position,
    inclusion: {
      leafIndex,
      treeSize: input.leafHashes.length,
      auditPath: inclusionProof(input.leafHashes, leafIndex).map(toHex),
    },
    checkpoint: {
      checkpoint: canonicalCheckpoint(checkpoint.checkpoint),
      signatureAlgorithm: checkpoint.signatureAlgorithm,
      signature: checkpoint.signature,
    },
  };
  const failure = firstFailure(proof);
  if (failure) throw new ProofError(failure.step, failure.reason);
  return proof;
}

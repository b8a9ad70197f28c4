import * as z from 'zod';
import { isHexHash } from './encoding.js';
import { parseStoredCheckpoint, type StoredCheckpoint } from './checkpoint.js';
import { EventSourcingError } from '../errors.js';

/** The check of a proof that failed: reading it, or one of the four steps of section 5. */
export type ProofStep = 'format' | 'event-hash' | 'leaf' | 'root' | 'signature';

/** A proof that cannot be read (step `format`) or made (`buildProof`: its pieces do not agree). */
export class ProofError extends EventSourcingError {
  readonly code = 'InvalidProof';
  constructor(
    readonly step: ProofStep,
    message: string,
  ) {
    super(message);
    this.name = 'ProofError';
  }
}

/** The `format` of a proof: a later encoding gets another name. */
export const PROOF_FORMAT = 'dynamo-event-sourcing/proof/v1';

/** The proved event exactly as stored, with the hash before it in its stream and its own. */
export interface ProofEvent {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly recordedAt: string;
  /** The stored JSON string, never re-serialized. */
  readonly data: string;
  /** The stored metadata string; null when the event has none. */
  readonly meta: string | null;
  /** The hash of the event before it in its stream (hex); null for the stream's first hashed event. */
  readonly previousHash: string | null;
  /** The event's hash `h` (hex). */
  readonly hash: string;
}

/** Where the event's leaf sits in the checkpoint's tree, and the path from it to the root. */
export interface ProofInclusion {
  /** `position - firstPosition` of the checkpoint. */
  readonly leafIndex: number;
  /** `lastPosition - firstPosition + 1` of the checkpoint. */
  readonly treeSize: number;
  /** The audit path (RFC 9162 section 2.1.3), hex hashes from the leaf up. */
  readonly auditPath: readonly string[];
}

/** A proof that one event, exactly as stored, is part of a signed checkpoint (docs/integrity.md, section 5). */
export interface EventProof {
  readonly format: typeof PROOF_FORMAT;
  readonly event: ProofEvent;
  /** The event's position in the global log. */
  readonly position: number;
  readonly inclusion: ProofInclusion;
  readonly checkpoint: StoredCheckpoint;
}

const hexHash = z.string().refine(isHexHash, 'expected 64 lowercase hex digits');
const counter = z.int().min(1);

const proofSchema = z.strictObject({
  format: z.literal(PROOF_FORMAT),
  event: z.strictObject({
    streamId: z.string().min(1),
    version: counter,
    eventId: z.string().min(1),
    type: z.string().min(1),
    schemaVersion: counter,
    recordedAt: z.string().min(1),
    data: z.string(),
    meta: z.string().nullable(),
    previousHash: hexHash.nullable(),
    hash: hexHash,
  }),
  position: counter,
  inclusion: z.strictObject({
    leafIndex: z.int().min(0),
    treeSize: counter,
    // A tree of at most 2^53 leaves has paths of at most 53 hashes.
    auditPath: z.array(hexHash).max(53),
  }),
  checkpoint: z.unknown(),
});

/**
 * A proof read from JSON (parsed): exactly the documented members, of the documented types.
 * Throws a `ProofError` naming the first member that is wrong (an `InvalidCheckpointError` for the
 * checkpoint). Whether the proof holds is `verifyProof`'s question.
 */
export function parseProof(json: unknown): EventProof {
  const parsed = proofSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    throw new ProofError('format', `${path || 'the proof'}: ${issue.message}`);
  }
  return { ...parsed.data, checkpoint: parseStoredCheckpoint(parsed.data.checkpoint) };
}

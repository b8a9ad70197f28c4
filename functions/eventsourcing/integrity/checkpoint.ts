import { verify, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { EventSourcingError } from '../errors.js';
import { isHexHash, sha256, toHex } from './encoding.js';
import { checkpointPublicKey } from './public-key.js';

/** The `format` of a checkpoint body: a later encoding gets another name. */
export const CHECKPOINT_FORMAT = 'dynamo-event-sourcing/checkpoint/v1';

/** How checkpoints are signed: KMS's name for ECDSA on P-256 with SHA-256, DER-encoded. */
export const SIGNATURE_ALGORITHM = 'ECDSA_SHA_256';

/** A checkpoint: the Merkle root over global-log positions since the previous checkpoint. */
export interface CheckpointBody {
  readonly format: typeof CHECKPOINT_FORMAT;
  /** The log's name (the stack, or `local`): a checkpoint of one system never passes for another's. */
  readonly log: string;
  /** Counts checkpoints from 1. */
  readonly sequence: number;
  /** The previous checkpoint's `lastPosition + 1` (1 for the first). */
  readonly firstPosition: number;
  readonly lastPosition: number;
  /** The root of the tree over the leaves of `firstPosition..lastPosition` (hex). */
  readonly root: string;
  /** The checkpoint hash of checkpoint `sequence - 1` (hex); null for sequence 1. */
  readonly previous: string | null;
  /** ISO-8601 UTC with milliseconds. */
  readonly sealedAt: string;
  /** A KMS key ARN, or `local:` and 16 hex digits (see `localKeyId`). */
  readonly keyId: string;
}

/** A checkpoint as stored at `checkpointKey(sequence)`: its body and the body's signature. */
export interface StoredCheckpoint {
  readonly checkpoint: CheckpointBody;
  readonly signatureAlgorithm: typeof SIGNATURE_ALGORITHM;
  /** Base64 of the DER-encoded ECDSA signature over `checkpointBytes(checkpoint)`. */
  readonly signature: string;
}

/** A fresh body with exactly the documented members, in the documented order. */
export function canonicalCheckpoint(body: CheckpointBody): CheckpointBody {
  return {
    format: body.format,
    log: body.log,
    sequence: body.sequence,
    firstPosition: body.firstPosition,
    lastPosition: body.lastPosition,
    root: body.root,
    previous: body.previous,
    sealedAt: body.sealedAt,
    keyId: body.keyId,
  };
}

/**
 * The bytes a checkpoint is signed and hashed over: `JSON.stringify` of the canonical body
 * (`canonicalCheckpoint`), so the member order or extra members of the object given never
 * change them.
 */
export const checkpointBytes = (body: CheckpointBody): Buffer =>
  Buffer.from(JSON.stringify(canonicalCheckpoint(body)), 'utf8');

/** The checkpoint hash (hex): SHA-256 of the body's bytes; the next checkpoint's `previous`. */
export const checkpointHash = (body: CheckpointBody): string =>
  toHex(sha256(checkpointBytes(body)));

/** The object key of checkpoint `sequence`: `checkpoints/000000000007.json`. */
export function checkpointKey(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1 || sequence >= 1e12) {
    throw new RangeError(`${sequence} is not a checkpoint sequence (1 to 12 digits)`);
  }
  return `checkpoints/${String(sequence).padStart(12, '0')}.json`;
}

/** The JSON written for a stored checkpoint, its body's members in the documented order. */
export function storedCheckpointJson(stored: StoredCheckpoint): string {
  return JSON.stringify({
    checkpoint: canonicalCheckpoint(stored.checkpoint),
    signatureAlgorithm: stored.signatureAlgorithm,
    signature: stored.signature,
  });
}

/**
 * Whether `signature` is the checkpoint body's ECDSA P-256 SHA-256 signature (DER) under this
 * public key (PEM or key object). `TypeError` for a key that is not a P-256 key.
 */
export function verifyCheckpointSignature(
  stored: StoredCheckpoint,
  publicKeyPem: string | KeyObject,
): boolean {
  const key = checkpointPublicKey(publicKeyPem);
  const signature = Buffer.from(stored.signature, 'base64');
  return verify(
    'sha256',
    checkpointBytes(stored.checkpoint),
    { key, dsaEncoding: 'der' },
    signature,
  );
}

/** A stored checkpoint that does not have the documented shape; `path` names the member. */
export class InvalidCheckpointError extends EventSourcingError {
  readonly code = 'InvalidCheckpoint';
  constructor(
    message: string,
    /** The offending member, as `checkpoint.root`; empty for the object itself. */
    readonly path: string,
  ) {
    super(message);
    this.name = 'InvalidCheckpointError';
  }
}

const ISO_MILLISECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const isIsoTime = (value: string) =>
  ISO_MILLISECONDS.test(value) &&
  !Number.isNaN(Date.parse(value)) &&
  new Date(value).toISOString() === value;

/** Base64 of some bytes exactly as Node writes it: padded, no line breaks, no stray bits. */
const isCanonicalBase64 = (value: string) =>
  value.length > 0 && Buffer.from(value, 'base64').toString('base64') === value;

const hexHash = z.string().refine(isHexHash, 'expected 64 lowercase hex digits');
const position = z.int().min(1);

const checkpointBodySchema = z
  .strictObject({
    format: z.literal(CHECKPOINT_FORMAT),
    log: z.string().min(1),
    sequence: z.int().min(1),
    firstPosition: position,
    lastPosition: position,
    root: hexHash,
    previous: hexHash.nullable(),
    sealedAt: z.string().refine(isIsoTime, 'expected ISO-8601 UTC with milliseconds'),
    keyId: z.string().min(1),
  })
  .refine((body) => body.lastPosition >= body.firstPosition, {
    message: 'a checkpoint seals at least one position: lastPosition >= firstPosition',
    path: ['lastPosition'],
  })
  .refine((body) => (body.sequence === 1) === (body.previous === null), {
    message: 'previous is null for checkpoint 1 and only for it',
    path: ['previous'],
  })
  .refine((body) => body.sequence !== 1 || body.firstPosition === 1, {
    message: 'checkpoint 1 starts at position 1',
    path: ['firstPosition'],
  });

const storedCheckpointSchema = z.strictObject({
  checkpoint: checkpointBodySchema,
  signatureAlgorithm: z.literal(SIGNATURE_ALGORITHM),
  signature: z.string().refine(isCanonicalBase64, 'expected base64 of the DER signature'),
});

/**
 * A stored checkpoint read from JSON (parsed), checked member by member: exactly the documented
 * members, of the documented types, and the rules between them. `InvalidCheckpointError` names
 * the first member that is wrong. The signature is not checked here: see
 * `verifyCheckpointSignature`.
 */
export function parseStoredCheckpoint(json: unknown): StoredCheckpoint {
  const parsed = storedCheckpointSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new InvalidCheckpointError(
    `Not a stored checkpoint: ${path || 'the object'}: ${issue.message}`,
    path,
  );
}

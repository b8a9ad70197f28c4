import {
  SIGNATURE_ALGORITHM,
  canonicalCheckpoint,
  checkpointBytes,
  type CheckpointBody,
  type StoredCheckpoint,
} from './checkpoint.js';

/**
 * What signs checkpoints: a KMS key in AWS (`KmsCheckpointSigner`), a key file locally
 * (`LocalCheckpointSigner`). Both behave as KMS documents `Sign` with `ECDSA_SHA_256` and
 * message type `RAW`, and both fail with errors named as KMS names them (`signingFailureOf`).
 */
export interface CheckpointSigner {
  /** The key id that checkpoints signed with this key carry in `keyId`. */
  readonly keyId: string;
  /** The DER-encoded ECDSA P-256 SHA-256 signature of `message` (1 to 4096 bytes). */
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** The public key that checks the signatures (PEM, SubjectPublicKeyInfo). */
  publicKeyPem(): Promise<string>;
}

/** The largest message KMS signs with message type `RAW`, in bytes. */
export const MAX_RAW_MESSAGE_BYTES = 4096;

/** How a failed signing attempt should be treated, whichever signer failed. */
export type SigningFailure =
  /** The request itself is wrong (a message too large or empty): retrying cannot help. */
  | 'invalid-request'
  /** The key cannot sign: missing, disabled, pending deletion, not allowed. An operator must act. */
  | 'key-unusable'
  /** Throttled or a server fault: retry later. */
  | 'retryable'
  /** Anything else (a network error, a bug). */
  | 'unknown';

const FAILURES = {
  ValidationException: 'invalid-request',
  InvalidKeyUsageException: 'invalid-request',
  InvalidGrantTokenException: 'invalid-request',
  UnsupportedOperationException: 'invalid-request',
  DryRunOperationException: 'invalid-request',
  DisabledException: 'key-unusable',
  KMSInvalidStateException: 'key-unusable',
  NotFoundException: 'key-unusable',
  AccessDeniedException: 'key-unusable',
  IncorrectKeyException: 'key-unusable',
  InvalidCiphertextException: 'invalid-request',
  ThrottlingException: 'retryable',
  LimitExceededException: 'retryable',
  DependencyTimeoutException: 'retryable',
  KMSInternalException: 'retryable',
  KeyUnavailableException: 'retryable',
} as const satisfies Record<string, SigningFailure>;

/** The names of the KMS errors that `signingFailureOf` knows. */
export type KmsErrorName = keyof typeof FAILURES;

/**
 * An error a signer other than KMS raises where KMS would raise one: its `name` is the KMS
 * error's name (`ValidationException`, …), so callers handle both signers alike.
 */
export class KmsLikeError extends Error {
  constructor(name: KmsErrorName, message: string) {
    super(message);
    this.name = name;
  }
}

/** How to treat an error thrown by any `CheckpointSigner`, by its KMS error name. */
export function signingFailureOf(error: unknown): SigningFailure {
  if (!(error instanceof Error)) return 'unknown';
  return Object.hasOwn(FAILURES, error.name) ? FAILURES[error.name as KmsErrorName] : 'unknown';
}

/**
 * Signs a checkpoint body: the stored checkpoint to write at `checkpointKey(body.sequence)`.
 * `RangeError` when the body names another key than the signer's.
 */
export async function signCheckpoint(
  signer: CheckpointSigner,
  body: CheckpointBody,
): Promise<StoredCheckpoint> {
  if (body.keyId !== signer.keyId) {
    throw new RangeError(
      `The checkpoint names key '${body.keyId}', the signer is '${signer.keyId}'`,
    );
  }
  const signature = await signer.sign(checkpointBytes(body));
  return {
    checkpoint: canonicalCheckpoint(body),
    signatureAlgorithm: SIGNATURE_ALGORITHM,
    signature: Buffer.from(signature).toString('base64'),
  };
}

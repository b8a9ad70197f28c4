/**
 * `…/integrity`: verifiable history (docs/integrity.md). Event hashes chained per stream, signed
 * checkpoints of the global log in write-once storage, the verifier, and proofs of single events
 * that anyone can check with the public key alone.
 */
export { eventHash, storedFieldsOf, type StoredEventFields } from './event-hash.js';
export {
  CheckpointOutOfOrderError,
  CheckpointSealer,
  type CheckpointSealerOptions,
  type SealedCheckpoint,
} from './sealer.js';
export {
  HistoryVerifier,
  type HistoryVerifierOptions,
  type VerificationReport,
  type VerifyOptions,
} from './verifier.js';
export type { StreamVerification } from './stream-verification.js';
export { describeFinding, type Finding, type FindingKind, type UnsealedRange } from './findings.js';
export { EventProofs, type EventProofsOptions, type ProofAnswer } from './proofs.js';
export {
  ProofError,
  verifyProof,
  type EventProof,
  type ProofStep,
  type ProofVerification,
} from './proof.js';
export { S3CheckpointStore, type CheckpointStore } from './checkpoint-store.js';
export {
  InvalidCheckpointError,
  checkpointKey,
  parseStoredCheckpoint,
  storedCheckpointJson,
  verifyCheckpointSignature,
  type CheckpointBody,
  type StoredCheckpoint,
} from './checkpoint.js';
export { signCheckpoint, type CheckpointSigner } from './signer.js';
export { LocalCheckpointSigner } from './local-signer.js';
export { KmsCheckpointSigner } from './kms-signer.js';
export {
  HISTORY_LOG_VARIABLE,
  LOCAL_SIGNING_KEY_PREFIX,
  historyLogFromEnv,
  signerFromEnv,
} from './environment.js';
export { SealRecords, type SealHead, type SealedRun } from './seal-records.js';

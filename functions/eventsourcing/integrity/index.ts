/**
 * Verifiable history (docs/integrity.md): event hashes, global-log leaves, the RFC 6962 Merkle
 * tree, signed checkpoints, their signers, and proofs of single events. The offline verifier
 * (`local/verify-proof.ts`) imports the modules it needs directly, so it never loads the KMS
 * client that this index also exports.
 */
export * from './encoding.js';
export * from './event-hash.js';
export * from './leaf.js';
export * from './merkle.js';
export * from './checkpoint.js';
export * from './public-key.js';
export * from './signer.js';
export * from './local-signer.js';
export * from './kms-signer.js';
export * from './proof.js';

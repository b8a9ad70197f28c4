/**
 * Verifiable history (docs/integrity.md): event hashes, global-log leaves, the RFC 6962 Merkle
 * tree, signed checkpoints, their signers, and proofs of single events. The offline verifier
 * (`local/verify-proof.ts`) imports the modules it needs directly, so it never loads the KMS
 * client that this index also exports.
 */
export * from './encoding';
export * from './event-hash';
export * from './leaf';
export * from './merkle';
export * from './checkpoint';
export * from './public-key';
export * from './signer';
export * from './local-signer';
export * from './kms-signer';
export * from './proof';

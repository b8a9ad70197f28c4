/**
 * An asymmetric signing key of the system: in AWS a KMS key (ECC_NIST_P256, SIGN_VERIFY) that
 * never leaves KMS and is retained when the stack is deleted; locally a P-256 key in a file under
 * the stack's data directory. Functions learn which through `SIGNING_KEY_<NAME>`.
 */
export interface SigningKeyDeclaration {
  readonly description: string;
}

/**
 * What a function may do with a signing key; the CDK app grants exactly this.
 * - `sign`: kms:Sign and kms:GetPublicKey
 * - `verify`: kms:GetPublicKey (verification itself needs only the public key)
 */
export type SigningKeyAccess = 'sign' | 'verify';

/** The signing keys a function uses, by logical name, with the access it needs. */
export type SigningKeyGrants = Readonly<Partial<Record<string, SigningKeyAccess>>>;

/** `globalLog` → `GlobalLog`: a declared key as the start of an output id. */
const pascalCase = (key: string) =>
  `${key.charAt(0).toUpperCase()}${key.slice(1).replace(/[^A-Za-z0-9]/g, '')}`;

/**
 * CloudFormation output id of a table's physical name (`globalLog` → `GlobalLogTableName`): the
 * stack writes it, the operator CLI's `--stack` reads it back.
 */
export const tableOutputId = (key: string) => `${pascalCase(key)}TableName`;

/** CloudFormation output id of a bucket's physical name (`checkpoints` → `CheckpointsBucketName`). */
export const bucketOutputId = (key: string) => `${pascalCase(key)}BucketName`;

/** Output id of a signing key's ARN (`checkpoints` → `CheckpointsSigningKeyArn`). */
export const signingKeyOutputId = (key: string) => `${pascalCase(key)}SigningKeyArn`;

/** Output id of a signing key's public key in PEM (`checkpoints` → `CheckpointsPublicKey`). */
export const publicKeyOutputId = (key: string) => `${pascalCase(key)}PublicKey`;

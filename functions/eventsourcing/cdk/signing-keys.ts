import { CfnOutput, CustomResource, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type {
  FunctionDeclaration,
  SigningKeyAccess,
  SigningKeyDeclaration,
} from '../declaration/index.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

export interface DeclaredSigningKey {
  readonly key: string;
  readonly declaration: SigningKeyDeclaration;
  readonly kmsKey: Key;
}

/** The KMS actions behind each declared access to a signing key. */
export const signingKeyActions: Readonly<Record<SigningKeyAccess, readonly string[]>> = {
  sign: ['kms:Sign', 'kms:GetPublicKey'],
  verify: ['kms:GetPublicKey'],
};

/**
 * Every declared signing key as an asymmetric KMS key (ECC_NIST_P256 for SIGN_VERIFY): the
 * private key never leaves KMS. Retained when the stack goes, since every signature ever made
 * is checked against its public key.
 */
export class SystemSigningKeys extends Construct {
  readonly byKey: ReadonlyMap<string, DeclaredSigningKey>;

  constructor(scope: Construct, id: string, keys: Readonly<Record<string, SigningKeyDeclaration>>) {
    super(scope, id);
    const byKey = new Map<string, DeclaredSigningKey>();
    for (const [key, declaration] of Object.entries(keys)) {
      const kmsKey = new Key(this, key, {
        description: declaration.description,
        keySpec: KeySpec.ECC_NIST_P256,
        keyUsage: KeyUsage.SIGN_VERIFY,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      byKey.set(key, { key, declaration, kmsKey });
    }
    this.byKey = byKey;
  }

  get(key: string): DeclaredSigningKey {
    const declared = this.byKey.get(key);
    if (!declared) throw new InvalidDeclarationError([`Signing key ${key} is not declared`]);
    return declared;
  }
}

/** Grants exactly the KMS actions of `access` on one signing key. */
export function grantSigningKeyAccess(
  role: Role,
  declared: DeclaredSigningKey,
  access: SigningKeyAccess,
): void {
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...signingKeyActions[access]],
      resources: [declared.kmsKey.keyArn],
    }),
  );
}

/**
 * Outputs a signing key's ARN and its public key (PEM), read from KMS at deployment by a custom
 * resource whose function may only call GetPublicKey on that key.
 */
export function outputPublicKey(
  scope: Construct,
  declared: DeclaredSigningKey,
  serviceToken: string,
  outputIds: { readonly keyArn: string; readonly publicKey: string },
): void {
  const resource = new CustomResource(scope, `${declared.key}PublicKey`, {
    serviceToken,
    resourceType: 'Custom::SigningPublicKey',
    // A new key ARN reads the public key again.
    properties: { SigningKey: declared.key, KeyArn: declared.kmsKey.keyArn },
  });
  new CfnOutput(scope, outputIds.keyArn, {
    description: `ARN of the KMS key signing ${declared.key}`,
    value: declared.kmsKey.keyArn,
  });
  new CfnOutput(scope, outputIds.publicKey, {
    description: `Public key (PEM) that verifies what the ${declared.key} key signs`,
    value: resource.getAttString('PublicKeyPem'),
  });
}

/**
 * The function behind `outputPublicKey`: it may read the key's public half, nothing else.
 * CloudFormation invokes it; its trigger is no schedule of the system's.
 */
export const publicKeyReaderDeclaration = (key: string): FunctionDeclaration => ({
  description: `Reads the public key of the ${key} signing key for the stack's outputs.`,
  entry: 'eventsourcing:integrity/public-key-resource',
  trigger: 'schedule',
  memoryMb: 128,
  timeoutSeconds: 30,
  tables: {},
  signingKeys: { [key]: 'verify' },
});

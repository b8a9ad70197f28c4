import { CfnOutput, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { PersonalDataAccess } from '../declaration/index.js';

/** The KMS actions behind each declared use of personal data. */
export const personalDataActions: Readonly<Record<PersonalDataAccess, readonly string[]>> = {
  seal: ['kms:GenerateDataKey', 'kms:Decrypt'],
  reveal: ['kms:Decrypt'],
};

/**
 * The one KMS key wrapping every data subject's data key (one key per subject could not be
 * erased promptly: KMS deletes a key 7 days after it is asked at the earliest). Symmetric,
 * rotated yearly, retained when the stack goes: without it no personal value opens again.
 */
export class PersonalDataKey extends Construct {
  readonly key: Key;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: "Wraps each data subject's data key (personal data, erased by destroying them)",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    new CfnOutput(scope, 'PersonalDataKeyArn', {
      description: "ARN of the KMS key wrapping data subjects' data keys",
      value: this.key.keyArn,
    });
  }

  /**
   * Grants exactly the actions of `access`, and only under an encryption context naming a
   * subject (every data key is wrapped under `{ subject }`).
   */
  grant(role: Role, access: PersonalDataAccess): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...personalDataActions[access]],
        resources: [this.key.keyArn],
        conditions: {
          'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['subject'] },
          Null: { 'kms:EncryptionContextKeys': 'false' },
        },
      }),
    );
  }
}

import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { BucketAccess } from '../declaration/index.js';
import type { DeclaredBucket } from './buckets.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

/** The exact object actions behind each declared access level; each also lists the bucket. */
export const bucketObjectActions: Readonly<Record<BucketAccess, readonly string[]>> = {
  read: ['s3:GetObject'],
  writeOnce: ['s3:GetObject', 's3:PutObject'],
  readWrite: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
};

/**
 * Grants exactly the actions of `access` on one bucket: its objects' actions on its objects and
 * ListBucket on the bucket, nothing through CDK's broader grant helpers. A write-once bucket's
 * own policy still refuses a put that is not a conditional create.
 */
export function grantBucketAccess(role: Role, declared: DeclaredBucket, access: BucketAccess) {
  if (access === 'readWrite' && declared.declaration.writeOnce) {
    throw new InvalidDeclarationError([
      `Bucket ${declared.key} is write-once: readWrite access cannot be granted`,
    ]);
  }
  const { bucket } = declared;
  role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: [...bucketObjectActions[access]],
      resources: [bucket.arnForObjects('*')],
    }),
  );
  role.addToPrincipalPolicy(
    new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
  );
  const stack = Stack.of(bucket);
  const bucketId = String(stack.resolve(stack.getLogicalId(bucket.node.defaultChild as CfnBucket)));
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
    reason: `Objects of the ${declared.key} bucket are named by the function as it writes them (one key per object), so its grant covers the bucket's objects, with only the actions its declared ${access} access needs.`,
  });
}

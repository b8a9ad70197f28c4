import {
  BucketAlreadyOwnedByYou,
  CreateBucketCommand,
  GetObjectLockConfigurationCommand,
  PutObjectLockConfigurationCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { BucketDeclaration } from '../functions/eventsourcing/declaration';
import { buckets, type BucketKey } from '../functions/system';

/** Turns Object Lock on for an existing bucket declared write-once since it was created. */
async function lockExistingBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket }));
    return;
  } catch (error) {
    if (!(error instanceof S3ServiceException)) throw error;
    if (error.name !== 'ObjectLockConfigurationNotFoundError') throw error;
  }
  await client.send(
    new PutObjectLockConfigurationCommand({
      Bucket: bucket,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
    }),
  );
}

/**
 * Creates every declared bucket that does not exist yet, a write-once one with Object Lock (the
 * local S3 server then answers as the CDK app's bucket policy does), and locks an existing bucket
 * declared write-once since. Existing buckets keep their objects.
 */
export async function createBuckets(
  client: S3Client,
  names: Readonly<Record<BucketKey, string>>,
): Promise<void> {
  for (const key of Object.keys(buckets) as BucketKey[]) {
    const declaration: BucketDeclaration = buckets[key];
    const bucket = names[key];
    try {
      await client.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(declaration.writeOnce ? { ObjectLockEnabledForBucket: true } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
      if (declaration.writeOnce) await lockExistingBucket(client, bucket);
    }
  }
}

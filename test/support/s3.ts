import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, type S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import { expect } from 'vitest';

/** A bucket name of its own for one test: lowercase, unique in the run. */
export const uniqueBucket = (purpose: string) => `${purpose}-${randomUUID().slice(0, 8)}`;

/** Creates a bucket, with Object Lock (a declared write-once bucket) when asked. */
export async function createBucket(client: S3Client, bucket: string, writeOnce = false) {
  await client.send(
    new CreateBucketCommand({
      Bucket: bucket,
      ...(writeOnce ? { ObjectLockEnabledForBucket: true } : {}),
    }),
  );
}

/** The S3 error a request fails with: the SDK's exception name and the HTTP status. */
export async function s3ErrorOf(
  request: Promise<unknown>,
): Promise<{ name: string; status?: number }> {
  const error = (await request.then(
    () => expect.fail('the request succeeded'),
    (failure: unknown) => failure,
  )) as S3ServiceException;
  return { name: error.name, status: error.$metadata?.httpStatusCode };
}

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { bucketNameFromEnv } from '../../functions/eventsourcing/declaration';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { startLocalS3 } from '../../local/s3/server';
import { startLocalStack } from '../../local/stack';
import { createBucket, s3ErrorOf } from '../support/s3';

describe('the buckets of the local stack', () => {
  let directory: string;
  const tablePrefix = `b${randomUUID().slice(0, 8)}-`;
  const start = () =>
    startLocalStack({
      dynamoDbEndpoint: inject('dynamoDbEndpoint'),
      dataDir: join(directory, 'dynamodb'),
      tablePrefix,
    });

  beforeAll(async () => (directory = await mkdtemp(join(tmpdir(), 'stack-buckets-'))));
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('are created from the declaration, named to functions, write-once as declared, and kept', async () => {
    // A checkpoints bucket from before it was declared write-once: the stack locks it.
    const earlier = await startLocalS3({ directory: join(directory, 's3') });
    const setup = createS3Client({ endpoint: earlier.endpoint });
    await createBucket(setup, `${tablePrefix}checkpoints`);
    setup.destroy();
    await earlier.stop();

    const stack = await start();
    // What a function sees: the S3 endpoint and the bucket's name in its environment.
    const bucket = bucketNameFromEnv('checkpoints');
    const client = createS3Client();
    try {
      expect(stack.bucketNames).toEqual({
        checkpoints: `${tablePrefix}checkpoints`,
        archive: `${tablePrefix}archive`,
      });
      expect(bucket).toBe(stack.bucketNames.checkpoints);
      expect(bucketNameFromEnv('archive')).toBe(stack.bucketNames.archive);
      expect(process.env.S3_ENDPOINT).toBe(stack.s3Endpoint);
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'seal-1', Body: 'signed', IfNoneMatch: '*' }),
      );
      for (const written of [bucket, stack.bucketNames.archive]) {
        expect(
          await s3ErrorOf(
            client.send(new PutObjectCommand({ Bucket: written, Key: 'seal-1', Body: 'x' })),
          ),
          written,
        ).toEqual({ name: 'AccessDenied', status: 403 });
      }
    } finally {
      client.destroy();
      await stack.stop();
    }

    const restarted = await start();
    const reader = createS3Client();
    try {
      const { Body } = await reader.send(new GetObjectCommand({ Bucket: bucket, Key: 'seal-1' }));
      expect(await Body!.transformToString()).toBe('signed');
      expect(
        await s3ErrorOf(
          reader.send(new PutObjectCommand({ Bucket: bucket, Key: 'seal-2', Body: 'x' })),
        ),
      ).toEqual({ name: 'AccessDenied', status: 403 });
    } finally {
      reader.destroy();
      await restarted.stop();
    }
  });
});

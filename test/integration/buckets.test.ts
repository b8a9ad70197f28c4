import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { createS3Client } from '../../functions/eventsourcing/aws';
import { startLocalS3 } from '../../local/s3/server';
import { createBucket, s3ErrorOf, uniqueBucket } from '../support/s3';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function read(client: S3Client, bucket: string, key: string): Promise<Buffer> {
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await Body!.transformToByteArray());
}

/** The `x-amz-content-sha256` and `content-encoding` of each request the client sends. */
function recordFraming(client: S3Client): { payload: string; encoding?: string }[] {
  const sent: { payload: string; encoding?: string }[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const { headers } = args.request as { headers: Record<string, string> };
      sent.push({
        payload: headers['x-amz-content-sha256']!,
        encoding: headers['content-encoding'],
      });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'recordFraming' },
  );
  return sent;
}

describe('the local S3 server, with the SDK configured as for AWS', () => {
  let client: S3Client;
  const bucket = uniqueBucket('objects');

  beforeAll(async () => {
    client = createS3Client({ endpoint: inject('s3Endpoint') });
    await createBucket(client, bucket);
  });
  afterAll(() => client.destroy());

  it('stores, reads and lists objects, keys with spaces and slashes included', async () => {
    const keys = ['2026/01/a seal.json', '2026/01/b!(x).json', '2026/02/c.json'];
    for (const key of keys) {
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: `{"key":"${key}"}` }),
      );
    }
    expect((await read(client, bucket, keys[1]!)).toString()).toBe(`{"key":"${keys[1]}"}`);
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: '2026/01/' }),
    );
    expect(listed.Contents?.map((object) => object.Key)).toEqual(keys.slice(0, 2));
    expect(
      await s3ErrorOf(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'none' }))),
    ).toEqual({ name: 'NoSuchKey', status: 404 });
  });

  it('takes a streaming upload (aws-chunked, checksum in the trailer) byte for byte', async () => {
    const sent = recordFraming(client);
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251));
    for (const ChecksumAlgorithm of ['CRC32', 'CRC64NVME'] as const) {
      const key = `streamed-${ChecksumAlgorithm}`;
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          // Two reads of a stream of known length: the SDK frames it as aws-chunked.
          Body: Readable.from([bytes.subarray(0, 100_000), bytes.subarray(100_000)]),
          ContentLength: bytes.length,
          ChecksumAlgorithm,
        }),
      );
      expect(sha256(await read(client, bucket, key))).toBe(sha256(bytes));
    }
    expect(sent.filter((request) => request.encoding === 'aws-chunked')).toEqual([
      { payload: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', encoding: 'aws-chunked' },
      { payload: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', encoding: 'aws-chunked' },
    ]);
  });

  it('refuses a body whose checksum does not match (BadDigest), and keeps nothing', async () => {
    const error = await s3ErrorOf(
      client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'bad',
          Body: 'abc',
          ChecksumCRC32: 'AAAAAA==',
        }),
      ),
    );
    expect(error).toEqual({ name: 'BadDigest', status: 400 });
    expect(
      await s3ErrorOf(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'bad' }))),
    ).toMatchObject({ name: 'NoSuchKey' });
  });

  it('creates conditionally: If-None-Match: * on an existing key is 412, the first write stays', async () => {
    const put = (Body: string) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body, IfNoneMatch: '*' }));
    await put('first');
    expect(await s3ErrorOf(put('second'))).toEqual({ name: 'PreconditionFailed', status: 412 });
    expect((await read(client, bucket, 'once')).toString()).toBe('first');
  });

  it('lets exactly one of many concurrent conditional creates of a key win', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: 'race',
            Body: `writer ${i}`,
            IfNoneMatch: '*',
          }),
        ),
      ),
    );
    const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect((await read(client, bucket, 'race')).toString()).toBe(`writer ${winners[0]}`);
  });

  it('refuses a request signed with another secret', async () => {
    const forger = createS3Client({
      endpoint: inject('s3Endpoint'),
      credentials: { accessKeyId: 'local', secretAccessKey: 'guessed' },
    });
    expect(
      await s3ErrorOf(forger.send(new PutObjectCommand({ Bucket: bucket, Key: 'f', Body: 'x' }))),
    ).toEqual({ name: 'SignatureDoesNotMatch', status: 403 });
    forger.destroy();
  });
});

describe('a write-once bucket on the local S3 server', () => {
  let client: S3Client;
  const bucket = uniqueBucket('checkpoints');

  beforeAll(async () => {
    client = createS3Client({ endpoint: inject('s3Endpoint') });
    await createBucket(client, bucket, true);
  });
  afterAll(() => client.destroy());

  it('takes conditional creates only, as the bucket policy of the CDK app allows', async () => {
    const put = (Key: string, Body: string, IfNoneMatch?: string) =>
      client.send(new PutObjectCommand({ Bucket: bucket, Key, Body, IfNoneMatch }));
    await put('seal-1', 'signed 1', '*');
    expect(await s3ErrorOf(put('seal-1', 'forged', '*'))).toEqual({
      name: 'PreconditionFailed',
      status: 412,
    });
    expect(await s3ErrorOf(put('seal-1', 'forged'))).toEqual({ name: 'AccessDenied', status: 403 });
    expect(await s3ErrorOf(put('seal-2', 'unconditional'))).toEqual({
      name: 'AccessDenied',
      status: 403,
    });
    expect((await read(client, bucket, 'seal-1')).toString()).toBe('signed 1');
  });

  it('refuses every delete, and keeps the object', async () => {
    await client.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'kept', IfNoneMatch: '*' }),
    );
    expect(
      await s3ErrorOf(client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'kept' }))),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    expect(
      await s3ErrorOf(
        client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'kept' }] } }),
        ),
      ),
    ).toEqual({ name: 'AccessDenied', status: 403 });
    expect((await read(client, bucket, 'kept')).toString()).toBe('kept');
  });
});

describe('the local S3 server on a directory', () => {
  let directory: string;
  beforeAll(async () => (directory = await mkdtemp(join(tmpdir(), 's3-restart-'))));
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('keeps objects and write-once buckets across a restart', async () => {
    const first = await startLocalS3({ directory });
    const before = createS3Client({ endpoint: first.endpoint });
    await createBucket(before, 'kept-checkpoints', true);
    await before.send(
      new PutObjectCommand({
        Bucket: 'kept-checkpoints',
        Key: 'seal',
        Body: 'v1',
        IfNoneMatch: '*',
      }),
    );
    before.destroy();
    await first.stop();

    const second = await startLocalS3({ directory });
    const after = createS3Client({ endpoint: second.endpoint });
    try {
      expect((await read(after, 'kept-checkpoints', 'seal')).toString()).toBe('v1');
      expect(
        await s3ErrorOf(
          after.send(new DeleteObjectCommand({ Bucket: 'kept-checkpoints', Key: 'seal' })),
        ),
      ).toEqual({ name: 'AccessDenied', status: 403 });
      expect(await s3ErrorOf(createBucket(after, 'kept-checkpoints', true))).toEqual({
        name: 'BucketAlreadyOwnedByYou',
        status: 409,
      });
    } finally {
      after.destroy();
      await second.stop();
    }
  });
});

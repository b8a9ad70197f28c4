import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { checkpointKey, storedCheckpointJson, type StoredCheckpoint } from './checkpoint.js';

/** Where signed checkpoints are kept: write-once, one object per sequence number. */
export interface CheckpointStore {
  /** Writes a checkpoint unless its sequence number is taken: `exists` then, and nothing changes. */
  create(stored: StoredCheckpoint): Promise<'created' | 'exists'>;
  /** The JSON stored for a sequence number, parsed but not checked; undefined when there is none. */
  read(sequence: number): Promise<unknown>;
  /** Every sequence number stored, ascending. */
  sequences(): Promise<number[]>;
}

const KEY_PATTERN = /^checkpoints\/(\d{12})\.json$/;

const errorName = (error: unknown) => (error as { name?: string }).name;

/**
 * Checkpoints in an S3 bucket with Object Lock: each written once, with `If-None-Match: *`, so a
 * second writer of the same sequence number (two sealers at once) learns it lost instead of
 * adding a version.
 */
export class S3CheckpointStore implements CheckpointStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async create(stored: StoredCheckpoint): Promise<'created' | 'exists'> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: checkpointKey(stored.checkpoint.sequence),
          Body: storedCheckpointJson(stored),
          ContentType: 'application/json',
          IfNoneMatch: '*',
        }),
      );
      return 'created';
    } catch (error) {
      // S3 answers 409 ConditionalRequestConflict while a concurrent write of the key is in flight.
      const name = errorName(error);
      if (name === 'PreconditionFailed' || name === 'ConditionalRequestConflict') return 'exists';
      throw error;
    }
  }

  async read(sequence: number): Promise<unknown> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: checkpointKey(sequence) }),
      );
      const text = await object.Body!.transformToString('utf8');
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    } catch (error) {
      if (errorName(error) === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async sequences(): Promise<number[]> {
    const sequences: number[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: 'checkpoints/',
          ContinuationToken: token,
        }),
      );
      for (const { Key } of page.Contents ?? []) {
        const match = Key ? KEY_PATTERN.exec(Key) : null;
        if (match) sequences.push(Number(match[1]));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return sequences.sort((a, b) => a - b);
  }
}

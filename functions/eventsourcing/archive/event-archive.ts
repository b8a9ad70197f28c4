import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { UnexpectedResponseError } from '../errors.js';
import type { ArchiveReads } from './archived-events.js';
import {
  decodeSegment,
  encodeSegment,
  segmentKey,
  sameItems,
  segmentOf,
  streamPrefix,
  type SegmentRange,
  type StoredItem,
} from './segments.js';

const errorName = (error: unknown) => (error as { name?: string }).name;

/**
 * The archive bucket: segments of events moved out of the events table (see `segments.ts`),
 * each written once with `If-None-Match: *` and never changed; the bucket is write-once.
 */
export class EventArchive implements ArchiveReads {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
  ) {}

  /**
   * Writes a segment unless it exists. An archiver resuming after a crash finds the segment it
   * wrote before: `exists` then, provided it holds exactly these items; a segment under the
   * same key with other content is an error, never overwritten.
   */
  async put(range: SegmentRange, items: readonly StoredItem[]): Promise<'created' | 'exists'> {
    const body = encodeSegment(items);
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: segmentKey(range),
          Body: body,
          ContentType: 'application/gzip',
          IfNoneMatch: '*',
        }),
      );
      return 'created';
    } catch (error) {
      const name = errorName(error);
      if (name !== 'PreconditionFailed' && name !== 'ConditionalRequestConflict') throw error;
    }
    const stored = await this.read(range);
    if (!sameItems(stored, items)) {
      throw new UnexpectedResponseError(
        's3',
        `Segment ${segmentKey(range)} exists with other events than the ones being archived`,
      );
    }
    return 'exists';
  }

  /** The items of one segment, as archived. */
  async read(range: SegmentRange): Promise<StoredItem[]> {
    const object = await this.s3.send(
      new GetObjectCommand({ Bucket: this.bucket, Key: segmentKey(range) }),
    );
    return decodeSegment(await object.Body!.transformToByteArray());
  }

  /** Every segment of a stream, in key (version) order. */
  async segments(streamId: string): Promise<SegmentRange[]> {
    const segments: SegmentRange[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: streamPrefix(streamId),
          ContinuationToken: token,
        }),
      );
      for (const { Key } of page.Contents ?? []) {
        const segment = Key ? segmentOf(Key) : undefined;
        if (segment?.streamId === streamId) segments.push(segment);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return segments;
  }
}

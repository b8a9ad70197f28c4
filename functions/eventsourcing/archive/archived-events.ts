import { GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bucketNameEnvVar } from '../declaration/resource-names.js';
import { StreamGapError } from '../errors.js';
import { ARCHIVE_MARK_VERSION, headKey, readArchiveMark } from '../stream-head-items.js';
import { segmentChain, type SegmentRange, type StoredItem } from './segments.js';

/** What readers need of the archive bucket (`EventArchive` is the one over S3). */
export interface ArchiveReads {
  /** Every segment of a stream. */
  segments(streamId: string): Promise<SegmentRange[]>;
  /** The items of one segment, as archived. */
  read(range: SegmentRange): Promise<StoredItem[]>;
}

/**
 * Where a reader finds the archive, on first use: the S3 client is an optional peer dependency,
 * loaded only by a reader that meets an archived version.
 */
export type ArchiveSource = () => Promise<ArchiveReads>;

/**
 * The archived part of streams, as readers of the events table need it: how far a stream is
 * archived (its archive mark) and the archived items of a version range, read from S3.
 */
export class ArchivedEvents {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly archive: ArchiveSource,
  ) {}

  /** Versions 1 to the result of the stream are in the archive (0: none). */
  async archivedUpTo(streamId: string): Promise<number> {
    const found = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: headKey(streamId, ARCHIVE_MARK_VERSION),
        ConsistentRead: true,
      }),
    );
    return readArchiveMark(found.Item);
  }

  /**
   * The archived items of versions `from` to `to` (at most `archived`, the stream's mark), in
   * version order, exactly as the events table held them.
   */
  async items(streamId: string, from: number, to: number, archived: number): Promise<StoredItem[]> {
    const archive = await this.archive();
    const chain = segmentChain(await archive.segments(streamId), archived);
    if (!chain) throw new StreamGapError(streamId, from, archived + 1);
    const items: StoredItem[] = [];
    for (const segment of chain) {
      if (segment.to < from || segment.from > to) continue;
      for (const item of await archive.read(segment)) {
        const version = Number(item.version?.N);
        if (version >= from && version <= to) items.push(item);
      }
    }
    return items;
  }
}

/** Archived items by stream and version. */
export type ArchivedItems = ReadonlyMap<string, ReadonlyMap<number, StoredItem>>;

/**
 * The archived items of some versions of some streams (for reads by key, as the global log's);
 * a version the archive does not hold is absent from the result.
 */
export async function findArchived(
  archived: ArchivedEvents,
  keys: readonly { readonly streamId: string; readonly version: number }[],
): Promise<ArchivedItems> {
  const wanted = new Map<string, number[]>();
  for (const { streamId, version } of keys) {
    wanted.set(streamId, [...(wanted.get(streamId) ?? []), version]);
  }
  const found = new Map<string, Map<number, StoredItem>>();
  for (const [streamId, versions] of wanted) {
    const upTo = await archived.archivedUpTo(streamId);
    const from = Math.min(...versions);
    if (from > upTo) continue;
    const items = await archived.items(streamId, from, Math.min(Math.max(...versions), upTo), upTo);
    found.set(streamId, new Map(items.map((item) => [Number(item.version!.N), item])));
  }
  return found;
}

/**
 * The archive bucket a function finds in its environment (`BUCKET_ARCHIVE`), its S3 client
 * loaded on first use; undefined when the function was given none.
 */
export function archiveFromEnv(env: NodeJS.ProcessEnv = process.env): ArchiveSource | undefined {
  const bucket = env[bucketNameEnvVar('archive')];
  if (!bucket) return undefined;
  let archive: Promise<ArchiveReads> | undefined;
  return () =>
    (archive ??= Promise.all([import('../s3-client.js'), import('./event-archive.js')]).then(
      ([s3, archives]) => new archives.EventArchive(s3.createS3Client(), bucket),
    ));
}

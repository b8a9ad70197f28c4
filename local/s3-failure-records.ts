import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  REDRIVEN_SUFFIX,
  pendingRecords,
  type FailureRecordStore,
  type RedriveMarker,
  type StoredFailure,
} from './failure-destination';

/** Where Lambda writes the records of every event source mapping in the bucket. */
const RECORDS_PREFIX = 'aws/lambda/';

/** A deployed stack's on-failure records: its FailureRecords bucket. */
export class S3FailureRecords implements FailureRecordStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async pending(): Promise<StoredFailure[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: RECORDS_PREFIX,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      keys.push(...(page.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : [])));
      token = page.NextContinuationToken;
    } while (token);
    return pendingRecords(keys, async (key) => {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );
      return Body ? Body.transformToString() : '';
    });
  }

  async markRedriven(key: string, marker: RedriveMarker): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${key}${REDRIVEN_SUFFIX}`,
        Body: JSON.stringify(marker, null, 2),
        ContentType: 'application/json',
      }),
    );
  }
}

/**
 * An S3 bucket of the system. Every bucket is retained when the stack is deleted: what buckets
 * hold here (signed checkpoints, archived events) cannot be rebuilt from anything else, so there
 * is no `durability` to choose as there is for tables.
 */
export interface BucketDeclaration {
  readonly description: string;
  /**
   * Objects are created once and never overwritten or deleted. In AWS: Object Lock in
   * compliance mode and a bucket policy refusing deletes and any put that is not a conditional
   * create (`If-None-Match: *`); the local S3 server answers the same. Functions may get `read`
   * or `writeOnce` access to it and nothing more.
   */
  readonly writeOnce?: true;
  /**
   * For a write-once bucket: the CDK context setting giving the days each object stays locked in
   * this bucket (`-c <setting>=3650`); without it, or without the setting in the context, the
   * `checkpointRetentionDays` setting.
   */
  readonly retentionSetting?: string;
  /**
   * Moves objects to cheaper storage classes as they age, each `days` after its creation, in
   * order. Only classes that answer a GetObject at once: archived events are read back
   * transparently, inside the request that needs them, so Glacier Flexible Retrieval and Deep
   * Archive (which need a restore first, minutes to hours) are not offered.
   */
  readonly transitions?: readonly BucketTransition[];
  /**
   * The table whose items this bucket holds once they are moved out of it (an archive): every
   * function and consumer with any access to that table also reads this bucket, without
   * declaring it.
   */
  readonly archiveOf?: string;
}

/** Storage classes that read back instantly, from the warmest to the coldest. */
export const INSTANT_STORAGE_CLASSES = ['STANDARD_IA', 'GLACIER_IR'] as const;

/** One step of a bucket's lifecycle: objects move to `storageClass` `days` after creation. */
export interface BucketTransition {
  readonly days: number;
  readonly storageClass: (typeof INSTANT_STORAGE_CLASSES)[number];
}

/**
 * What a function may do to a bucket; the CDK app grants exactly this and nothing more.
 * - `read`: GetObject, ListBucket
 * - `writeOnce`: `read` plus PutObject, used only as a conditional create (`If-None-Match: *`)
 * - `readWrite`: `read` plus PutObject and DeleteObject. Never on a write-once bucket.
 */
export type BucketAccess = 'read' | 'writeOnce' | 'readWrite';

/** The buckets a function or consumer uses, by logical name, with the access it needs. */
export type BucketGrants<BucketKey extends string = string> = Readonly<
  Partial<Record<BucketKey, BucketAccess>>
>;

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

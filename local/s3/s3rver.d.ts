/** The part of s3rver's API the local S3 server uses (the package ships no types). */
declare module '@20minutes/s3rver' {
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    readonly address?: string;
    readonly port?: number;
    readonly silent?: boolean;
    /** Where buckets and objects are kept, one folder per bucket. */
    readonly directory?: string;
    /** Whether a Host header other than localhost names a bucket. */
    readonly vhostBuckets?: boolean;
  }

  export default class S3rver {
    constructor(options?: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
  }
}

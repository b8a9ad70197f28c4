/**
 * DynamoDB on-demand prices in US East (N. Virginia), in dollars per million request units, as
 * published by AWS with the on-demand price cut effective 1 November 2024. Standard table class;
 * storage, streams and backups are priced apart and left out.
 */
export const ON_DEMAND_PRICES = {
  region: 'us-east-1',
  effective: '2024-11-01',
  readRequestUnit: 0.125,
  writeRequestUnit: 0.625,
} as const;

/** Dollars per million operations that each consume `read` and `write` request units. */
export const dollarsPerMillion = (read: number, write: number) =>
  read * ON_DEMAND_PRICES.readRequestUnit + write * ON_DEMAND_PRICES.writeRequestUnit;

/**
 * S3 Standard request prices in US East (N. Virginia), in dollars per 1,000 requests, as
 * published on https://aws.amazon.com/s3/pricing/ (noted 2026-12-07): PUT, COPY, POST and LIST
 * $0.005, GET and the other reads $0.0004. Storage and data transfer are priced apart.
 */
export const S3_REQUEST_PRICES = {
  region: 'us-east-1',
  noted: '2026-12-07',
  putOrListPerThousand: 0.005,
  getPerThousand: 0.0004,
} as const;

/**
 * AWS KMS prices, as published on https://aws.amazon.com/kms/pricing/ (noted 2026-12-07):
 * requests with an asymmetric key other than RSA 2048 (a P-256 `Sign`) $0.15 per 10,000, five
 * times the symmetric rate; each customer managed key $1 a month. The free tier (20,000
 * requests a month) is left out.
 */
export const KMS_PRICES = {
  noted: '2026-12-07',
  asymmetricRequestPerTenThousand: 0.15,
  keyPerMonth: 1,
} as const;

/** Dollars for S3 requests. */
export const s3Dollars = (calls: { put: number; get: number; list: number }) =>
  ((calls.put + calls.list) * S3_REQUEST_PRICES.putOrListPerThousand +
    calls.get * S3_REQUEST_PRICES.getPerThousand) /
  1000;

/** Dollars for KMS `Sign` requests with the checkpoints' P-256 key. */
export const kmsSignDollars = (signs: number) =>
  (signs * KMS_PRICES.asymmetricRequestPerTenThousand) / 10_000;

/**
 * Storage prices in US East (N. Virginia), in dollars per GB-month, as published on
 * https://aws.amazon.com/dynamodb/pricing/on-demand/ and https://aws.amazon.com/s3/pricing/
 * (noted 2026-12-07): DynamoDB Standard table class (after the free 25 GB), S3 Standard (first
 * 50 TB), S3 Standard-IA and S3 Glacier Instant Retrieval. DynamoDB bills each item 100 bytes
 * more than its size; Standard-IA and Glacier Instant Retrieval bill each object at least 128 KB.
 */
export const STORAGE_PRICES = {
  region: 'us-east-1',
  noted: '2026-12-07',
  dynamoDbStandard: 0.25,
  s3Standard: 0.023,
  s3StandardIa: 0.0125,
  glacierInstantRetrieval: 0.004,
  dynamoDbItemOverheadBytes: 100,
  minimumBillableObjectBytes: 128 * 1024,
} as const;

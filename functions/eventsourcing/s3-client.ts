import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { localEndpointConfig } from './local-endpoint.js';
import { traceClient } from './tracing.js';

/**
 * An S3 client for Lambda or for the local stack. `S3_ENDPOINT` points it at the local S3
 * server, addressed path-style (`<endpoint>/<bucket>/<key>`: a local server has no bucket
 * subdomains); in Lambda it is unset and the SDK uses the function's region and role. Nothing
 * else differs: signatures, checksums and streaming uploads are those sent to AWS.
 */
export function createS3Client(overrides: S3ClientConfig = {}): S3Client {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.S3_ENDPOINT;
  return traceClient(
    new S3Client({
      ...localEndpointConfig(endpoint),
      ...(endpoint ? { forcePathStyle: true } : {}),
      ...overrides,
    }),
  );
}

/**
 * `…/aws`: AWS SDK clients configured for Lambda, or for the local stand-ins when their endpoint
 * variables are set (`DYNAMODB_ENDPOINT`, `S3_ENDPOINT`), and Powertools metrics and tracing.
 */
export { createS3Client } from './s3-client.js';
export { localEndpointConfig } from './local-endpoint.js';
export { createMetrics } from './metrics.js';
export { traceClient } from './tracing.js';

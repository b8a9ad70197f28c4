/** The key pair clients of local stand-ins sign with, and the local S3 server accepts. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Client settings for a local stand-in of an AWS service (DynamoDB Local, the local event bus,
 * the local S3 server): its endpoint, the region, and credentials the emulators accept (DynamoDB
 * Local requires an alphanumeric key id). Nothing when no endpoint is given: in Lambda the SDK
 * then uses the function's region and role.
 */
export function localEndpointConfig(endpoint: string | undefined) {
  if (!endpoint) return {};
  return {
    endpoint,
    region: process.env.AWS_REGION ?? 'local',
    credentials: LOCAL_CREDENTIALS,
  };
}

import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB client for Lambda or for the local stack. `DYNAMODB_ENDPOINT` points it at
 * DynamoDB Local; in Lambda it is unset and the SDK uses the function's region and role.
 */
export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.DYNAMODB_ENDPOINT;
  return new DynamoDBClient({
    ...(endpoint
      ? {
          endpoint,
          region: process.env.AWS_REGION ?? 'local',
          // DynamoDB Local accepts any credentials but requires an alphanumeric key id.
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    ...overrides,
  });
}

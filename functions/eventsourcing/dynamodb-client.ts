import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { localEndpointConfig } from './local-endpoint.js';

/**
 * A DynamoDB client for Lambda or for the local stack. `DYNAMODB_ENDPOINT` points it at
 * DynamoDB Local; in Lambda it is unset and the SDK uses the function's region and role.
 */
export function createDynamoDbClient(overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  const endpoint = (overrides.endpoint as string | undefined) ?? process.env.DYNAMODB_ENDPOINT;
  return new DynamoDBClient({ ...localEndpointConfig(endpoint), ...overrides });
}

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

/** Stored serialised, so that a replay is byte for byte the first response. */
type Result = APIGatewayProxyStructuredResultV2;

/** How long a key and its first response are kept. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** Header telling the client that this response is the stored answer to an earlier request. */
export const REPLAYED_HEADER = 'idempotent-replayed';

/** What makes two requests "the same": their route, path and JSON body (key order ignored). */
export interface RequestFingerprint {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface Idempotency {
  /**
   * Runs `execute` once per key: a later request with the key and the same fingerprint gets the
   * stored response without running anything; one with another fingerprint fails with
   * `IdempotencyValidationError`, one arriving while the first runs with
   * `IdempotencyAlreadyInProgressError`. Only successful responses are stored: an error deletes
   * the key's record, so the client may retry.
   */
  run(
    key: string,
    fingerprint: RequestFingerprint,
    context: Context,
    execute: () => Promise<Result>,
  ): Promise<Result>;
}

/** Idempotency keys in a DynamoDB table (Powertools idempotency), one namespace for the whole API. */
export function dynamoDbIdempotency(client: DynamoDBClient, tableName: string): Idempotency {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'fingerprint',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    responseHook: (response) => {
      const stored = response as { headers?: Record<string, string> };
      return { ...stored, headers: { ...stored.headers, [REPLAYED_HEADER]: 'true' } };
    },
  });
  const runOnce = makeIdempotent(
    (_input: { key: string; fingerprint: RequestFingerprint }, execute: () => Promise<Result>) =>
      execute(),
    {
      persistenceStore: new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client }),
      config,
      keyPrefix: 'api',
    },
  );
  return {
    run(key, fingerprint, context, execute) {
      config.registerLambdaContext(context);
      return runOnce({ key, fingerprint }, execute);
    },
  };
}

/** How long the health check waits for DynamoDB to answer at all. */
const PROBE_TIMEOUT_MS = 1000;

/** DynamoDB's endpoint for this function: `DYNAMODB_ENDPOINT` locally, the regional one in AWS. */
export function dynamoDbEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  return env.DYNAMODB_ENDPOINT ?? `https://dynamodb.${env.AWS_REGION ?? 'us-east-1'}.amazonaws.com`;
}

/**
 * Why DynamoDB cannot be reached, or undefined when it answers. Any HTTP answer counts as
 * reachable (the regional endpoint answers `GET /` with `healthy: dynamodb.<region>…`, DynamoDB
 * Local with an error body): the probe needs no credentials, no IAM grant and no AWS SDK.
 */
export async function dynamoDbUnreachable(
  endpoint = dynamoDbEndpoint(),
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<string | undefined> {
  try {
    const response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return undefined;
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return `DynamoDB (${endpoint}) is unreachable: ${detail}`;
  }
}

import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** An answer of API Gateway itself, in its own shape: `{"message": …}`. */
export const gatewayError = (status: number, message: string): HttpAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

const isStructured = (
  result: APIGatewayProxyResultV2,
): result is APIGatewayProxyStructuredResultV2 =>
  typeof result === 'object' && result !== null && 'statusCode' in result;

/** A result without `statusCode`: API Gateway answers 200 with it as the JSON body. */
function fromBareResult(result: APIGatewayProxyResultV2): HttpAnswer {
  const body = typeof result === 'string' ? result : JSON.stringify(result);
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: Buffer.from(body ?? ''),
  };
}

/** What API Gateway sends back for a Lambda's payload 2.0 result. */
export function fromLambdaResult(result: APIGatewayProxyResultV2): HttpAnswer {
  if (!isStructured(result)) return fromBareResult(result);
  const headers: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  return {
    status: result.statusCode ?? 200,
    headers,
    body: Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

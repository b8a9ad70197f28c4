import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

/** Answers with the event and context it received, so tests can see what API Gateway sent. */
export function echo(
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> {
  return Promise.resolve({
    statusCode: 200,
    headers: { 'content-type': 'application/json', 'x-echo': 'yes' },
    cookies: ['a=1', 'b=2'],
    body: JSON.stringify({
      event,
      context: {
        functionName: context.functionName,
        memoryLimitInMB: context.memoryLimitInMB,
        remainingMs: context.getRemainingTimeInMillis(),
      },
    }),
  });
}

/** Returns a plain object, which API Gateway turns into a 200 JSON response. */
export const plain = () => Promise.resolve({ plain: true });

export const fails = () => Promise.reject(new Error('handler crashed'));

/** Never answers within the function's timeout. */
export const slow = () => new Promise(() => undefined);

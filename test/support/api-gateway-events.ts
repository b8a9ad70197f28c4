import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

/** The IAM caller of the adapter tests' requests unless they name another. */
export const TEST_CALLER_ARN = 'arn:aws:iam::000000000000:user/tester';

/** What API Gateway's authorizer puts in the request context. */
export type TestAuthorizer =
  | { readonly iam: { readonly userArn: string } }
  | { readonly jwt: { readonly claims: Readonly<Record<string, string>> } }
  | undefined;

/** An authorizer context of a JWT caller, optionally in some groups. */
export const jwtCaller = (sub: string, groups: readonly string[] = []): TestAuthorizer => ({
  jwt: {
    claims: { sub, ...(groups.length > 0 ? { 'cognito:groups': `[${groups.join(' ')}]` } : {}) },
  },
});

/** An API Gateway payload 2.0 event as the HTTP API would send it, for adapter unit tests. */
export function apiEvent(
  routeKey: string,
  options: {
    path?: string;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string;
    isBase64Encoded?: boolean;
    /** An IAM caller when omitted; `undefined` for none at all. */
    authorizer?: TestAuthorizer;
  } = {},
): APIGatewayProxyEventV2 {
  const [method = 'GET', template = '/'] = routeKey.split(' ');
  const path = options.path ?? template;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': 'application/json', ...options.headers },
    ...(options.query ? { queryStringParameters: options.query } : {}),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      ...authorizerOf(options),
      domainName: 'test.local',
      domainPrefix: 'test',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
    ...(options.body === undefined ? {} : { body: options.body }),
  };
}

export const lambdaContext = {
  functionName: 'test',
  awsRequestId: 'test',
  getRemainingTimeInMillis: () => 10_000,
} as Context;

function authorizerOf(options: { authorizer?: TestAuthorizer }) {
  if (!('authorizer' in options)) return { authorizer: { iam: { userArn: TEST_CALLER_ARN } } };
  return options.authorizer ? { authorizer: options.authorizer } : {};
}

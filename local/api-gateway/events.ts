import { randomBytes } from 'node:crypto';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2 } from 'aws-lambda';
import { DEFAULT_CALLER_SETTINGS } from '../../functions/eventsourcing/http/caller';
import type { RouteMatch } from './routes';

/** The IAM caller every local request comes from unless it names a principal. */
export const LOCAL_CALLER_ARN = 'arn:aws:iam::000000000000:user/local-developer';

/** Header naming a JWT subject to act as locally, as if a JWT authorizer had admitted it. */
export const LOCAL_PRINCIPAL_HEADER = 'x-local-principal';
/** Header listing (comma-separated) the groups of that principal, e.g. `operators`. */
export const LOCAL_GROUPS_HEADER = 'x-local-groups';

export interface IncomingRequest {
  readonly method: string;
  /** Path and query string as sent, e.g. `/accounts/a1/history?limit=5`. */
  readonly url: string;
  /** Header names lower-cased; repeated headers joined by commas. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly host: string;
}

/** Whether the request plays a JWT caller (`X-Local-Principal`) rather than the IAM one. */
export const playsJwtCaller = (headers: Readonly<Record<string, string>>): boolean =>
  Boolean(headers[LOCAL_PRINCIPAL_HEADER]?.trim());

const LOCAL_IAM_CALLER = {
  iam: {
    accessKey: 'LOCALACCESSKEY',
    accountId: '000000000000',
    callerId: 'LOCALCALLER',
    cognitoIdentity: null,
    principalOrgId: null,
    userArn: LOCAL_CALLER_ARN,
    userId: 'LOCALCALLER',
  },
};

/**
 * What API Gateway's authorizer would put in the request context: by default an IAM caller
 * (a trusted developer, like a signed request with `auth=iam`); with `X-Local-Principal`, a JWT
 * caller with that subject and the groups of `X-Local-Groups` in the `cognito:groups` claim,
 * formatted as API Gateway passes array claims (`[a b]`), so ownership rules apply locally too.
 */
export function localAuthorizer(headers: Readonly<Record<string, string>>) {
  const principal = headers[LOCAL_PRINCIPAL_HEADER]?.trim();
  if (!principal) return LOCAL_IAM_CALLER;
  const groups = (headers[LOCAL_GROUPS_HEADER] ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group.length > 0);
  const groupsClaim =
    groups.length > 0 ? { [DEFAULT_CALLER_SETTINGS.groupsClaim]: `[${groups.join(' ')}]` } : {};
  return { jwt: { claims: { sub: principal, ...groupsClaim }, scopes: null } };
}

/** Media types API Gateway passes as text; any other body arrives base64-encoded. */
const TEXT_MEDIA_TYPE =
  /^(?:text\/[\w.+-]+|application\/(?:[\w.+-]+\+)?(?:json|xml)|application\/(?:javascript|x-www-form-urlencoded))$/;

function isTextBody(contentType: string | undefined): boolean {
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return TEXT_MEDIA_TYPE.test(mediaType);
}

function formatRequestTime(date: Date): string {
  const months = 'Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec'.split(' ');
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/** The path and the query string of a request URL, and the query's parameters. */
function splitUrl(url: string) {
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
  const query = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query.set(name, [...(query.get(name) ?? []), value]);
  }
  // API Gateway joins the values of a repeated parameter with commas.
  const parameters =
    query.size > 0
      ? {
          queryStringParameters: Object.fromEntries(
            [...query].map(([name, values]) => [name, values.join(',')]),
          ),
        }
      : {};
  return { rawPath, rawQueryString, parameters };
}

/** The headers the function sees: the local identity headers were the authorizer's. */
function forwardedHeaders(request: IncomingRequest) {
  const { cookie, ...sent } = request.headers;
  const headers = Object.fromEntries(
    Object.entries(sent).filter(
      ([name]) => name !== LOCAL_PRINCIPAL_HEADER && name !== LOCAL_GROUPS_HEADER,
    ),
  );
  return { cookie, headers };
}

function requestContextOf(
  request: IncomingRequest,
  match: RouteMatch,
  context: { readonly rawPath: string; readonly userAgent: string; readonly now: Date },
): APIGatewayEventRequestContextV2 & { authorizer: ReturnType<typeof localAuthorizer> } {
  const { now } = context;
  return {
    accountId: '000000000000',
    apiId: 'local',
    authorizer: localAuthorizer(request.headers),
    domainName: request.host,
    domainPrefix: request.host.split(/[.:]/)[0] ?? 'localhost',
    http: {
      method: request.method,
      path: context.rawPath,
      protocol: 'HTTP/1.1',
      sourceIp: request.sourceIp,
      userAgent: context.userAgent,
    },
    requestId: randomBytes(10).toString('base64'),
    routeKey: match.routeKey,
    stage: '$default',
    time: formatRequestTime(now),
    timeEpoch: now.getTime(),
  };
}

/** The body as API Gateway passes it: text as is, anything else base64-encoded. */
function bodyOf(request: IncomingRequest, contentType: string | undefined) {
  if (request.body.length === 0) return { isBase64Encoded: false };
  const text = isTextBody(contentType);
  return { isBase64Encoded: !text, body: request.body.toString(text ? 'utf8' : 'base64') };
}

/** The API Gateway HTTP API (payload format 2.0) event for a request and its route. */
export function toApiGatewayEvent(
  request: IncomingRequest,
  match: RouteMatch,
  now = new Date(),
): APIGatewayProxyEventV2 {
  const { rawPath, rawQueryString, parameters } = splitUrl(request.url);
  const { cookie, headers } = forwardedHeaders(request);
  const userAgent = headers['user-agent'] ?? '';
  return {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    ...(cookie ? { cookies: cookie.split(';').map((c) => c.trim()) } : {}),
    headers: {
      ...headers,
      'x-forwarded-for': request.sourceIp,
      'x-forwarded-port': request.host.split(':')[1] ?? '80',
      'x-forwarded-proto': 'http',
    },
    ...parameters,
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext: requestContextOf(request, match, { rawPath, userAgent, now }),
    ...bodyOf(request, headers['content-type']),
  };
}

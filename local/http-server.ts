/* eslint-disable max-lines -- predates the file size cap; split by responsibility when next changed */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEventV2,
  APIGatewayProxyResultV2,
  Context,
} from 'aws-lambda';
import type { FunctionDeclaration, RouteDeclaration } from '../functions/eventsourcing/declaration';
import { functions as declaredFunctions, routes as declaredRoutes } from '../functions/system';
import { DEFAULT_CALLER_SETTINGS } from '../functions/eventsourcing/http/caller';
import { loadFunctionHandler } from '../functions/eventsourcing/declaration';
import { lambdaContext } from './lambda-context';
import type { ToolRoutes } from './tool-routes';

/** API Gateway HTTP APIs refuse payloads over 10 MB before any Lambda runs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/** API Gateway HTTP APIs give up on an integration after 30 seconds. */
const MAX_INTEGRATION_MS = 30_000;

type HttpApiHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface RouteMatch {
  readonly route: RouteDeclaration;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const wanted = template.split('/').slice(1);
  const actual = path.split('/').slice(1);
  const parameters: Record<string, string> = {};
  for (const [i, part] of wanted.entries()) {
    const greedy = /^\{(\w+)\+\}$/.exec(part);
    if (greedy) {
      const rest = actual.slice(i).join('/');
      if (rest === '') return undefined;
      parameters[greedy[1]!] = rest;
      return parameters;
    }
    const segment = actual[i];
    if (segment === undefined) return undefined;
    const parameter = /^\{(\w+)\}$/.exec(part);
    if (parameter) {
      if (segment === '') return undefined;
      parameters[parameter[1]!] = segment;
    } else if (part !== segment) {
      return undefined;
    }
  }
  return wanted.length === actual.length ? parameters : undefined;
}

/** How specific a route is: literal segments beat parameters, which beat a greedy tail. */
function specificity(route: RouteDeclaration): number[] {
  const parts = route.path.split('/').slice(1);
  return [
    parts.some((part) => part.endsWith('+}')) ? 0 : 1,
    parts.filter((part) => !part.startsWith('{')).length,
    parts.length,
    route.method === 'ANY' ? 0 : 1,
  ];
}

function compareSpecificity(a: number[], b: number[]): number {
  for (const [i, value] of a.entries()) {
    if (value !== b[i]) return value - b[i]!;
  }
  return 0;
}

const decode = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** The route API Gateway would choose for a request, with its decoded path parameters. */
export function matchRoute(
  routes: readonly RouteDeclaration[],
  method: string,
  path: string,
): RouteMatch | undefined {
  let best: { match: RouteMatch; rank: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== 'ANY' && route.method !== method) continue;
    const parameters = matchPath(route.path, path);
    if (!parameters) continue;
    const rank = specificity(route);
    if (best && compareSpecificity(rank, best.rank) <= 0) continue;
    const names = Object.keys(parameters);
    best = {
      rank,
      match: {
        route,
        routeKey: `${route.method} ${route.path}`,
        pathParameters:
          names.length === 0
            ? undefined
            : Object.fromEntries(names.map((name) => [name, decode(parameters[name]!)])),
      },
    };
  }
  return best?.match;
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

/** The IAM caller every local request comes from unless it names a principal. */
export const LOCAL_CALLER_ARN = 'arn:aws:iam::000000000000:user/local-developer';

/** Header naming a JWT subject to act as locally, as if a JWT authorizer had admitted it. */
export const LOCAL_PRINCIPAL_HEADER = 'x-local-principal';
/** Header listing (comma-separated) the groups of that principal, e.g. `operators`. */
export const LOCAL_GROUPS_HEADER = 'x-local-groups';

/**
 * What API Gateway's authorizer would put in the request context: by default an IAM caller
 * (a trusted developer, like a signed request with `auth=iam`); with `X-Local-Principal`, a JWT
 * caller with that subject and the groups of `X-Local-Groups` in the `cognito:groups` claim,
 * formatted as API Gateway passes array claims (`[a b]`), so ownership rules apply locally too.
 */
export function localAuthorizer(headers: Readonly<Record<string, string>>) {
  const principal = headers[LOCAL_PRINCIPAL_HEADER]?.trim();
  if (!principal) {
    return {
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
  }
  const groups = (headers[LOCAL_GROUPS_HEADER] ?? '')
    .split(',')
    .map((group) => group.trim())
    .filter((group) => group.length > 0);
  return {
    jwt: {
      claims: {
        sub: principal,
        ...(groups.length > 0
          ? { [DEFAULT_CALLER_SETTINGS.groupsClaim]: `[${groups.join(' ')}]` }
          : {}),
      },
      scopes: null,
    },
  };
}

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

/** The API Gateway HTTP API (payload format 2.0) event for a request and its route. */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
export function toApiGatewayEvent(
  request: IncomingRequest,
  match: RouteMatch,
  now = new Date(),
): APIGatewayProxyEventV2 {
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const query = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    query.set(name, [...(query.get(name) ?? []), value]);
  }
  const { cookie, ...sent } = request.headers;
  // The authorizer consumed the local identity headers; the function never sees them.
  const headers = Object.fromEntries(
    Object.entries(sent).filter(
      ([name]) => name !== LOCAL_PRINCIPAL_HEADER && name !== LOCAL_GROUPS_HEADER,
    ),
  );
  const requestId = randomBytes(10).toString('base64');
  const text = isTextBody(headers['content-type']);
  const requestContext: APIGatewayEventRequestContextV2 & {
    authorizer: ReturnType<typeof localAuthorizer>;
  } = {
    accountId: '000000000000',
    apiId: 'local',
    authorizer: localAuthorizer(request.headers),
    domainName: request.host,
    domainPrefix: request.host.split(/[.:]/)[0] ?? 'localhost',
    http: {
      method: request.method,
      path: rawPath,
      protocol: 'HTTP/1.1',
      sourceIp: request.sourceIp,
      userAgent: headers['user-agent'] ?? '',
    },
    requestId,
    routeKey: match.routeKey,
    stage: '$default',
    time: formatRequestTime(now),
    timeEpoch: now.getTime(),
  };
  const event: APIGatewayProxyEventV2 = {
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
    ...(query.size > 0
      ? {
          queryStringParameters: Object.fromEntries(
            [...query].map(([name, values]) => [name, values.join(',')]),
          ),
        }
      : {}),
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    requestContext,
    isBase64Encoded: request.body.length > 0 && !text,
    ...(request.body.length > 0 ? { body: request.body.toString(text ? 'utf8' : 'base64') } : {}),
  };
  return event;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** What API Gateway sends back for a Lambda's payload 2.0 result. */
// eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
export function fromLambdaResult(result: APIGatewayProxyResultV2): HttpAnswer {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result ? result : undefined;
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result);
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body ?? ''),
    };
  }
  const headers: Record<string, string | string[]> = Object.fromEntries(
    Object.entries(structured.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  const body = structured.body ?? '';
  return {
    status: structured.statusCode ?? 200,
    headers,
    body: Buffer.from(body, structured.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

const gatewayError = (status: number, message: string): HttpAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify({ message })),
});

export interface HttpServerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly host?: string;
  readonly routes?: readonly RouteDeclaration[];
  readonly functions?: Readonly<Record<string, FunctionDeclaration>>;
  /** Called with one line per request, e.g. `POST /accounts 201 12ms`. */
  readonly log?: (line: string) => void;
  /** The local server's own pages (API docs, studio), tried before the API's routes. */
  readonly tools?: ToolRoutes;
}

export interface LocalHttpServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function headersOf(request: IncomingMessage): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name.toLowerCase(), Array.isArray(value) ? value.join(',') : value]),
  );
}

/**
 * A local stand-in for API Gateway (HTTP API): it matches requests against the declared routes,
 * builds payload 2.0 events and calls the declared Lambda handler modules in this process.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<LocalHttpServer> {
  const routes = options.routes ?? declaredRoutes;
  const functions: Readonly<Record<string, FunctionDeclaration>> =
    options.functions ?? declaredFunctions;
  const handlers = new Map<string, Promise<HttpApiHandler>>();

  const loadHandler = (name: string, declaration: FunctionDeclaration) => {
    let loaded = handlers.get(name);
    if (!loaded) {
      loaded = loadFunctionHandler<HttpApiHandler>(declaration);
      handlers.set(name, loaded);
    }
    return loaded;
  };

  const answerTool = async (request: IncomingRequest): Promise<HttpAnswer | undefined> => {
    const url = new URL(request.url, `http://${request.host}`);
    const answer = await options.tools?.({
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      origin: url.origin,
      body: request.body,
    });
    if (!answer) return undefined;
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body) : answer.body;
    return { status: answer.status, headers: { 'content-type': answer.type }, body };
  };

  const invoke = async (request: IncomingRequest): Promise<HttpAnswer> => {
    const tool = await answerTool(request);
    if (tool) return tool;
    const path = request.url.split('?')[0]!;
    const match = matchRoute(routes, request.method, path);
    if (!match) return gatewayError(404, 'Not Found');
    const name = match.route.function;
    const declaration = functions[name];
    if (!declaration)
      throw new Error(`Route ${match.routeKey} names an undeclared function ${name}`);
    const timeoutMs = Math.min(declaration.timeoutSeconds * 1000, MAX_INTEGRATION_MS);
    const deadline = Date.now() + timeoutMs;
    const handler = await loadHandler(name, declaration);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<HttpAnswer>((resolve) => {
      timer = setTimeout(() => resolve(gatewayError(503, 'Service Unavailable')), timeoutMs);
    });
    try {
      return await Promise.race([
        handler(
          toApiGatewayEvent(request, match),
          lambdaContext(name, declaration.memoryMb, deadline),
        ).then(fromLambdaResult),
        timedOut,
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  const serve = async (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const started = Date.now();
    let answer: HttpAnswer;
    const body = await readBody(incoming);
    if (!body) {
      answer = gatewayError(413, 'Request Entity Too Large');
    } else {
      try {
        answer = await invoke({
          method: incoming.method ?? 'GET',
          url: incoming.url ?? '/',
          headers: headersOf(incoming),
          body,
          sourceIp: incoming.socket.remoteAddress ?? '127.0.0.1',
          host: incoming.headers.host ?? 'localhost',
        });
      } catch (error) {
        console.error(error);
        answer = gatewayError(500, 'Internal Server Error');
      }
    }
    outgoing.writeHead(answer.status, {
      ...answer.headers,
      'content-length': String(answer.body.length),
      'apigw-requestid': randomBytes(10).toString('base64'),
    });
    outgoing.end(answer.body);
    options.log?.(`${incoming.method} ${incoming.url} ${answer.status} ${Date.now() - started}ms`);
  };

  // Requests being answered, so stopping can let them finish (see `stop`).
  let inFlight = 0;
  let stopping = false;
  let drained: (() => void) | undefined;
  const server = createServer((incoming, outgoing) => {
    inFlight += 1;
    if (stopping) outgoing.setHeader('connection', 'close');
    serve(incoming, outgoing)
      .catch((error: unknown) => {
        console.error(error);
        outgoing.destroy();
      })
      .finally(() => {
        inFlight -= 1;
        if (inFlight === 0) drained?.();
      });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    // Stops accepting connections, lets the requests in flight finish (up to the gateway's own
    // limit), then closes every connection.
    stop: () =>
      new Promise<void>((resolvePromise, reject) => {
        stopping = true;
        server.close((error) => (error ? reject(error) : resolvePromise()));
        server.closeIdleConnections();
        const closeAll = () => {
          clearTimeout(timer);
          server.closeAllConnections();
        };
        const timer = setTimeout(closeAll, MAX_INTEGRATION_MS);
        if (inFlight === 0) closeAll();
        else drained = closeAll;
      }),
  };
}

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type { FunctionDeclaration, RouteDeclaration } from '../functions/eventsourcing/declaration';
import { functions as declaredFunctions, routes as declaredRoutes } from '../functions/system';
import { loadFunctionHandler } from '../functions/eventsourcing/declaration';
import { playsJwtCaller, toApiGatewayEvent, type IncomingRequest } from './api-gateway/events';
import { fromLambdaResult, gatewayError, type HttpAnswer } from './api-gateway/results';
import { matchRoute } from './api-gateway/routes';
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
    // An IAM-only route admits no JWT, whatever the API's default authorizer is.
    if (match.route.authorization === 'iam' && playsJwtCaller(request.headers)) {
      return gatewayError(403, 'Forbidden');
    }
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

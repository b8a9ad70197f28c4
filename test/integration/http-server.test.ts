import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  FunctionDeclaration,
  RouteDeclaration,
} from '../../functions/eventsourcing/declaration';
import { routes as declaredRoutes } from '../../functions/system';
import { callerOf } from '../../functions/eventsourcing/http';
import { LOCAL_CALLER_ARN } from '../../local/api-gateway/events';
import { matchRoute } from '../../local/api-gateway/routes';
import { startHttpServer, type LocalHttpServer } from '../../local/http-server';

const fn = (handler: string, timeoutSeconds = 5): FunctionDeclaration => ({
  description: 'test',
  entry: 'test/support/echo-handler.ts',
  handler,
  trigger: 'http',
  memoryMb: 192,
  timeoutSeconds,
  tables: {},
});

const functions = { echo: fn('echo'), plain: fn('plain'), fails: fn('fails'), slow: fn('slow', 1) };
const routes = [
  { method: 'GET', path: '/things/{thingId}', function: 'echo' },
  { method: 'POST', path: '/things/{thingId}/parts', function: 'echo' },
  { method: 'GET', path: '/things/special', function: 'plain' },
  { method: 'ANY', path: '/files/{path+}', function: 'echo' },
  { method: 'GET', path: '/fails', function: 'fails' },
  { method: 'GET', path: '/slow', function: 'slow' },
] as unknown as RouteDeclaration[];

let server: LocalHttpServer;

beforeAll(async () => {
  server = await startHttpServer({ port: 0, routes, functions });
});
afterAll(() => server.stop());

async function echoed(path: string, init: RequestInit = {}) {
  const response = await fetch(`${server.url}${path}`, init);
  const body = (await response.json()) as {
    event: APIGatewayProxyEventV2;
    context: { functionName: string; memoryLimitInMB: string; remainingMs: number };
  };
  return { response, ...body };
}

describe('local API Gateway', () => {
  it('admits requests as an IAM caller, or as the JWT principal a local header names', async () => {
    const iam = await echoed('/things/x');
    expect(iam.event.requestContext).toMatchObject({
      authorizer: { iam: { userArn: LOCAL_CALLER_ARN } },
    });
    const jwt = await echoed('/things/x', {
      headers: { 'X-Local-Principal': 'alice', 'X-Local-Groups': 'operators, auditors' },
    });
    expect(jwt.event.requestContext).toMatchObject({
      authorizer: { jwt: { claims: { sub: 'alice', 'cognito:groups': '[operators auditors]' } } },
    });
    // The authorizer consumed the identity headers: the function never sees them.
    expect(jwt.event.headers).not.toHaveProperty('x-local-principal');
    expect(jwt.event.headers).not.toHaveProperty('x-local-groups');
    const caller = callerOf(jwt.event);
    expect(caller).toEqual({ actor: 'alice', privileged: true });
    expect(callerOf(iam.event)).toEqual({ actor: LOCAL_CALLER_ARN, privileged: true });
    const plain = await echoed('/things/x', { headers: { 'X-Local-Principal': 'bob' } });
    expect(callerOf(plain.event)).toEqual({ actor: 'bob', privileged: false });
  });

  it('builds a payload 2.0 event for the matching route', async () => {
    const { event, context } = await echoed('/things/a%20b?limit=5&tag=x&tag=y&empty=', {
      headers: { 'X-Custom': 'One', cookie: 'session=abc; theme=dark' },
    });
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /things/{thingId}',
      rawPath: '/things/a%20b',
      rawQueryString: 'limit=5&tag=x&tag=y&empty=',
      queryStringParameters: { limit: '5', tag: 'x,y', empty: '' },
      pathParameters: { thingId: 'a b' },
      cookies: ['session=abc', 'theme=dark'],
      isBase64Encoded: false,
      requestContext: {
        http: { method: 'GET', path: '/things/a%20b', protocol: 'HTTP/1.1' },
        routeKey: 'GET /things/{thingId}',
        stage: '$default',
      },
    });
    expect(event.headers['x-custom']).toBe('One');
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.requestContext.requestId).toMatch(/\S+/);
    expect(event.requestContext.timeEpoch).toBeGreaterThan(0);
    expect(event.body).toBeUndefined();
    expect(context).toMatchObject({ functionName: 'echo', memoryLimitInMB: '192' });
    expect(context.remainingMs).toBeGreaterThan(0);
    expect(context.remainingMs).toBeLessThanOrEqual(5000);
  });

  it('passes JSON bodies as text and binary bodies as base64', async () => {
    const json = await echoed('/things/t1/parts', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(json.event).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = await echoed('/things/t1/parts', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 255, 1]),
    });
    expect(binary.event.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.event.body!, 'base64')).toEqual(Buffer.from([0, 255, 1]));
  });

  it('returns the structured result: status, headers, cookies', async () => {
    const { response } = await echoed('/things/t1');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
  });

  it('prefers literal segments, and serves greedy paths for any method', async () => {
    const special = await fetch(`${server.url}/things/special`);
    expect(await special.json()).toEqual({ plain: true });
    expect(special.headers.get('content-type')).toBe('application/json');
    const { event } = await echoed('/files/a/b/c.txt', { method: 'DELETE' });
    expect(event.routeKey).toBe('ANY /files/{path+}');
    expect(event.pathParameters).toEqual({ path: 'a/b/c.txt' });
  });

  it('answers like API Gateway for unknown routes, crashes, timeouts and huge payloads', async () => {
    const unknown = await fetch(`${server.url}/nothing/here`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Not Found' });
    const wrongMethod = await fetch(`${server.url}/things/t1`, { method: 'PUT' });
    expect(wrongMethod.status).toBe(404);
    const crashed = await fetch(`${server.url}/fails`);
    expect(crashed.status).toBe(500);
    expect(await crashed.json()).toEqual({ message: 'Internal Server Error' });
    const slow = await fetch(`${server.url}/slow`);
    expect(slow.status).toBe(503);
    const huge = await fetch(`${server.url}/things/t1/parts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(huge.status).toBe(413);
  });
});

describe('route matching of the system declaration', () => {
  it('sends every declared route to its function and everything else to the catch-all', () => {
    expect(matchRoute(declaredRoutes, 'GET', '/accounts/a1/history')?.routeKey).toBe(
      'GET /accounts/{accountId}/history',
    );
    expect(matchRoute(declaredRoutes, 'POST', '/accounts')?.routeKey).toBe('POST /accounts');
    expect(matchRoute(declaredRoutes, 'GET', '/accounts')?.routeKey).toBe('ANY /{proxy+}');
    expect(matchRoute(declaredRoutes, 'DELETE', '/accounts/a1')?.routeKey).toBe('ANY /{proxy+}');
    expect(matchRoute(declaredRoutes, 'GET', '/')?.routeKey).toBe('ANY /');
    for (const route of declaredRoutes) {
      const path = route.path.replace(/\{(\w+)\+?\}/g, 'x');
      const method = route.method === 'ANY' ? 'PATCH' : route.method;
      expect(matchRoute(declaredRoutes, method, path)?.route, `${route.method} ${route.path}`).toBe(
        route,
      );
    }
  });
});

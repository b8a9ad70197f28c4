import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Routes } from '../../functions/eventsourcing/http';
import { functions, routes } from '../../functions/system';
import { loadFunctionHandler } from '../../functions/eventsourcing/declaration';
import { startHttpServer, type LocalHttpServer } from '../../local/http-server';
import { describedRoutes, openApiDocument } from '../../local/openapi/document';
import { apiDocsPages } from '../../local/openapi/pages';

type Document = Awaited<ReturnType<typeof openApiDocument>>;
let generated: Document;
let server: LocalHttpServer;

beforeAll(async () => {
  generated = await openApiDocument();
  server = await startHttpServer({ port: 0, tools: apiDocsPages });
});
afterAll(async () => {
  await server?.stop();
});

const routeTable = async (fn: string) =>
  (await loadFunctionHandler<{ routes?: Routes }>(functions[fn as keyof typeof functions])).routes;

describe('the OpenAPI description', () => {
  it('is committed as openapi.json exactly as generated (npm run openapi writes it)', () => {
    const committed = JSON.parse(readFileSync('openapi.json', 'utf8')) as unknown;
    expect(committed, 'openapi.json is stale: run npm run openapi').toEqual(
      JSON.parse(JSON.stringify(generated)),
    );
  });

  it('describes every declared route, with the schemas its handler validates with', async () => {
    expect(generated.openapi).toBe('3.1.0');
    const described = describedRoutes();
    expect(described.length).toBe(routes.filter((route) => route.method !== 'ANY').length);
    for (const route of described) {
      const operation = generated.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      const definition = (await routeTable(route.function))?.[`${route.method} ${route.path}`];
      const pathNames = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const parameters = operation!.parameters as { name: string; in: string }[];
      expect(parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual(pathNames);
      if (definition && 'body' in definition && definition.body) {
        expect(operation!.requestBody).toBeDefined();
      }
    }
    const deposit = generated.paths['/accounts/{accountId}/deposits']!.post!;
    expect(deposit.requestBody).toMatchObject({
      content: {
        'application/json': {
          schema: {
            properties: { amount: { type: 'integer', exclusiveMinimum: 0 } },
            required: ['amount'],
          },
        },
      },
    });
  });

  it('has an example for every route, and each one passes the route’s own validation', async () => {
    const withoutExample = describedRoutes().filter((route) => !route.example);
    expect(withoutExample.map((route) => `${route.method} ${route.path}`)).toEqual([]);
    for (const route of describedRoutes()) {
      const key = `${route.method} ${route.path}`;
      const definition = (await routeTable(route.function))?.[key];
      if (!definition) continue; // a hand-written handler that takes no input (GET /health)
      const example = route.example!;
      const parts = [
        [definition.params, example.params ?? {}],
        ['query' in definition ? definition.query : undefined, example.query ?? {}],
        ['body' in definition ? definition.body : undefined, example.body],
      ] as const;
      for (const [schema, value] of parts) {
        if (!schema) continue;
        const result = schema.safeParse(value);
        expect(result.success, `${key}: ${JSON.stringify(value)}: ${String(result.error)}`).toBe(
          true,
        );
      }
    }
  });

  it('is served at /openapi.json with the local server as its server, and /docs serves Swagger UI', async () => {
    const served = (await (await fetch(`${server.url}/openapi.json`)).json()) as Document;
    expect(served.servers).toEqual([{ url: server.url }]);
    expect(Object.keys(served.paths)).toEqual(Object.keys(generated.paths));
    const docs = await fetch(`${server.url}/docs`);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain("url: '/openapi.json'");
    const bundle = await fetch(`${server.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect((await bundle.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});

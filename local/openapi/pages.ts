import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ToolAnswer, ToolRequest } from '../tool-routes';
import { openApiDocument } from './document';

const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

const ASSETS: Readonly<Record<string, string>> = {
  '/docs/swagger-ui.css': 'text/css',
  '/docs/swagger-ui-bundle.js': 'text/javascript',
};

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>API docs · dynamo-event-sourcing</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <main id="docs"></main>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#docs', tryItOutEnabled: true });
  </script>
</body>
</html>
`;

/**
 * `GET /openapi.json` (the API description, with this server as its server) and `GET /docs`
 * (Swagger UI from node_modules: no CDN), where every route can be tried.
 */
export async function apiDocsPages(request: ToolRequest): Promise<ToolAnswer | undefined> {
  if (request.method !== 'GET') return undefined;
  if (request.path === '/openapi.json') {
    return {
      status: 200,
      type: 'application/json',
      body: JSON.stringify(await openApiDocument({ serverUrl: request.origin })),
    };
  }
  if (request.path === '/docs' || request.path === '/docs/') {
    return { status: 200, type: 'text/html; charset=utf-8', body: DOCS_PAGE };
  }
  const type = ASSETS[request.path];
  if (!type) return undefined;
  return {
    status: 200,
    type,
    body: await readFile(join(swaggerUi, request.path.slice('/docs/'.length))),
  };
}

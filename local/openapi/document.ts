import * as z from 'zod';
import type { Routes } from '../../functions/eventsourcing/http';
import { isCommandRoute } from '../../functions/eventsourcing/http/commands';
import type { RouteDeclaration, RouteExample } from '../../functions/eventsourcing/declaration';
import {
  functions as declaredFunctions,
  routes as declaredRoutes,
  type FunctionKey,
} from '../../functions/system';
import { loadFunctionHandler } from '../../functions/eventsourcing/declaration';
import { errorResponses, headerParameters, successResponse, ERROR_SCHEMA } from './responses';

type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;

/** Catch-all routes answer 404 to everything else: they are not part of the API. */
export const describedRoutes = (
  routes: readonly RouteDeclaration<FunctionKey>[] = declaredRoutes,
) => routes.filter((route) => route.method !== 'ANY');

/** The JSON Schema of a request part as the client sends it (before zod's transforms). */
function inputSchema(schema: z.ZodType): JsonSchema {
  const json: JsonSchema = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
  // Embedded in the description, whose dialect (JSON Schema 2020-12) OpenAPI 3.1 sets.
  delete json.$schema;
  return json;
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query', example?: object) {
  if (!schema) return [];
  const json = inputSchema(schema);
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: property,
    ...(example && name in example ? { example: (example as Record<string, unknown>)[name] } : {}),
  }));
}

/** The handler's route table entry for a declared route; undefined for hand-written handlers. */
async function routeDefinition(route: RouteDeclaration<FunctionKey>) {
  const declaration = declaredFunctions[route.function];
  const handler = await loadFunctionHandler<{ routes?: Routes }>(declaration);
  return handler.routes?.[`${route.method} ${route.path}`];
}

function requestBodyOf(schema: z.ZodType, example: unknown) {
  return {
    required: true,
    content: {
      'application/json': {
        schema: inputSchema(schema),
        ...(example === undefined ? {} : { example }),
      },
    },
  };
}

const operationId = (key: string) =>
  key.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ?? '').toUpperCase());

/** Path and query parameters from the route's schemas; a command's headers. */
function parametersFor(definition: Routes[string] | undefined, example: RouteExample) {
  if (!definition) return [];
  const path = parametersOf(definition.params, 'path', example.params);
  return isCommandRoute(definition)
    ? [...path, ...headerParameters]
    : [...path, ...parametersOf(definition.query, 'query', example.query)];
}

async function operationOf(route: RouteDeclaration<FunctionKey>): Promise<Operation> {
  const key = `${route.method} ${route.path}`;
  const definition = await routeDefinition(route);
  const example = route.example ?? {};
  const body = definition?.body;
  return {
    operationId: operationId(key),
    summary: key,
    tags: [route.path.split('/')[1] ?? 'api'],
    parameters: parametersFor(definition, example),
    ...(body ? { requestBody: requestBodyOf(body, example.body) } : {}),
    responses: { ...successResponse(route.method), ...errorResponses(route.method) },
    ...(route.authorization === 'iam' ? { description: 'IAM-authorized in AWS.' } : {}),
  };
}

export interface OpenApiOptions {
  /** Base URL of the API; the deployed API's URL template when omitted. */
  readonly serverUrl?: string;
}

/** OpenAPI 3.1 for every declared route, from the zod schemas its handler validates with. */
export async function openApiDocument(options: OpenApiOptions = {}) {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const route of describedRoutes()) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = await operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'dynamo-event-sourcing reference API',
      version: '0.1.0',
      description:
        'Bank accounts, orders and transfers on an event-sourced store. Amounts are integers in ' +
        'cents. Errors are {"error":{"code","message"}}. In AWS every request is signed (SigV4) ' +
        'or carries a JWT, as the stack was deployed.',
    },
    servers: [
      options.serverUrl
        ? { url: options.serverUrl }
        : {
            url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
            variables: {
              apiId: { default: 'your-api-id', description: 'the ApiUrl output of the stack' },
              region: { default: 'us-east-1' },
            },
          },
    ],
    paths,
    components: { schemas: { Error: ERROR_SCHEMA } },
  };
}

import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { z } from 'zod';
import type { EventMetadata, HandleOptions } from '../eventsourcing';
import { logger } from '../eventsourcing/logger';
import { errorResponse, HttpError, mapError } from './errors';
import type { Idempotency } from './idempotency';
import { parseIdempotencyKey, parseIfMatch, parseJsonBody } from './request';
import type { HttpResponse } from './responses';
import { validate } from './validation';

export interface RouteRequest<Params, Query, Body> {
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  /** The stream version `If-Match` pins, when the client sent one. */
  readonly ifMatch: number | undefined;
  /** Recorded with the events a command appends. */
  readonly metadata: EventMetadata;
}

export interface Route<Params = unknown, Query = unknown, Body = unknown> {
  readonly params?: z.ZodType<Params>;
  readonly query?: z.ZodType<Query>;
  /** Schema of the JSON body; without one, a command takes no body (or `{}`). */
  readonly body?: z.ZodType<Body>;
  handle(request: RouteRequest<Params, Query, Body>): Promise<HttpResponse>;
}

/** Command handler options for a request: `If-Match` pins the version, metadata is recorded. */
export function handleOptions(request: {
  readonly ifMatch: number | undefined;
  readonly metadata: EventMetadata;
}): HandleOptions {
  return {
    ...(request.ifMatch === undefined ? {} : { expectedVersion: request.ifMatch }),
    metadata: request.metadata,
  };
}

/** Declares a route with its schemas; the request `handle` receives is already validated. */
export function route<
  Params = Record<string, never>,
  Query = Record<string, never>,
  Body = undefined,
>(definition: Route<Params, Query, Body>): Route<Params, Query, Body> {
  return definition;
}

/** Routes of one Lambda function, keyed by API Gateway's `routeKey` (`POST /accounts`). */
export type Routes = Readonly<Record<string, Route<any, any, any>>>; // eslint-disable-line @typescript-eslint/no-explicit-any -- each route has its own request types

export interface HttpHandlerOptions {
  /** Stores `Idempotency-Key`s of POST requests; built on first use. */
  readonly idempotency?: () => Idempotency;
}

const noInput = z.strictObject({});
const noBody = z.strictObject({}).optional();

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function toResult(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { ...JSON_HEADERS, ...response.headers },
    // A trailing newline keeps terminals tidy for people calling the API with curl.
    body: response.body === undefined ? '' : `${JSON.stringify(response.body)}\n`,
  };
}

function methodOf(routeKey: string): string {
  return routeKey.split(' ')[0] ?? '';
}

/**
 * An API Gateway (HTTP API, payload 2.0) Lambda handler serving `routes`: it routes by
 * `routeKey`, validates path, query and body with the routes' zod schemas, applies `If-Match`
 * and `Idempotency-Key`, and maps errors to the API's statuses with a JSON body
 * `{"error":{"code","message"}}`. An unexpected error is logged and answered 500.
 */
export function httpHandler(routes: Routes, options: HttpHandlerOptions = {}) {
  const hasCommands = Object.keys(routes).some((key) => methodOf(key) === 'POST');
  if (hasCommands && !options.idempotency) {
    throw new Error('A handler with POST routes needs an idempotency store');
  }
  let idempotency: Idempotency | undefined;

  return async (
    event: APIGatewayProxyEventV2,
    context: Context,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    let ifMatch: number | undefined;
    try {
      const definition = routes[event.routeKey];
      if (!definition) {
        throw new HttpError(
          404,
          'RouteNotFound',
          `No route ${event.requestContext.http.method} ${event.rawPath}`,
        );
      }
      const isCommand = methodOf(event.routeKey) === 'POST';
      const params: unknown = validate(
        definition.params ?? noInput,
        event.pathParameters ?? {},
        'path',
      );
      const query: unknown = validate(
        definition.query ?? noInput,
        event.queryStringParameters ?? {},
        'query',
      );
      const json = isCommand ? parseJsonBody(event) : undefined;
      const body: unknown = isCommand
        ? validate(definition.body ?? noBody, json, 'body')
        : undefined;
      ifMatch = isCommand ? parseIfMatch(event) : undefined;
      const key = isCommand ? parseIdempotencyKey(event) : undefined;
      const requestId = event.requestContext.requestId;
      const request = {
        params,
        query,
        body,
        ifMatch,
        metadata: {
          correlationId: event.headers['x-correlation-id'] ?? requestId,
          commandId: requestId,
        },
      };
      const execute = async () => toResult(await definition.handle(request));
      if (key === undefined) return await execute();
      idempotency ??= options.idempotency!();
      const fingerprint = {
        method: event.requestContext.http.method,
        path: event.rawPath,
        body: json,
      };
      return await idempotency.run(key, fingerprint, context, execute);
    } catch (error) {
      const mapped = mapError(error, { ifMatch });
      if (mapped) return toResult(mapped);
      logger.error('Unexpected error', { routeKey: event.routeKey, error: error as Error });
      return toResult(errorResponse(500, 'InternalError', 'The service failed; please retry'));
    }
  };
}

import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { CORRUPT_EVENTS_METRIC, CorruptEventError } from '../errors.js';
import { withLogKeys } from '../log-context.js';
import { logger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { traced } from '../tracing.js';
import { callerOf, callerSettingsFromEnv, type Caller, type CallerSettings } from './caller.js';
import { isCommandRoute, runCommand, type CommandRoute } from './commands.js';
import { errorResponse, HttpError, mapError, type RefusalStatuses } from './errors.js';
import type { IdempotencyKeys, StoredAnswer } from './idempotency.js';
import { correlationIdOf, parseIdempotencyKey, parseIfMatch, parseJsonBody } from './request.js';
import { toAnswer, type HttpResponse } from './responses.js';
import { validate } from './validation.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

export interface RouteRequest<Params, Query, Body> {
  readonly params: Params;
  readonly query: Query;
  readonly body: Body;
  /** Who sent the request; routes check what the caller may see or change. */
  readonly caller: Caller;
}

/**
 * A route that is no command on a stream (a query, or an operation of the framework's own): it
 * gets the validated request and answers.
 */
export interface Route<Params = unknown, Query = unknown, Body = unknown> {
  readonly params?: z.ZodType<Params>;
  readonly query?: z.ZodType<Query>;
  /** The JSON body it takes; a route without one ignores the body. */
  readonly body?: z.ZodType<Body>;
  handle(request: RouteRequest<Params, Query, Body>): Promise<HttpResponse>;
}

/** Declares a route with its schemas; the request `handle` receives is already validated. */
export function route<
  Params = Record<string, never>,
  Query = Record<string, never>,
  Body = undefined,
>(definition: Route<Params, Query, Body>): Route<Params, Query, Body> {
  return definition;
}

/* eslint-disable @typescript-eslint/no-explicit-any -- each route has its own request types */
/** Routes of one Lambda function, keyed by API Gateway's `routeKey` (`POST /accounts`). */
export type Routes = Readonly<
  Record<string, Route<any, any, any> | CommandRoute<any, any, any, any>>
>;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface HttpHandlerOptions {
  /** Stores `Idempotency-Key`s of commands with their answers; built on first use. */
  readonly idempotencyKeys?: () => IdempotencyKeys;
  /** Where corrupt events met are counted; Powertools Metrics (EMF) of the function by default. */
  readonly metrics?: Metrics;
}

const noInput = z.strictObject({});
const noBody = z.strictObject({}).optional();

const CORRELATION_HEADER = 'x-correlation-id';

function methodOf(routeKey: string): string {
  return routeKey.split(' ')[0] ?? '';
}

/**
 * Refuses a route table the adapter cannot serve: commands are POST routes, and need keys; any
 * other POST route is an operation that repeats safely by itself, and declares its body.
 */
function checkRoutes(routes: Routes, options: HttpHandlerOptions): void {
  for (const [routeKey, definition] of Object.entries(routes)) {
    const post = methodOf(routeKey) === 'POST';
    if (isCommandRoute(definition) ? !post : post && !definition.body) {
      throw new InvalidDeclarationError([
        `${routeKey}: commands are POST routes, and a POST route that is no command declares its body`,
      ]);
    }
    if (isCommandRoute(definition) && !options.idempotencyKeys) {
      throw new InvalidDeclarationError([
        'A handler with command routes needs an idempotency key store',
      ]);
    }
  }
}

/** What serving one request needs besides its event. */
interface Serving {
  readonly routes: Routes;
  readonly options: HttpHandlerOptions;
  readonly callerSettings: CallerSettings;
  readonly correlationId: string;
  /** The request's `If-Match`, once read: a conflict's answer depends on it. */
  ifMatch?: number;
  /** The command route's own refusal statuses, once it is known. */
  refusals?: RefusalStatuses;
}

/** Runs a command route on a request whose path and caller are known. */
async function serveCommand(
  definition: CommandRoute<unknown, unknown, unknown, unknown>,
  event: APIGatewayProxyEventV2,
  request: { readonly params: unknown; readonly caller: Caller },
  serving: Serving,
): Promise<StoredAnswer> {
  validate(noInput, event.queryStringParameters ?? {}, 'query');
  const json = parseJsonBody(event);
  serving.ifMatch = parseIfMatch(event);
  serving.refusals = definition.refusals;
  const body: unknown = validate(definition.body ?? noBody, json, 'body');
  const { caller } = request;
  return runCommand(definition, {
    request: { ...request, body },
    json,
    ifMatch: serving.ifMatch,
    idempotencyKey: parseIdempotencyKey(event),
    keys: serving.options.idempotencyKeys!,
    method: event.requestContext.http.method,
    path: event.rawPath,
    metadata: {
      actor: caller.actor,
      correlationId: serving.correlationId,
      commandId: event.requestContext.requestId,
      causationId: event.requestContext.requestId,
    },
  });
}

/** The answer to a request: its route found, its caller known, its input validated. */
async function serveRequest(
  event: APIGatewayProxyEventV2,
  serving: Serving,
): Promise<StoredAnswer> {
  const definition = serving.routes[event.routeKey];
  if (!definition) {
    throw new HttpError(
      404,
      'RouteNotFound',
      `No route ${event.requestContext.http.method} ${event.rawPath}`,
    );
  }
  const caller = callerOf(event, serving.callerSettings);
  if (!caller) {
    throw new HttpError(401, 'Unauthenticated', 'The request carries no authorized caller');
  }
  const params: unknown = validate(
    definition.params ?? noInput,
    event.pathParameters ?? {},
    'path',
  );
  if (isCommandRoute(definition))
    return serveCommand(definition, event, { params, caller }, serving);
  const query: unknown = validate(
    definition.query ?? noInput,
    event.queryStringParameters ?? {},
    'query',
  );
  const body: unknown = definition.body
    ? validate(definition.body, parseJsonBody(event), 'body')
    : undefined;
  return toAnswer(await definition.handle({ params, query, body, caller }));
}

/** Logs a corrupt event met while serving, and counts it in the metric its alarm watches. */
function reportCorruptEvent(error: CorruptEventError, metrics: Metrics): void {
  logger.error('A stored event does not fit its schema; commands on its stream fail', {
    streamId: error.streamId,
    version: error.version,
    eventId: error.eventId,
    eventType: error.eventType,
    field: error.field,
    reason: error.reason,
  });
  metrics.addMetric(CORRUPT_EVENTS_METRIC, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

/**
 * An API Gateway (HTTP API, payload 2.0) Lambda handler serving `routes`: it routes by
 * `routeKey`, validates path, query and body with the routes' zod schemas, runs commands with
 * `If-Match` and `Idempotency-Key`, and maps errors to the API's statuses with a JSON body
 * `{"error":{"code","message"}}`. Every answer carries the request's correlation id
 * (`X-Correlation-Id`), which every log line of the request carries too. An unexpected error is
 * logged and answered 500.
 */
export function httpHandler(routes: Routes, options: HttpHandlerOptions = {}) {
  checkRoutes(routes, options);
  let metrics = options.metrics;
  const callerSettings = callerSettingsFromEnv();

  const serve = async (
    event: APIGatewayProxyEventV2,
    correlationId: string,
  ): Promise<StoredAnswer> => {
    const serving: Serving = { routes, options, callerSettings, correlationId };
    try {
      return await serveRequest(event, serving);
    } catch (error) {
      if (error instanceof CorruptEventError) {
        reportCorruptEvent(error, (metrics ??= createMetrics('api')));
      }
      const mapped = mapError(error, { ifMatch: serving.ifMatch, refusals: serving.refusals });
      if (mapped) return toAnswer(mapped);
      logger.error('Unexpected error', { routeKey: event.routeKey, error: error as Error });
      return toAnswer(errorResponse(500, 'InternalError', 'The service failed; please retry'));
    }
  };

  // The Lambda context is not needed: every answer is built from the event alone.
  const handler = async (
    event: APIGatewayProxyEventV2,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const correlationId = correlationIdOf(event);
    const started = Date.now();
    const keys = {
      correlationId,
      requestId: event.requestContext.requestId,
      routeKey: event.routeKey,
    };
    const answer = await withLogKeys(keys, async () => {
      const served = await traced('## request', { correlationId, routeKey: event.routeKey }, () =>
        serve(event, correlationId),
      );
      logger.info('Request answered', { status: served.status, durationMs: Date.now() - started });
      return served;
    });
    return {
      statusCode: answer.status,
      headers: { ...answer.headers, [CORRELATION_HEADER]: correlationId },
      body: answer.body,
    };
  };
  // The route table travels with the handler: what synth checks against the declared routes
  // and what the API description is generated from.
  return Object.assign(handler, { routes });
}

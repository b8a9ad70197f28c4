import {
  ConcurrencyError,
  CorruptEventError,
  DomainError,
  StreamClosedError,
  SubjectErasedError,
  EventTooLargeError,
  InvalidEventError,
  TooManyEventsError,
} from '../errors.js';
import { EventSourcingError } from '../errors.js';
import type { HttpResponse } from './responses.js';

export interface FieldError {
  /** Where the field is: the JSON body, the path or the query string. */
  readonly in: 'body' | 'path' | 'query' | 'header';
  /** Dotted path of the field, e.g. `items[0].quantity`; `body` for the body as a whole. */
  readonly field: string;
  readonly message: string;
}

/** An error that already knows its HTTP status and stable code. */
export class HttpError extends EventSourcingError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class ValidationError extends HttpError {
  constructor(readonly fields: readonly FieldError[]) {
    super(
      400,
      'ValidationFailed',
      `Invalid request: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`,
      { fields },
    );
    this.name = 'ValidationError';
  }
}

export function errorResponse(
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): HttpResponse {
  return { status, body: { error: { code, message, ...details } } };
}

/** Seconds a client should wait before retrying a request that lost to concurrent changes. */
export const CONFLICT_RETRY_AFTER_SECONDS = 1;

/** A route's statuses for refusal codes the naming rule would answer otherwise. */
export type RefusalStatuses = Readonly<Record<string, number>>;

/**
 * Domain errors follow a naming convention: `...NotFound` is 404, `...AlreadyExists` is 409,
 * every other business rule is 422; a route may say otherwise for its own refusals.
 */
function domainStatus(code: string, refusals: RefusalStatuses = {}): number {
  const declared = refusals[code];
  if (declared !== undefined) return declared;
  if (code.endsWith('NotFound')) return 404;
  if (code.endsWith('AlreadyExists')) return 409;
  return 422;
}

/**
 * A lost race: 412 for a request that named its version (`If-Match`), else 409 with
 * `Retry-After` (the command handler already retried within its budget).
 */
function concurrencyAnswer(error: ConcurrencyError, ifMatch: number | undefined): HttpResponse {
  const current = error.actualVersion === undefined ? {} : { currentVersion: error.actualVersion };
  if (ifMatch !== undefined) {
    return errorResponse(
      412,
      'PreconditionFailed',
      `If-Match expected version ${ifMatch}` +
        (error.actualVersion === undefined ? '' : `, but it is at ${error.actualVersion}`),
      current,
    );
  }
  return {
    ...errorResponse(
      409,
      'ConcurrencyConflict',
      'Too many concurrent changes to this resource; retry the request',
      current,
    ),
    headers: { 'retry-after': String(CONFLICT_RETRY_AFTER_SECONDS) },
  };
}

/** The answer to what the event store refused or met: bad events, too many, corrupt data. */
function storeErrorAnswer(error: unknown): HttpResponse | undefined {
  if (error instanceof CorruptEventError) {
    // A fault of the stored data, not of the request: nothing is decided from such a stream.
    return errorResponse(500, error.code, error.message, {
      streamId: error.streamId,
      version: error.version,
      field: error.field,
    });
  }
  if (error instanceof EventTooLargeError || error instanceof TooManyEventsError) {
    return errorResponse(413, error.code, error.message);
  }
  if (error instanceof StreamClosedError) {
    return errorResponse(410, error.code, error.message, {
      streamId: error.streamId,
      version: error.version,
    });
  }
  if (error instanceof SubjectErasedError) {
    // The erasure fence: the request would write personal data of an erased subject.
    return errorResponse(422, error.code, error.message, { subject: error.subject });
  }
  if (error instanceof InvalidEventError) {
    return errorResponse(400, 'InvalidInput', error.message, {
      fields: [{ in: 'body', field: error.field, message: error.message }],
    });
  }
  return undefined;
}

/**
 * The HTTP answer to an error a route raised, or `undefined` for an unexpected error (a fault of
 * the service, not of the client).
 */
export function mapError(
  error: unknown,
  request: { readonly ifMatch?: number; readonly refusals?: RefusalStatuses | undefined },
): HttpResponse | undefined {
  if (error instanceof HttpError) {
    return errorResponse(error.status, error.code, error.message, error.details);
  }
  if (error instanceof DomainError) {
    return errorResponse(
      domainStatus(error.code, request.refusals),
      error.code,
      error.message,
      error.details ? { details: error.details } : {},
    );
  }
  if (error instanceof ConcurrencyError) return concurrencyAnswer(error, request.ifMatch);
  return storeErrorAnswer(error);
}

/**
 * `…/http`: the API Gateway (HTTP API, payload 2.0) adapter. Routes declared with zod schemas,
 * commands run with `Idempotency-Key` exactly-once effects and `If-Match`, callers and their
 * access rules, errors as `{"error":{"code","message"}}` with the right status, and the
 * declarations of command and query functions.
 */
export {
  httpHandler,
  route,
  type HttpHandlerOptions,
  type Route,
  type RouteRequest,
  type Routes,
} from './api.js';
export {
  commandRoutes,
  type CommandCall,
  type CommandOutcome,
  type CommandRequest,
  type CommandRoute,
  type RunsCommands,
} from './commands.js';
export {
  callerOf,
  callerSettingsFromEnv,
  forbidden,
  operatorsOnly,
  requireOperator,
  requireOwner,
  GROUPS_CLAIM_VARIABLE,
  OPERATOR_GROUP_VARIABLE,
  type Caller,
  type CallerSettings,
} from './caller.js';
export { HttpError, ValidationError, type FieldError } from './errors.js';
export { commandResponse, etag, ok, type HttpResponse } from './responses.js';
export { cursorParam, integerParam, limitParam, money, resourceId, text } from './validation.js';
export { readPage, withoutKeys, type Page, type PageRequest } from './read-model.js';
export { IdempotencyKeys } from './idempotency.js';
export { once } from './once.js';
export { commandFunction, corruptEventsAlarm, queryFunction } from './functions.js';

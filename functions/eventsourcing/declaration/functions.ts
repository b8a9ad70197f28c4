import type { TableGrants } from './tables';

/** `ANY` matches every method; a route with the request's own method is preferred to it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

/** API Gateway's `routeKey`: the method and the path with `{name}` parameters. */
export type RouteKey = `${HttpMethod} /${string}`;

export interface FunctionDeclaration<TableKey extends string = string> {
  readonly description: string;
  /** Source file exporting the Lambda handler, relative to the repository root. */
  readonly entry: string;
  /** Exported handler name; `handler` when omitted. */
  readonly handler?: string;
  /**
   * What invokes it: API Gateway routes, an event source mapping on a table stream, or a
   * schedule (`scheduleMinutes`).
   */
  readonly trigger: 'http' | 'stream' | 'schedule';
  /** For `trigger: 'schedule'`: minutes between invocations. */
  readonly scheduleMinutes?: number;
  /**
   * Metrics the function emits (Powertools, dimension `service` = function key) whose value 1 or
   * more means something needs an operator; each gets an alarm.
   */
  readonly alarmMetrics?: readonly { readonly metric: string; readonly description: string }[];
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Tables the function uses; their names reach it as environment variables. */
  readonly tables: TableGrants<TableKey>;
  /**
   * The event bus the function publishes to: it may call PutEvents on that bus and no other,
   * and learns the bus's name from `EVENT_BUS_NAME`.
   */
  readonly eventBus?: 'integration';
}

/** Environment variable through which a function learns the name of its `eventBus`. */
export const EVENT_BUS_NAME_VARIABLE = 'EVENT_BUS_NAME';

export interface RouteDeclaration<FunctionKey extends string = string> {
  readonly method: HttpMethod;
  /** API Gateway path with `{name}` parameters, e.g. `/accounts/{accountId}`. */
  readonly path: string;
  readonly function: FunctionKey;
  /**
   * `iam`: only SigV4-signed callers with `execute-api:Invoke`, even when the API's default
   * authorizer accepts JWTs (operator and internal routes).
   */
  readonly authorization?: 'iam';
}

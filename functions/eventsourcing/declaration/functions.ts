import type { BucketGrants } from './buckets.js';
import type { SigningKeyGrants } from './signing-keys.js';

/** What a function does with personal data: see `FunctionDeclaration.personalData`. */
export type PersonalDataAccess = 'seal' | 'reveal';
import type { TableGrants } from './tables.js';

/** `ANY` matches every method; a route with the request's own method is preferred to it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

/** API Gateway's `routeKey`: the method and the path with `{name}` parameters. */
export type RouteKey = `${HttpMethod} /${string}`;

export interface FunctionDeclaration<
  TableKey extends string = string,
  BucketKey extends string = string,
> {
  readonly description: string;
  /**
   * Source file exporting the Lambda handler, relative to the project root, or one of the
   * framework's own handlers (`eventsourcing:http/health`).
   */
  readonly entry: string;
  /** Exported handler name; `handler` when omitted. */
  readonly handler?: string;
  /**
   * What invokes it: API Gateway routes, an event source mapping on a table stream, a schedule
   * (`scheduleMinutes`), or EventBridge Scheduler firing timers (`timers`: one function of the
   * system, the target of every timer).
   */
  readonly trigger: 'http' | 'stream' | 'schedule' | 'timers';
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
  /** Buckets the function uses; their names reach it as `BUCKET_<NAME>` variables. */
  readonly buckets?: BucketGrants<BucketKey>;
  /** Signing keys the function uses; each reaches it as a `SIGNING_KEY_<NAME>` variable. */
  readonly signingKeys?: SigningKeyGrants;
  /**
   * What the function does with personal data (subjects' data keys, wrapped by the system's
   * personal-data KMS key, whose ARN reaches it as `PERSONAL_DATA_KEY`):
   * - `seal`: writes events with personal fields (kms:GenerateDataKey and kms:Decrypt; the
   *   `dataKeys` table with `readWrite`);
   * - `reveal`: reads them in clear (kms:Decrypt; `dataKeys` with `read`).
   * A function without it reads personal fields as their declared replacements.
   */
  readonly personalData?: PersonalDataAccess;
  /**
   * For `trigger: 'schedule'`: the CDK context setting that overrides `scheduleMinutes` for a
   * deployment (`-c <setting>=10`).
   */
  readonly scheduleSetting?: string;
  /**
   * The event bus the function publishes to: it may call PutEvents on that bus and no other,
   * and learns the bus's name from `EVENT_BUS_NAME`.
   */
  readonly eventBus?: 'integration';
  /**
   * `schedule`: the function creates, replaces and deletes timers (one-time schedules in the
   * system's schedule group, delivered to the `trigger: 'timers'` function); it learns where
   * they go from the `TIMER_*` variables.
   */
  readonly timers?: 'schedule';
  /**
   * For `trigger: 'http'`: the API Gateway routes it serves, each declared here and nowhere
   * else; its handler's route table must have exactly these keys (synth checks it).
   */
  readonly routes?: readonly RouteSpec[];
}

/** A request the API description shows for a route: what its "Try it out" starts from. */
export interface RouteExample {
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/**
 * A route a function serves: its `routeKey`, or the key with an authorization of its own and an
 * example request for the API description.
 */
export type RouteSpec =
  | RouteKey
  | {
      readonly route: RouteKey;
      /**
       * `iam`: only SigV4-signed callers with `execute-api:Invoke`, even when the API's default
       * authorizer accepts JWTs (operator and internal routes).
       */
      readonly authorization?: 'iam';
      readonly example?: RouteExample;
    };

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
  readonly example?: RouteExample;
}

/** The route keys a function declares, in order. */
export function routeKeysOf(fn: Pick<FunctionDeclaration, 'routes'>): RouteKey[] {
  return (fn.routes ?? []).map((spec) => (typeof spec === 'string' ? spec : spec.route));
}

/** Every route of the functions, each pointing at the function that declares it. */
export function routesOf<FunctionKey extends string>(
  functions: Readonly<Record<FunctionKey, FunctionDeclaration>>,
): RouteDeclaration<FunctionKey>[] {
  return (Object.entries(functions) as [FunctionKey, FunctionDeclaration][]).flatMap(([key, fn]) =>
    (fn.routes ?? []).map((spec) => {
      const routeKey = typeof spec === 'string' ? spec : spec.route;
      const space = routeKey.indexOf(' ');
      return {
        method: routeKey.slice(0, space) as HttpMethod,
        path: routeKey.slice(space + 1),
        function: key,
        ...(typeof spec === 'string'
          ? {}
          : {
              ...(spec.authorization ? { authorization: spec.authorization } : {}),
              ...(spec.example ? { example: spec.example } : {}),
            }),
      };
    }),
  );
}

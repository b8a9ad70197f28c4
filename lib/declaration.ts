import * as system from '../functions/system';
import { streamReaderProblems } from '../functions/system';
import type {
  ConsumerDeclaration,
  FunctionDeclaration,
  RouteDeclaration,
  StreamHostDeclaration,
  TableAccess,
  TableDeclaration,
} from '../functions/system';

/**
 * The system declaration as the CDK app reads it: the shapes of `functions/system.ts`, keyed by
 * plain strings so the stack can be built from any declaration (tests build it from their own).
 */
export interface DeclaredFunction extends Omit<FunctionDeclaration, 'tables'> {
  readonly tables: Readonly<Record<string, TableAccess | undefined>>;
}

export interface DeclaredRoute extends Omit<RouteDeclaration, 'function'> {
  readonly function: string;
}

export interface DeclaredConsumer extends Omit<ConsumerDeclaration, 'tables'> {
  readonly tables: Readonly<Record<string, TableAccess | undefined>>;
}

export interface DeclaredStreamHost extends Omit<StreamHostDeclaration, 'source' | 'consumers'> {
  readonly source: string;
  readonly consumers: Readonly<Record<string, DeclaredConsumer>>;
}

export interface SystemDeclaration {
  readonly tables: Readonly<Record<string, TableDeclaration>>;
  readonly functions: Readonly<Record<string, DeclaredFunction>>;
  readonly routes: readonly DeclaredRoute[];
  /** The readers of table streams, keyed like the functions that run them. */
  readonly streamHosts: Readonly<Record<string, DeclaredStreamHost>>;
}

/** The real system, as declared in `functions/system.ts`. */
export const systemDeclaration: SystemDeclaration = {
  tables: system.tables,
  functions: system.functions,
  routes: system.routes,
  streamHosts: system.streamHosts,
};

/** Lambda's bounds for a stream event source mapping (without -1, which means unbounded). */
const MAX_RETRY_ATTEMPTS = 10_000;
const MIN_RECORD_AGE_SECONDS = 60;
const MAX_RECORD_AGE_SECONDS = 604_800;

/** A schedule runs at least daily: a slower check could not report in time. */
const MAX_SCHEDULE_MINUTES = 1440;

const isIntegerIn = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max;

/**
 * Refuses a declaration whose entries point at nothing or would break the guarantees the stack
 * relies on, naming the entry; synthesis stops before any resource is built.
 */
// eslint-disable-next-line complexity -- one check per declaration rule, in sequence; to be split into one function per rule
export function validateDeclaration(declaration: SystemDeclaration): void {
  const problems: string[] = [];
  const tableNames = new Set(Object.keys(declaration.tables));
  for (const [name, table] of Object.entries(declaration.tables)) {
    if (table.appendOnly && table.timeToLiveAttribute) {
      problems.push(`append-only table ${name} cannot have a TTL: expiry would delete items`);
    }
  }
  for (const [name, fn] of Object.entries(declaration.functions)) {
    for (const [table, access] of Object.entries(fn.tables)) {
      if (!tableNames.has(table)) {
        problems.push(`function ${name} uses undeclared table ${table}`);
      } else if (access === 'readWrite' && declaration.tables[table]?.appendOnly) {
        problems.push(
          `function ${name} asks for readWrite on append-only table ${table} (read or append only)`,
        );
      }
    }
  }
  for (const [name, fn] of Object.entries(declaration.functions)) {
    if (fn.trigger === 'schedule') {
      if (!isIntegerIn(fn.scheduleMinutes ?? 0, 1, MAX_SCHEDULE_MINUTES)) {
        problems.push(
          `scheduled function ${name} needs scheduleMinutes from 1 to ${MAX_SCHEDULE_MINUTES}`,
        );
      }
    } else if (fn.scheduleMinutes !== undefined) {
      problems.push(`function ${name} has scheduleMinutes but its trigger is ${fn.trigger}`);
    }
  }
  const routeKeys = new Set<string>();
  for (const route of declaration.routes) {
    const key = `${route.method} ${route.path}`;
    if (routeKeys.has(key)) problems.push(`route ${key} is declared twice`);
    routeKeys.add(key);
    const fn = declaration.functions[route.function];
    if (!fn) problems.push(`route ${key} points at undeclared function ${route.function}`);
    else if (fn.trigger !== 'http') {
      problems.push(`route ${key} points at ${route.function}, whose trigger is ${fn.trigger}`);
    }
  }
  for (const [key, host] of Object.entries(declaration.streamHosts)) {
    const fn = declaration.functions[key];
    if (!fn) problems.push(`stream host ${key} has no function of the same key`);
    else if (fn.trigger !== 'stream') {
      problems.push(`stream host ${key} runs in function ${key}, whose trigger is ${fn.trigger}`);
    }
    if (!host.bisectBatchOnError) {
      problems.push(`stream host ${key} must bisect failing batches`);
    }
    if (!isIntegerIn(host.maxRetryAttempts, 0, MAX_RETRY_ATTEMPTS)) {
      problems.push(`stream host ${key} needs bounded retries (0 to ${MAX_RETRY_ATTEMPTS})`);
    }
    if (!isIntegerIn(host.maxRecordAgeSeconds, MIN_RECORD_AGE_SECONDS, MAX_RECORD_AGE_SECONDS)) {
      problems.push(
        `stream host ${key} needs a bounded record age (${MIN_RECORD_AGE_SECONDS} to ${MAX_RECORD_AGE_SECONDS} seconds)`,
      );
    }
    if (!declaration.tables[host.source]?.stream) {
      problems.push(`stream host ${key} reads ${host.source}, which has no stream`);
    }
    if (Object.keys(host.consumers).length === 0) {
      problems.push(`stream host ${key} hosts no consumer`);
    }
  }
  for (const [key, fn] of Object.entries(declaration.functions)) {
    if (fn.trigger === 'stream' && !declaration.streamHosts[key]) {
      problems.push(`function ${key} has trigger stream but is no declared stream host`);
    }
  }
  const consumerNames = Object.values(declaration.streamHosts).flatMap((host) =>
    Object.keys(host.consumers),
  );
  for (const [index, name] of consumerNames.entries()) {
    if (consumerNames.indexOf(name) !== index) problems.push(`consumer ${name} is declared twice`);
  }
  problems.push(...streamReaderProblems(declaration.streamHosts));
  if (problems.length > 0) {
    throw new Error(`Invalid system declaration:\n- ${problems.join('\n- ')}`);
  }
}

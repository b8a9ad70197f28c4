import { archiversOf } from './archive.js';
import { bucketProblems } from './bucket-checks.js';
import type { BucketGrants } from './buckets.js';
import { InvalidDeclarationError } from './errors.js';
import { isProcessDeclaration, processGrantProblems } from '../process-manager/grants.js';
import { streamReaderProblems, type StreamHostDeclaration } from './stream-hosts.js';
import type { FunctionDeclaration } from './functions.js';
import type { SystemDeclaration } from './system.js';

/** Lambda's bounds for a stream event source mapping (without -1, which means unbounded). */
const MAX_RETRY_ATTEMPTS = 10_000;
const MIN_RECORD_AGE_SECONDS = 60;
const MAX_RECORD_AGE_SECONDS = 604_800;

/** A schedule runs at least daily: a slower check could not report in time. */
export const MAX_SCHEDULE_MINUTES = 1440;

const isIntegerIn = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max;

/** One rule of a declaration: the problems it finds, each naming the entry at fault. */
type DeclarationCheck = (declaration: SystemDeclaration) => string[];

const appendOnlyTablesExpireNothing: DeclarationCheck = ({ tables }) =>
  Object.entries(tables)
    .filter(([, table]) => table.appendOnly && table.timeToLiveAttribute)
    .map(([name]) => `append-only table ${name} cannot have a TTL: expiry would delete items`);

const functionsUseDeclaredTables: DeclarationCheck = ({ tables, functions }) =>
  Object.entries(functions).flatMap(([name, fn]) =>
    Object.entries(fn.tables).flatMap(([table, access]) => {
      if (!tables[table]) return [`function ${name} uses undeclared table ${table}`];
      if (access === 'readWrite' && tables[table].appendOnly) {
        return [
          `function ${name} asks for readWrite on append-only table ${table} (read or append only)`,
        ];
      }
      return [];
    }),
  );

/** A bucket key is part of the bucket's physical name, which S3 keeps to lowercase and digits. */
const BUCKET_KEY_PATTERN = /^[a-z][a-zA-Z0-9]{0,29}$/;

const bucketKeysAreNames: DeclarationCheck = ({ buckets }) =>
  Object.keys(buckets)
    .filter((key) => !BUCKET_KEY_PATTERN.test(key))
    .map(
      (key) =>
        `bucket ${key} needs a key of letters and digits starting lowercase, at most 30 (it names the bucket)`,
    );

/**
 * `archive` access deletes items of an append-only table: one function of the whole system may
 * have it, on a table whose archive bucket is declared, and no consumer (a consumer shares its
 * host's role with every other consumer there).
 */
const archiveAccessIsTheOneException: DeclarationCheck = ({
  tables,
  buckets,
  functions,
  streamHosts,
}) => {
  const archivers = archiversOf(functions);
  const names = [...new Set(archivers.map((archiver) => archiver.function))];
  const archived = new Set(Object.values(buckets).map((bucket) => bucket.archiveOf));
  return [
    ...archivers.flatMap(({ function: name, table }) => {
      if (!tables[table]) return [];
      if (!tables[table].appendOnly) {
        return [`function ${name} asks for archive on table ${table}, which is not append-only`];
      }
      return archived.has(table)
        ? []
        : [`function ${name} archives table ${table}, but no bucket declares archiveOf: ${table}`];
    }),
    ...(names.length > 1
      ? [`archive access is for one function alone; ${names.join(', ')} ask for it`]
      : []),
    ...Object.values(streamHosts).flatMap((host) =>
      archiversOf(host.consumers).map(
        ({ function: consumer, table }) =>
          `consumer ${consumer} asks for archive on table ${table}: only a function may, as consumers share their host's role`,
      ),
    ),
  ];
};

/** The problems of one user's bucket grants: buckets that are not declared, or that it could break. */
function bucketGrantProblems(
  user: string,
  grants: BucketGrants | undefined,
  declared: SystemDeclaration['buckets'],
): string[] {
  return Object.entries(grants ?? {}).flatMap(([bucket, access]) => {
    const declaration = declared[bucket];
    if (!declaration) return [`${user} uses undeclared bucket ${bucket}`];
    if (access === 'readWrite' && declaration.writeOnce) {
      return [`${user} asks for readWrite on write-once bucket ${bucket} (read or writeOnce only)`];
    }
    return [];
  });
}

const usersOfBucketsAreGranted: DeclarationCheck = ({ buckets, functions, streamHosts }) => [
  ...Object.entries(functions).flatMap(([name, fn]) =>
    bucketGrantProblems(`function ${name}`, fn.buckets, buckets),
  ),
  ...Object.values(streamHosts).flatMap((host) =>
    Object.entries(host.consumers).flatMap(([name, consumer]) =>
      bucketGrantProblems(`consumer ${name}`, consumer.buckets, buckets),
    ),
  ),
];

const functionsUseDeclaredSigningKeys: DeclarationCheck = ({ functions, signingKeys }) =>
  Object.entries(functions).flatMap(([name, fn]) =>
    Object.keys(fn.signingKeys ?? {})
      .filter((key) => !signingKeys[key])
      .map((key) => `function ${name} uses undeclared signing key ${key}`),
  );

/** The data keys table access each use of personal data needs, besides reading the events. */
const DATA_KEYS_ACCESS = { seal: ['readWrite'], reveal: ['read', 'readWrite'] } as const;

const personalDataHasItsKeys: DeclarationCheck = ({ functions }) =>
  Object.entries(functions).flatMap(([name, fn]) => {
    if (!fn.personalData) return [];
    const needed: readonly string[] = DATA_KEYS_ACCESS[fn.personalData];
    const problems: string[] = [];
    if (!needed.includes(fn.tables.dataKeys ?? '')) {
      problems.push(
        `function ${name} ${fn.personalData}s personal data: it needs the dataKeys table with ${needed[0]} access`,
      );
    }
    // The erasure ledger, in the events table, outranks the data keys table.
    if (!fn.tables.events) {
      problems.push(
        `function ${name} ${fn.personalData}s personal data: it needs the events table`,
      );
    }
    return problems;
  });

const schedulesAreBounded: DeclarationCheck = ({ functions }) =>
  Object.entries(functions).flatMap(([name, fn]) => {
    if (fn.trigger !== 'schedule') {
      return fn.scheduleMinutes === undefined
        ? []
        : [`function ${name} has scheduleMinutes but its trigger is ${fn.trigger}`];
    }
    return isIntegerIn(fn.scheduleMinutes ?? 0, 1, MAX_SCHEDULE_MINUTES)
      ? []
      : [`scheduled function ${name} needs scheduleMinutes from 1 to ${MAX_SCHEDULE_MINUTES}`];
  });

/**
 * Every timer goes to one target function, which must exist for anything to schedule one (a
 * host's function schedules when one of its consumers does: see `hostFunction`).
 */
const timersHaveOneTarget: DeclarationCheck = ({ functions }) => {
  const keysWhere = (test: (fn: FunctionDeclaration) => boolean) =>
    Object.entries(functions)
      .filter(([, fn]) => test(fn))
      .map(([key]) => key);
  const targets = keysWhere((fn) => fn.trigger === 'timers');
  if (targets.length > 1) {
    return [`timers have one target function; ${targets.join(', ')} have trigger timers`];
  }
  return targets.length === 1
    ? []
    : keysWhere((fn) => fn.timers === 'schedule').map(
        (key) => `function ${key} schedules timers, but no function has trigger timers`,
      );
};

const routesAreUniqueAndServed: DeclarationCheck = ({ routes, functions }) => {
  const seen = new Set<string>();
  return routes.flatMap((route) => {
    const key = `${route.method} ${route.path}`;
    const problems = seen.has(key) ? [`route ${key} is declared twice`] : [];
    seen.add(key);
    const fn = functions[route.function];
    if (!fn) problems.push(`route ${key} points at undeclared function ${route.function}`);
    else if (fn.trigger !== 'http') {
      problems.push(`route ${key} points at ${route.function}, whose trigger is ${fn.trigger}`);
    }
    return problems;
  });
};

/** What one stream host needs: bounded, bisecting retries on a table that has a stream. */
function hostProblems(
  key: string,
  host: StreamHostDeclaration,
  declaration: SystemDeclaration,
): string[] {
  const fn = declaration.functions[key];
  const limits = `${MIN_RECORD_AGE_SECONDS} to ${MAX_RECORD_AGE_SECONDS} seconds`;
  return [
    !fn && `stream host ${key} has no function of the same key`,
    fn &&
      fn.trigger !== 'stream' &&
      `stream host ${key} runs in function ${key}, whose trigger is ${fn.trigger}`,
    !host.bisectBatchOnError && `stream host ${key} must bisect failing batches`,
    !isIntegerIn(host.maxRetryAttempts, 0, MAX_RETRY_ATTEMPTS) &&
      `stream host ${key} needs bounded retries (0 to ${MAX_RETRY_ATTEMPTS})`,
    !isIntegerIn(host.maxRecordAgeSeconds, MIN_RECORD_AGE_SECONDS, MAX_RECORD_AGE_SECONDS) &&
      `stream host ${key} needs a bounded record age (${limits})`,
    !declaration.tables[host.source]?.stream &&
      `stream host ${key} reads ${host.source}, which has no stream`,
    Object.keys(host.consumers).length === 0 && `stream host ${key} hosts no consumer`,
  ].filter((problem): problem is string => typeof problem === 'string');
}

const streamHostsAreSound: DeclarationCheck = (declaration) =>
  Object.entries(declaration.streamHosts).flatMap(([key, host]) =>
    hostProblems(key, host, declaration),
  );

const streamFunctionsAreHosts: DeclarationCheck = ({ functions, streamHosts }) =>
  Object.entries(functions)
    .filter(([key, fn]) => fn.trigger === 'stream' && !streamHosts[key])
    .map(([key]) => `function ${key} has trigger stream but is no declared stream host`);

const consumerNamesAreUnique: DeclarationCheck = ({ streamHosts }) => {
  const names = Object.values(streamHosts).flatMap((host) => Object.keys(host.consumers));
  return names
    .filter((name, index) => names.indexOf(name) !== index)
    .map((name) => `consumer ${name} is declared twice`);
};

/** A read model that no stream consumer writes stays empty: reading it is a mistake. */
const readModelsReadAreKept: DeclarationCheck = ({ tables, functions, streamHosts }) => {
  const kept = new Set(
    Object.values(streamHosts)
      .flatMap((host) => Object.values(host.consumers))
      .flatMap((consumer) => Object.entries(consumer.tables))
      .filter(([, access]) => access === 'readWrite')
      .map(([table]) => table),
  );
  return Object.entries(functions).flatMap(([name, fn]) =>
    Object.entries(fn.tables)
      .filter(
        ([table, access]) => access === 'read' && tables[table]?.readModel && !kept.has(table),
      )
      .map(
        ([table]) =>
          `function ${name} reads read model ${table}, which no stream consumer writes (readWrite): declare the projection that keeps it in its context's module`,
      ),
  );
};

const streamsHaveFewReaders: DeclarationCheck = ({ streamHosts }) =>
  streamReaderProblems(streamHosts);

/** A process manager may send commands only to the tables its declaration grants it. */
const processesAppendWhereGranted: DeclarationCheck = ({ streamHosts }) =>
  Object.values(streamHosts).flatMap((host) =>
    Object.entries(host.consumers).flatMap(([name, consumer]) =>
      isProcessDeclaration(consumer) ? processGrantProblems(name, consumer) : [],
    ),
  );

const CHECKS: readonly DeclarationCheck[] = [
  appendOnlyTablesExpireNothing,
  functionsUseDeclaredTables,
  bucketKeysAreNames,
  bucketProblems,
  usersOfBucketsAreGranted,
  archiveAccessIsTheOneException,
  functionsUseDeclaredSigningKeys,
  personalDataHasItsKeys,
  schedulesAreBounded,
  timersHaveOneTarget,
  routesAreUniqueAndServed,
  streamHostsAreSound,
  streamFunctionsAreHosts,
  consumerNamesAreUnique,
  streamsHaveFewReaders,
  processesAppendWhereGranted,
  readModelsReadAreKept,
];

/** Every problem of a declaration: entries that point at nothing or break a guarantee. */
export function declarationProblems(declaration: SystemDeclaration): string[] {
  return CHECKS.flatMap((check) => check(declaration));
}

/**
 * Refuses a declaration whose entries point at nothing or would break the guarantees the stack
 * relies on, naming each entry (`InvalidDeclarationError`); synthesis stops before any resource
 * is built.
 */
export function validateDeclaration(declaration: SystemDeclaration): void {
  const problems = declarationProblems(declaration);
  if (problems.length > 0) throw new InvalidDeclarationError(problems);
}

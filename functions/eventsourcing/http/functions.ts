import {
  CORRUPT_EVENTS_METRIC,
  type FunctionDeclaration,
  type RouteSpec,
} from '../declaration/index.js';

/** HTTP functions that read events report the corrupt ones they meet, with an alarm. */
export const corruptEventsAlarm = [
  {
    metric: CORRUPT_EVENTS_METRIC,
    description:
      'A stored event does not fit its schema: commands on its stream fail until it is repaired ' +
      '(npm run es -- corrupt lists such events)',
  },
] as const;

/**
 * The HTTP function of a context's commands, serving `routes`: appends events and keeps
 * idempotency keys, and snapshots when its aggregates have them (`snapshots: false` when it only
 * replays short streams).
 */
export const commandFunction = <const Routes extends readonly RouteSpec[]>(
  declaration: {
    readonly description: string;
    readonly entry: string;
    readonly routes: Routes;
  },
  options: {
    readonly snapshots: boolean;
    /** Its events hold personal data: it seals it under the subjects' data keys. */
    readonly personalData?: boolean;
  } = { snapshots: true },
) =>
  ({
    ...declaration,
    trigger: 'http',
    alarmMetrics: corruptEventsAlarm,
    memoryMb: 512,
    timeoutSeconds: 10,
    tables: {
      events: 'append',
      idempotency: 'readWrite',
      ...(options.snapshots ? { snapshots: 'readWrite' } : {}),
      ...(options.personalData ? { dataKeys: 'readWrite' } : {}),
    },
    ...(options.personalData ? { personalData: 'seal' } : {}),
  }) as const satisfies FunctionDeclaration;

/** The HTTP function of a context's queries, reading the tables `tables` grants. */
export const queryFunction = <
  const Declaration extends Pick<
    FunctionDeclaration,
    'description' | 'entry' | 'routes' | 'tables' | 'buckets' | 'alarmMetrics' | 'personalData'
  >,
>(
  declaration: Declaration,
) =>
  ({
    ...declaration,
    trigger: 'http',
    memoryMb: 256,
    timeoutSeconds: 10,
  }) as const satisfies FunctionDeclaration;

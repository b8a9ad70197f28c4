import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SealRecords } from '../../functions/eventsourcing/integrity';
import { feedEvent } from '../../functions/global-log/feed-event';
import type { handler as sealHandler } from '../../functions/eventsourcing/http/health';
import type { TableKey } from '../../functions/system';
import { systemContext, type EsContext } from '../es/context';
import { selectParkingConsumers } from '../es/consumer-selection';
import { processOverviews, ProcessLookupError } from '../es/process-instances';
import { consumerStatuses } from '../es/views/consumer-status';
import { streamHistory } from '../es/views/stream-history';
import {
  DEFAULT_TRACE_WINDOW,
  receivedBy,
  traceRequest,
  traceSources,
} from '../es/views/request-trace';
import { recentStreams } from '../es/views/streams';
import type { RunningSchedules } from '../schedules';
import type { ToolAnswer, ToolRequest, ToolRoutes } from '../tool-routes';
import { appendRate } from './append-rate';
import { sealStatuses } from './seal-status';

/** The scheduled function that seals the global log (`functions/integrity/seal.ts`). */
const SEAL_FUNCTION = 'sealCheckpoints';

export interface StudioContext extends EsContext {
  readonly seals: SealRecords;
  /** Runs the sealer as its schedule does; absent when the server runs no schedules. */
  readonly sealNow?: () => ReturnType<typeof sealHandler>;
}

const json = (body: unknown, status = 200): ToolAnswer => ({
  status,
  type: 'application/json',
  body: JSON.stringify(body),
});

const whole = (value: string | null, fallback: number) =>
  value !== null && /^\d+$/.test(value) ? Number(value) : fallback;

async function logAfter(context: EsContext, query: URLSearchParams) {
  const head = (await context.log.head()).lastPosition;
  const after = Math.min(whole(query.get('after'), Math.max(0, head - 20)), head);
  const { events, next } = await context.log.read({ after, limit: 100 });
  return { events: events.map(feedEvent), next };
}

async function consumersView(context: EsContext) {
  const consumers = await context.consumers();
  const statuses = await consumerStatuses(consumers, context.log);
  // Every consumer, the log's indexer included, keeps its records in one table: one Scan.
  const parked = await context.indexerParking.parking.list();
  return { ...statuses, parked, processes: context.processes.names };
}

/** How many running instances of each process the studio lists. */
const NEWEST_INSTANCES = 20;

/** One process's instances (every process's without a name), or one instance in full. */
async function processesView(context: EsContext, query: URLSearchParams) {
  const name = query.get('name') ?? undefined;
  const instanceId = query.get('instance');
  if (instanceId !== null && !name) {
    const message = 'name is required with instance';
    return json({ error: { code: 'ValidationFailed', message } }, 400);
  }
  try {
    if (name && instanceId) return json(await context.processes.instance(name, instanceId));
    const processes = await processOverviews(context.processes, await context.consumers(), {
      ...(name === undefined ? {} : { names: [name] }),
      newest: NEWEST_INSTANCES,
    });
    return json({ processes });
  } catch (error) {
    if (!(error instanceof ProcessLookupError)) throw error;
    return json({ error: { code: error.code, message: error.message } }, 404);
  }
}

async function redrive(context: EsContext, name: string | null) {
  const known = name ? await selectParkingConsumers(context, undefined) : [];
  const runtime = known.find((consumer) => consumer.name === name);
  if (!runtime)
    return json({ error: { code: 'UnknownConsumer', message: `No consumer ${name}` } }, 404);
  const outcomes = await runtime.redrive();
  return json({
    consumer: runtime.name,
    streams: outcomes.map(({ streamId, released, appliedVersion, failure }) => ({
      streamId,
      released,
      appliedVersion,
      ...(failure ? { error: failure.error.message } : {}),
    })),
  });
}

/** A stream's history, each event with its seal status (one Query of the seals table). */
async function streamView(context: StudioContext, streamId: string) {
  const [history, runs] = await Promise.all([
    streamHistory(context.store, streamId, context.foldOf(streamId)),
    context.seals.sealedRuns(streamId),
  ]);
  const statuses = sealStatuses(history.events, runs);
  return {
    ...history,
    events: history.events.map((event, index) => ({ ...event, seal: statuses[index] })),
  };
}

/** Everything one request caused; what the local event bus received, when there is one. */
async function traceView(context: StudioContext, correlationId: string) {
  const bus = process.env.EVENTBRIDGE_ENDPOINT;
  const published = bus ? await receivedBy(bus) : undefined;
  const sources = await traceSources(context, published);
  return traceRequest(sources, correlationId, DEFAULT_TRACE_WINDOW);
}

async function sealNow(context: StudioContext) {
  if (!context.sealNow) {
    const message = 'This server runs no schedules: seal with npm run es -- checkpoint';
    return json({ error: { code: 'SealingUnavailable', message } }, 404);
  }
  return json(await context.sealNow());
}

type Handler = (context: StudioContext, request: ToolRequest) => Promise<ToolAnswer>;

const handlers: Readonly<Record<string, Handler>> = {
  'GET /studio/api/streams': async (context, { query }) =>
    json({ streams: await recentStreams(context.log, { prefix: query.get('prefix') ?? '' }) }),
  'GET /studio/api/stream': async (context, { query }) => {
    const streamId = query.get('id') ?? '';
    if (!streamId)
      return json({ error: { code: 'ValidationFailed', message: 'id is required' } }, 400);
    return json(await streamView(context, streamId));
  },
  'GET /studio/api/trace': async (context, { query }) => {
    const correlationId = query.get('id') ?? '';
    if (!correlationId)
      return json({ error: { code: 'ValidationFailed', message: 'id is required' } }, 400);
    return json(await traceView(context, correlationId));
  },
  'GET /studio/api/log': async (context, { query }) => json(await logAfter(context, query)),
  'GET /studio/api/consumers': async (context) => json(await consumersView(context)),
  'GET /studio/api/processes': (context, { query }) => processesView(context, query),
  'GET /studio/api/append-rate': async (context) => json(await appendRate(context.log)),
  'POST /studio/api/redrive': (context, { query }) => redrive(context, query.get('consumer')),
  'POST /studio/api/seal': (context) => sealNow(context),
};

/**
 * The studio's JSON API over the stack's tables: the same views as the operator CLI, and a seal
 * of the global log on demand through the stack's `sealCheckpoints` schedule, when given one.
 */
export function studioApi(
  client: DynamoDBClient,
  tables: Readonly<Record<TableKey, string>>,
  schedules?: Pick<RunningSchedules, 'run'>,
): ToolRoutes {
  return studioRoutes({
    ...systemContext(client, tables, {
      json: true,
      print: () => undefined,
      progress: () => undefined,
    }),
    seals: new SealRecords(client, tables.seals),
    ...(schedules
      ? { sealNow: () => schedules.run(SEAL_FUNCTION) as ReturnType<typeof sealHandler> }
      : {}),
  });
}

/** The studio's JSON API over a context's tables. */
export function studioRoutes(context: StudioContext): ToolRoutes {
  return async (request) => {
    const handler = handlers[`${request.method} ${request.path}`];
    return handler ? handler(context, request) : undefined;
  };
}

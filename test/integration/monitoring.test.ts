import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { ulid } from 'ulid';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONSUMER_METRICS } from '../../functions/eventsourcing/consumers/metric-names';
import { report } from '../../functions/eventsourcing/consumers/batch-report';
import {
  CORRUPT_EVENTS_METRIC,
  GLOBAL_LOG_EVENTS_INDEXED_METRIC,
  GLOBAL_LOG_LAG_METRIC,
  tableNameEnvVar,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { entryFile } from '../../functions/eventsourcing/declaration/function-modules';
import { createGlobalLogIndexerHandler } from '../../functions/eventsourcing/global-log';
import { createMetrics } from '../../functions/eventsourcing/metrics';
import { systemDeclaration } from '../../lib/declaration';
import { createGlobalLogFixture } from '../support/global-log';
import { insertRecord } from '../support/projection-fixture';
import { putStoredEvent } from '../support/stored-items';
import { apiEvent, jwtCaller } from '../support/api-gateway-events';
import { createTestTables } from '../support/dynamodb';
import { resourcesOfType, synthesize, type Json, type Synthesized } from '../support/cdk-synthesis';

/**
 * What the code emits to the functions' namespace (`EventSourcing/<stage>`), by metric name: its
 * dimension names, and which declared function's code emits it. `service` is always the emitting
 * function's key (`POWERTOOLS_SERVICE_NAME`). The tests below run the emitters to prove the
 * names and dimensions; `CorruptEvents` of `httpHandler` is proven by http-adapter.test.ts.
 */
const emitted: Record<string, { dimensions: string[]; by: string }> = {
  [CONSUMER_METRICS.lag]: { dimensions: ['consumer', 'service'], by: 'a projection or reaction' },
  [CONSUMER_METRICS.applied]: {
    dimensions: ['consumer', 'service'],
    by: 'a projection or reaction',
  },
  [CONSUMER_METRICS.parked]: { dimensions: ['consumer', 'service'], by: 'any consumer' },
  [CONSUMER_METRICS.retries]: { dimensions: ['consumer', 'service'], by: 'any consumer' },
  [GLOBAL_LOG_LAG_METRIC]: { dimensions: ['service'], by: 'the global-log indexer' },
  [GLOBAL_LOG_EVENTS_INDEXED_METRIC]: { dimensions: ['service'], by: 'the global-log indexer' },
  [CORRUPT_EVENTS_METRIC]: { dimensions: ['service'], by: 'a function serving httpHandler' },
};

/** An EMF line's metric names with their dimension names (sorted). */
function emfMetrics(lines: readonly string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of lines.filter((l) => l.includes('"_aws"'))) {
    const emf = JSON.parse(line) as {
      _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    };
    for (const { Dimensions, Metrics } of emf._aws.CloudWatchMetrics) {
      for (const { Name } of Metrics) found.set(Name, [...Dimensions.flat()].sort());
    }
  }
  return found;
}

/** Everything written to stdout while `run` runs, line by line. */
async function stdoutOf(run: () => Promise<unknown>): Promise<string[]> {
  const output: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    output.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    write.mockRestore();
  }
  return output.flatMap((chunk) => chunk.split('\n'));
}

/** The custom metric an alarm watches: its name and dimension names, or a Metrics Insights query's. */
function watched(alarm: Record<string, Json>, namespace: string) {
  if (alarm.Namespace === namespace) {
    const dimensions = (alarm.Dimensions ?? []) as { Name: string; Value: Json }[];
    return {
      metric: alarm.MetricName as string,
      dimensions: Object.fromEntries(dimensions.map((d) => [d.Name, d.Value])),
    };
  }
  const query = JSON.stringify(alarm.Metrics ?? []).match(
    /SELECT \w+\((\w+)\) FROM \\"([^\\]+)\\"/,
  );
  // A Metrics Insights query without WHERE reads the metric whatever its dimensions.
  if (query?.[2] === namespace) return { metric: query[1]!, dimensions: undefined };
  return undefined;
}

/** Whether the declared function's own code emits `metric` (a literal in its entry module). */
const entryEmits = (declaration: SystemDeclaration, key: string, metric: string) =>
  readFileSync(entryFile(declaration.functions[key]!.entry), 'utf8').includes(
    `addMetric('${metric}'`,
  );

const servesHttp = (declaration: SystemDeclaration, key: string) =>
  declaration.functions[key]?.trigger === 'http' &&
  readFileSync(entryFile(declaration.functions[key].entry), 'utf8').includes('httpHandler(');

describe('alarms on the functions’ own metrics', () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthesize(systemDeclaration);
  });

  it('watch only metrics some code path emits, with exactly the dimensions it emits them with', () => {
    const declaration = systemDeclaration;
    const alarms = resourcesOfType(synthesized.json, 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties!,
    );
    const custom = alarms.flatMap((alarm) => {
      const found = watched(alarm, 'EventSourcing/dev');
      return found ? [found] : [];
    });
    expect(custom.length).toBeGreaterThan(0);
    for (const { metric, dimensions } of custom) {
      const label = `${metric} ${JSON.stringify(dimensions)}`;
      const service = dimensions?.service as string | undefined;
      const known = emitted[metric];
      if (!known) {
        // A function's own problem metric: its entry module emits it by name.
        expect(Object.keys(dimensions ?? {}), label).toEqual(['service']);
        expect(entryEmits(declaration, service!, metric), label).toBe(true);
        continue;
      }
      if (dimensions === undefined) continue;
      expect(Object.keys(dimensions).sort(), label).toEqual(known.dimensions);
      if (metric === CORRUPT_EVENTS_METRIC) {
        expect(servesHttp(declaration, service!), label).toBe(true);
        continue;
      }
      const host = declaration.streamHosts[service!];
      const consumer = host?.consumers[dimensions.consumer as string];
      expect(consumer, label).toBeDefined();
      // A batch consumer reports no ConsumerLag: the host measures lag only of what it applies.
      if (metric === CONSUMER_METRICS.lag) expect(consumer!.kind, label).not.toBe('batch');
    }
  });

  it('include no ConsumerLag alarm for the global-log indexer, and one GlobalLogLag alarm', () => {
    const alarms = resourcesOfType(synthesized.json, 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties!,
    );
    const lagAlarms = alarms.filter((a) => a.MetricName === CONSUMER_METRICS.lag);
    expect(lagAlarms.length).toBeGreaterThan(0);
    expect(JSON.stringify(lagAlarms)).not.toContain('global-log-indexer');
    expect(
      alarms.filter((a) => JSON.stringify(a.Metrics ?? '').includes('GlobalLogLag')),
    ).toHaveLength(1);
  });
});

/** The dashboard's widgets, its tokens (ids, names) replaced by `TOKEN`. */
function dashboardWidgets(json: Synthesized['json']) {
  const dashboards = resourcesOfType(json, 'AWS::CloudWatch::Dashboard');
  expect(dashboards).toHaveLength(1);
  const dashboard = dashboards[0]![1];
  const [, parts] = (dashboard.Properties!.DashboardBody as { 'Fn::Join': [string, Json[]] })[
    'Fn::Join'
  ];
  const body = parts.map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (
    JSON.parse(body) as {
      widgets: { properties: { title?: string; metrics?: Json[][] } }[];
    }
  ).widgets.map(({ properties }) => ({
    title: properties.title ?? '',
    metrics: JSON.stringify(properties.metrics ?? []),
  }));
}

describe('the dashboard', () => {
  it('graphs appends, commands by route, consumer lag, parked streams, global-log lag and throttles', () => {
    const { json } = synthesize(systemDeclaration);
    const widgets = dashboardWidgets(json);
    const widget = (title: string) => {
      const found = widgets.filter((w) => w.title.startsWith(title));
      expect(found, title).toHaveLength(1);
      return found[0]!.metrics;
    };
    expect(widget('Append rate')).toContain('"AWS/DynamoDB","ConsumedWriteCapacityUnits"');
    const commandRoutes = systemDeclaration.routes
      .filter((route) => systemDeclaration.functions[route.function]?.tables.events === 'append')
      .map((route) => `${route.method} ${route.path}`);
    expect(commandRoutes.length).toBeGreaterThan(0);
    const latency = widget('Command latency by route');
    const errors = widget('Command errors by route');
    for (const route of commandRoutes) {
      expect(latency).toContain(`"Latency","ApiId","TOKEN","Route","${route}","Stage","$default"`);
      expect(errors).toContain(`"5xx","ApiId","TOKEN","Route","${route}","Stage","$default"`);
      expect(errors).toContain(`"4xx","ApiId","TOKEN","Route","${route}","Stage","$default"`);
    }
    const lag = widget('Consumer lag');
    const parked = widget('Parked streams');
    for (const [host, { consumers }] of Object.entries(systemDeclaration.streamHosts)) {
      for (const [consumer, { kind }] of Object.entries(consumers)) {
        const dimensions = `"consumer","${consumer}","service","${host}"`;
        if (kind !== 'batch') expect(lag).toContain(`"ConsumerLag",${dimensions}`);
        expect(parked).toContain(`"ConsumerStreamsParked",${dimensions}`);
      }
      expect(widget('Stream host iterator age')).toContain('"IteratorAge"');
    }
    expect(widget('Global log')).toContain('GlobalLogLag');
    const throttles = widget('Function throttles');
    expect(throttles.match(/"Throttles"/g)).toHaveLength(
      Object.keys(systemDeclaration.functions).length,
    );
  });

  it('has route metrics to show: the API stage sends detailed metrics', () => {
    const { template } = synthesize(systemDeclaration);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: Match.objectLike({ DetailedMetricsEnabled: true }),
    });
  });
});

describe('silence of a stream host', () => {
  it('each mapping reports its event counts, and an alarm fires when its table is written and it polls nothing', () => {
    const { json, template } = synthesize(systemDeclaration);
    const mappings = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(Object.keys(systemDeclaration.streamHosts).length);
    for (const [id, mapping] of mappings) {
      expect(mapping.Properties!.MetricsConfig).toEqual({ Metrics: ['EventCount'] });
      const silent = resourcesOfType(json, 'AWS::CloudWatch::Alarm').filter(([, alarm]) =>
        JSON.stringify(alarm.Properties!.Metrics ?? []).includes(JSON.stringify({ Ref: id })),
      );
      expect(silent, id).toHaveLength(1);
      const alarm = silent[0]![1].Properties!;
      expect(alarm).toMatchObject({
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        Threshold: 1,
        TreatMissingData: 'notBreaching',
      });
      expect(JSON.stringify(alarm.Metrics)).toContain('PolledEventCount');
      expect(JSON.stringify(alarm.Metrics)).toContain('ConsumedWriteCapacityUnits');
    }
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', mappings.length);
  });
});

describe('the metrics the code emits', () => {
  const disabled = process.env.POWERTOOLS_METRICS_DISABLED;
  beforeEach(() => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  });
  afterEach(() => {
    delete process.env.POWERTOOLS_SERVICE_NAME;
    if (disabled === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = disabled;
  });

  it('a consumer host reports lag, applied events and parks per consumer, by service and consumer', async () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'projections';
    const event = {
      streamId: 'acc-1',
      version: 1,
      eventId: 'e1',
      type: 'Opened',
      schemaVersion: 1,
      data: {},
      metadata: {},
      recordedAt: new Date().toISOString(),
    };
    const parked = {
      consumer: 'balances',
      streamId: 'acc-2',
      status: 'parked',
      version: 1,
      kind: 'poison',
      error: 'boom',
      errorName: 'Error',
      attempts: 3,
      firstFailedAt: event.recordedAt,
      lastFailedAt: event.recordedAt,
    } as const;
    const lines = await stdoutOf(() => {
      report(
        'balances',
        {
          retryFrom: '2',
          streams: [
            { streamId: 'acc-1', applied: [event] },
            { streamId: 'acc-2', applied: [], parked },
          ],
        },
        // What the host uses when not given metrics.
        createMetrics('consumers', { consumer: 'balances' }),
      );
      return Promise.resolve();
    });
    const metrics = emfMetrics(lines);
    for (const name of Object.values(CONSUMER_METRICS)) {
      expect(metrics.get(name), name).toEqual(emitted[name]!.dimensions);
    }
    expect(lines.join('\n')).toContain('"service":"projections"');
  });

  it('the global-log indexer reports its lag by service, and its parks by service and consumer', async () => {
    process.env.POWERTOOLS_SERVICE_NAME = 'reactions';
    const log = await createGlobalLogFixture();
    const { client, names } = log.tables;
    const handler = createGlobalLogIndexerHandler({
      client,
      tables: log.logTables,
      parking: {
        tableName: names.parkedStreams,
        consumer: 'global-log-indexer',
        parkAfterAttempts: 1,
      },
    });
    const holey = {
      streamId: 'acc-holey',
      version: 3,
      eventId: 'holey-3',
      type: 'Deposited',
      schemaVersion: 1,
      data: { amount: 3 },
      metadata: {},
      recordedAt: new Date().toISOString(),
    };
    await putStoredEvent(client, names.events, holey);
    const fine = await log.store.append('acc-fine', [{ type: 'Opened', data: { owner: 'fi' } }], {
      expectedVersion: 'no_stream',
    });
    const lines = await stdoutOf(() =>
      handler({ Records: [insertRecord(holey), insertRecord(fine.events[0]!)] }),
    );
    const metrics = emfMetrics(lines);
    expect(metrics.get(GLOBAL_LOG_LAG_METRIC)).toEqual(emitted[GLOBAL_LOG_LAG_METRIC]!.dimensions);
    expect(metrics.get(GLOBAL_LOG_EVENTS_INDEXED_METRIC)).toEqual(['service']);
    expect(metrics.get(CONSUMER_METRICS.parked)).toEqual(['consumer', 'service']);
    expect(metrics.has(CONSUMER_METRICS.lag)).toBe(false);
    expect(lines.join('\n')).toContain('"service":"reactions"');
  });

  it('transferCommands reports CorruptEvents by its service when the source account’s first event is corrupt', async () => {
    const tables = await createTestTables();
    const accountId = ulid();
    // The owner check reads the account's first event through the account catalogue.
    await putStoredEvent(tables.client, tables.names.events, {
      streamId: `account-${accountId}`,
      version: 1,
      type: 'AccountOpened',
      data: { ownerId: 42 },
    });
    const environment = {
      POWERTOOLS_SERVICE_NAME: 'transferCommands',
      DYNAMODB_ENDPOINT: tables.endpoint,
      [tableNameEnvVar('events')]: tables.names.events,
      [tableNameEnvVar('idempotency')]: tables.names.idempotency,
      [tableNameEnvVar('snapshots')]: tables.names.snapshots,
    };
    Object.assign(process.env, environment);
    try {
      const { handler } = await import('../../functions/transfers/commands');
      let answer: Awaited<ReturnType<typeof handler>> | undefined;
      const lines = await stdoutOf(async () => {
        answer = await handler(
          apiEvent('POST /transfers', {
            body: JSON.stringify({ fromAccountId: accountId, toAccountId: ulid(), amount: 5 }),
            authorizer: jwtCaller('someone'),
          }),
        );
      });
      expect(answer?.statusCode, answer?.body).toBe(500);
      expect(answer?.body).toContain('CorruptEvent');
      expect(emfMetrics(lines).get(CORRUPT_EVENTS_METRIC)).toEqual(
        emitted[CORRUPT_EVENTS_METRIC]!.dimensions,
      );
      expect(lines.join('\n')).toContain('"service":"transferCommands"');
    } finally {
      for (const name of Object.keys(environment)) delete process.env[name];
    }
  });
});

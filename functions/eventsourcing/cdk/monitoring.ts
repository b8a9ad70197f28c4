import { Aws, Duration } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  CONSUMER_METRICS,
  GLOBAL_LOG_EVENTS_INDEXED_METRIC,
  GLOBAL_LOG_LAG_METRIC,
} from '../declaration/index.js';
import { createAlarmTopic } from './alarm-topic.js';
import type { SystemFunction } from './functions.js';
import type { SystemHttpApi } from './http-api.js';
import type { ConsumerKind, SystemMonitoringProps } from './monitoring-props.js';
import {
  appendRateWidget,
  failureRecordsMetric,
  FIVE_MINUTES,
  iteratorAge,
  routeWidgets,
  silenceExpression,
  throttlesWidget,
} from './monitoring-widgets.js';

/** A stream host or a consumer more than this far behind its stream raises an alarm. */
const maxLag = Duration.minutes(1);

/**
 * Alarms on what needs a person: any function error, a stream host or one of its consumers
 * falling behind, a stream host reading nothing while its table is written, a consumer parking
 * a stream, any record written to the failure destination, any timer dead-lettered, any 5xx
 * from the API. Every alarm notifies one SNS topic (encrypted with a rotating key CloudWatch may
 * use); one dashboard shows them all.
 *
 * Missing data never breaches: an idle system emits no lag, no iterator age and no problem
 * metric, and that is health, not silence. Silence is what `<host>Silent` catches: its metric
 * math has data exactly when the host's table was written, and breaches when the host's mapping
 * polled nothing from the stream in those periods (a disabled or broken mapping, a host that
 * cannot be invoked). A host that reads but falls behind raises `<host>IteratorAge`.
 */
export class SystemMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SystemMonitoringProps) {
    super(scope, id);
    this.topic = createAlarmTopic(this, props);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `event-sourcing-${props.stage}-${Aws.REGION}`,
    });

    if (props.httpApi) this.monitorApi(props.httpApi, props.commandRoutes ?? []);
    if (props.eventsTable) this.dashboard.addWidgets(appendRateWidget(props.eventsTable));
    this.monitorFunctions(props.functions);
    if (props.streams) this.monitorStreams(props.streams, props.metricsNamespace);
    if (props.globalLog) this.monitorGlobalLog(props.metricsNamespace);
    this.monitorProblemMetrics(props.problemMetrics ?? [], props.metricsNamespace);
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  private monitorApi(httpApi: SystemHttpApi, commandRoutes: readonly string[]): void {
    const stage = httpApi.stage;
    this.alarm('Api5xx', 'The HTTP API answered with a server error', stage.metricServerError());
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'HTTP API requests and errors',
        left: [stage.metricCount(), stage.metricClientError(), stage.metricServerError()],
        width: 12,
      }),
      new GraphWidget({
        title: 'HTTP API latency (p99)',
        left: [stage.metricLatency({ statistic: 'p99' })],
        width: 12,
      }),
    );
    if (commandRoutes.length > 0)
      this.dashboard.addWidgets(...routeWidgets(httpApi, commandRoutes));
  }

  private monitorFunctions(functions: readonly SystemFunction[]): void {
    if (functions.length === 0) return;
    for (const fn of functions) {
      this.alarm(`${fn.key}Errors`, `Function ${fn.key} failed`, fn.function.metricErrors());
    }
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors',
        left: functions.map((fn) => fn.function.metricErrors({ label: fn.key })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function duration (p99)',
        left: functions.map((fn) =>
          fn.function.metricDuration({ statistic: 'p99', label: fn.key }),
        ),
        width: 12,
      }),
      throttlesWidget(functions),
    );
  }

  private monitorStreams(
    { hosts, failureRecords }: NonNullable<SystemMonitoringProps['streams']>,
    metricsNamespace: string,
  ): void {
    const lags: IMetric[] = [];
    const parks: IMetric[] = [];
    for (const { fn, source, mappingId, consumers } of hosts) {
      this.alarm(
        `${fn.key}IteratorAge`,
        `Stream host ${fn.key} is more than ${maxLag.toHumanString()} behind its stream`,
        iteratorAge(fn),
        { above: maxLag },
      );
      this.monitorSilence(fn, source, mappingId);
      for (const { name, kind } of consumers) {
        const { lag, parked } = this.monitorConsumer(name, kind, fn.key, metricsNamespace);
        if (lag) lags.push(lag.with({ label: name }));
        parks.push(parked.with({ label: name }));
      }
    }
    const failedRecords = failureRecordsMetric(failureRecords);
    this.alarm(
      'FailureRecordsWritten',
      'A stream batch failed for good: its records were written to the failure-records bucket',
      failedRecords,
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream host iterator age (max)',
        left: hosts.map(({ fn }) => iteratorAge(fn).with({ label: fn.key })),
        width: 8,
      }),
      new GraphWidget({ title: 'Consumer lag (max, ms)', left: lags, width: 8 }),
      new GraphWidget({
        title: 'Parked streams and failure records',
        left: [...parks, failedRecords.with({ label: 'Failure records written' })],
        width: 8,
      }),
    );
  }

  /**
   * Alarms when the host's table was written in two periods running and its mapping polled not
   * one record from the stream in them. Without writes the expression has no data: an idle
   * table is not silence.
   */
  private monitorSilence(fn: SystemFunction, source: ITable, mappingId: string): void {
    const silent = silenceExpression(fn.key, source, mappingId);
    this.alarm(
      `${fn.key}Silent`,
      `Stream host ${fn.key} read nothing from its stream for 10 minutes while its table was written`,
      silent,
      { periods: 2 },
    );
  }

  /**
   * Alarms on one consumer of a stream host falling behind (a `batch` consumer reports its own
   * lag, or none) or parking a stream.
   */
  private monitorConsumer(
    consumer: string,
    kind: ConsumerKind,
    service: string,
    metricsNamespace: string,
  ): { lag: Metric | undefined; parked: Metric } {
    const id = consumer.replace(/[^A-Za-z0-9]/g, '');
    const metric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: metricsNamespace,
        metricName,
        dimensionsMap: { service, consumer },
        statistic,
        period: FIVE_MINUTES,
      });
    const lag = kind === 'batch' ? undefined : metric(CONSUMER_METRICS.lag, 'Maximum');
    if (lag) {
      this.alarm(
        `${id}Lag`,
        `Consumer ${consumer} processes events more than ${maxLag.toHumanString()} after they were recorded`,
        lag,
        { above: maxLag },
      );
    }
    const parked = metric(CONSUMER_METRICS.parked, 'Sum');
    this.alarm(
      `${id}StreamsParked`,
      `Consumer ${consumer} parked a stream after repeated failures; it waits for a redrive`,
      parked,
    );
    return { lag, parked };
  }

  private monitorGlobalLog(metricsNamespace: string): void {
    // Metrics Insights finds the indexer's metrics whichever function emits them.
    const lag = new MathExpression({
      expression: `SELECT MAX(${GLOBAL_LOG_LAG_METRIC}) FROM "${metricsNamespace}"`,
      label: 'Global log lag (ms)',
      period: Duration.minutes(1),
    });
    this.alarm(
      'GlobalLogLag',
      `The global log is more than ${maxLag.toHumanString()} behind the events it indexes`,
      lag,
      { above: maxLag },
    );
    const indexed = new MathExpression({
      expression: `SELECT SUM(${GLOBAL_LOG_EVENTS_INDEXED_METRIC}) FROM "${metricsNamespace}"`,
      label: 'Events indexed',
      period: Duration.minutes(1),
    });
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Global log: indexer lag and events indexed per minute',
        left: [lag],
        right: [indexed],
        width: 24,
      }),
    );
  }

  private monitorProblemMetrics(
    problems: NonNullable<SystemMonitoringProps['problemMetrics']>,
    metricsNamespace: string,
  ): void {
    if (problems.length === 0) return;
    const graphed = problems.map(({ service, metric, description }) => {
      const problem = new Metric({
        namespace: metricsNamespace,
        metricName: metric,
        dimensionsMap: { service },
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      });
      this.alarm(`${service}${metric}`, description, problem);
      return problem.with({ label: `${service} ${metric}` });
    });
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Reported problems', left: graphed, width: 24 }),
    );
  }

  /**
   * An alarm notifying the topic: when the metric is 1 or more in a period (something happened
   * that needs a person), or, given `above`, when the metric (in ms) exceeds that duration; in
   * `periods` periods running (one by default). Alarms added after construction (by the
   * constructs whose resources they watch) appear on the dashboard too.
   */
  alarm(
    id: string,
    description: string,
    metric: IMetric,
    { above, periods = 1 }: { above?: Duration; periods?: number } = {},
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      ...(above
        ? {
            threshold: above.toMilliseconds(),
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          }
        : {
            threshold: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          }),
      evaluationPeriods: periods,
      datapointsToAlarm: periods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

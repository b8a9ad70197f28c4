import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
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
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  GLOBAL_LOG_EVENTS_INDEXED_METRIC,
  GLOBAL_LOG_LAG_METRIC,
} from '../functions/eventsourcing/global-log/metric-names';
import { STREAMS_PARKED_METRIC } from '../functions/eventsourcing/projections/metric-names';
import { failureRecordsMetricsFilter, type FailureRecords } from './failure-records';
import type { SystemFunction } from './functions';
import type { SystemHttpApi } from './http-api';

const FIVE_MINUTES = Duration.minutes(5);

/** Metric the projection handler emits when it parks a stream (see `projection-handler.ts`). */

/** A consumer more than this far behind its stream raises the iterator-age alarm. */
const maxIteratorAge = Duration.minutes(1);

export interface SystemMonitoringProps {
  readonly stage: string;
  /** Namespace of the functions' Powertools metrics. */
  readonly metricsNamespace: string;
  readonly functions: readonly SystemFunction[];
  readonly httpApi?: SystemHttpApi;
  /** The stream consumers and their failure destination, when there are any. */
  readonly streams?: {
    readonly consumers: readonly SystemFunction[];
    readonly failureRecords: FailureRecords;
  };
  readonly alarmEmail?: string;
  /** The system keeps a global log: alarm on its indexer's lag and graph its throughput. */
  readonly globalLog?: boolean;
  /** Metrics functions emit to say something needs an operator (declared `alarmMetrics`). */
  readonly problemMetrics?: readonly {
    readonly service: string;
    readonly metric: string;
    readonly description: string;
  }[];
}

/**
 * Alarms on what needs a person: any function error, a stream consumer falling behind, a
 * projection parking a stream, any record written to the failure destination, any 5xx from
 * the API. Every alarm notifies one
 * SNS topic (encrypted with a rotating key CloudWatch may use); one dashboard shows them all.
 */
export class SystemMonitoring extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SystemMonitoringProps) {
    super(scope, id);
    const key = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts alarm notifications (${props.stage})`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey*',
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: `Event sourcing alarms (${props.stage})`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `event-sourcing-${props.stage}-${Aws.REGION}`,
    });

    if (props.httpApi) this.monitorApi(props.httpApi);
    this.monitorFunctions(props.functions);
    if (props.streams) this.monitorStreams(props.streams, props.metricsNamespace);
    if (props.globalLog) this.monitorGlobalLog(props.metricsNamespace);
    this.monitorProblemMetrics(props.problemMetrics ?? [], props.metricsNamespace);
    this.dashboard.addWidgets(
      new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  private monitorApi(httpApi: SystemHttpApi): void {
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
    );
  }

  private monitorStreams(
    { consumers, failureRecords }: NonNullable<SystemMonitoringProps['streams']>,
    metricsNamespace: string,
  ): void {
    const iteratorAge = (fn: SystemFunction) =>
      fn.function.metric('IteratorAge', { statistic: 'Maximum', period: FIVE_MINUTES });
    for (const fn of consumers) {
      this.alarm(
        `${fn.key}IteratorAge`,
        `Stream consumer ${fn.key} is more than ${maxIteratorAge.toHumanString()} behind`,
        iteratorAge(fn),
        maxIteratorAge.toMilliseconds(),
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    }
    // Metrics Insights sums over every projection's dimensions, known only at run time.
    const parked = new MathExpression({
      expression: `SELECT SUM(${STREAMS_PARKED_METRIC}) FROM "${metricsNamespace}"`,
      label: 'Streams parked',
      period: FIVE_MINUTES,
    });
    this.alarm(
      'StreamsParked',
      'A projection parked a stream after repeated failures; it waits for a redrive',
      parked,
    );
    const failedRecords = new Metric({
      namespace: 'AWS/S3',
      metricName: 'PutRequests',
      dimensionsMap: {
        BucketName: failureRecords.bucket.bucketName,
        FilterId: failureRecordsMetricsFilter,
      },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    this.alarm(
      'FailureRecordsWritten',
      'A stream batch failed for good: its records were written to the failure-records bucket',
      failedRecords,
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Stream consumer iterator age (max)',
        left: consumers.map((fn) => iteratorAge(fn).with({ label: fn.key })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Parked streams and failure records',
        left: [parked, failedRecords.with({ label: 'Failure records written' })],
        width: 12,
      }),
    );
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
      `The global log is more than ${maxIteratorAge.toHumanString()} behind the events it indexes`,
      lag,
      maxIteratorAge.toMilliseconds(),
      ComparisonOperator.GREATER_THAN_THRESHOLD,
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

  private alarm(
    id: string,
    description: string,
    metric: IMetric,
    threshold = 1,
    comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    alarm.addOkAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GROUPS_CLAIM_VARIABLE, OPERATOR_GROUP_VARIABLE } from '../functions/http/caller';
import { systemDeclaration, validateDeclaration, type SystemDeclaration } from './declaration';
import { FailureRecords } from './failure-records';
import { metricsNamespace, SystemFunction } from './functions';
import { SystemHttpApi } from './http-api';
import { IntegrationEvents } from './integration-events';
import { SystemMonitoring } from './monitoring';
import type { DeploymentSettings } from './settings';
import { scheduleFunction } from './schedules';
import { connectStreamHost } from './stream-hosts';
import { tableOutputId } from './output-ids';
import { SystemTables } from './tables';

export interface EventSourcingStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** What to deploy; the declaration in `functions/system.ts` when omitted. */
  readonly declaration?: SystemDeclaration;
}

/**
 * The whole system from its declaration: tables, functions with exact table permissions, the
 * HTTP API with every route, one event source mapping per stream host with a failure
 * destination, alarms and a dashboard. Environment-agnostic: synthesis needs no credentials.
 */
export class EventSourcingStack extends Stack {
  readonly tables: SystemTables;
  readonly functions: ReadonlyMap<string, SystemFunction>;
  readonly httpApi?: SystemHttpApi;
  readonly failureRecords?: FailureRecords;
  readonly integrationEvents?: IntegrationEvents;
  readonly monitoring: SystemMonitoring;

  // eslint-disable-next-line complexity -- predates the complexity cap; split when next changed
  constructor(scope: Construct, id: string, props: EventSourcingStackProps) {
    const { settings, declaration = systemDeclaration, ...stackProps } = props;
    super(scope, id, {
      description: `Event sourcing on DynamoDB, Lambda and API Gateway (${settings.stage})`,
      ...stackProps,
    });
    validateDeclaration(declaration);
    Tags.of(this).add('stage', settings.stage);

    this.tables = new SystemTables(this, 'Tables', declaration.tables);

    if (Object.values(declaration.functions).some((fn) => fn.eventBus)) {
      this.integrationEvents = new IntegrationEvents(this, 'IntegrationEvents', {
        stage: settings.stage,
        logRetention: settings.logRetention,
      });
    }

    const functionsScope = new Construct(this, 'Functions');
    // HTTP functions decide what each caller may do.
    const callerEnvironment = {
      [OPERATOR_GROUP_VARIABLE]: settings.callers.operatorGroup,
      [GROUPS_CLAIM_VARIABLE]: settings.callers.groupsClaim,
    };
    const functions = new Map<string, SystemFunction>();
    for (const [key, fn] of Object.entries(declaration.functions)) {
      functions.set(
        key,
        new SystemFunction(functionsScope, key, {
          key,
          declaration: fn,
          tables: this.tables,
          stage: settings.stage,
          logRetention: settings.logRetention,
          ...(fn.trigger === 'http' ? { environment: callerEnvironment } : {}),
          ...(fn.eventBus && this.integrationEvents
            ? { eventBus: this.integrationEvents.bus }
            : {}),
        }),
      );
    }
    this.functions = functions;

    const schedulesScope = new Construct(this, 'Schedules');
    for (const [key, fn] of Object.entries(declaration.functions)) {
      if (fn.trigger === 'schedule' && fn.scheduleMinutes) {
        scheduleFunction(schedulesScope, functions.get(key)!, fn.scheduleMinutes);
      }
    }

    const hosts = Object.entries(declaration.streamHosts).map(([key, host]) => ({
      host,
      fn: functions.get(key)!,
    }));
    if (hosts.length > 0) {
      this.failureRecords = new FailureRecords(this, 'FailureRecords');
      for (const { host, fn } of hosts) {
        connectStreamHost(host, fn, this.tables, this.failureRecords);
      }
    }

    if (declaration.routes.length > 0) {
      this.httpApi = new SystemHttpApi(this, 'Http', {
        routes: declaration.routes,
        functions,
        settings,
      });
    }

    this.monitoring = new SystemMonitoring(this, 'Monitoring', {
      stage: settings.stage,
      metricsNamespace: metricsNamespace(settings.stage),
      functions: [...functions.values()],
      ...(this.httpApi ? { httpApi: this.httpApi } : {}),
      ...(this.failureRecords
        ? {
            streams: {
              hosts: hosts.map(({ host, fn }) => ({ fn, consumers: Object.keys(host.consumers) })),
              failureRecords: this.failureRecords,
            },
          }
        : {}),
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
      globalLog: 'globalLog' in declaration.tables,
      problemMetrics: Object.entries(declaration.functions).flatMap(([service, fn]) =>
        (fn.alarmMetrics ?? []).map((problem) => ({ service, ...problem })),
      ),
    });

    this.addOutputs();
  }

  private addOutputs(): void {
    const output = (id: string, description: string, value: string) =>
      new CfnOutput(this, id, { description, value });
    if (this.httpApi) output('ApiUrl', 'Base URL of the HTTP API', this.httpApi.url);
    for (const { key, table } of this.tables.byKey.values()) {
      output(tableOutputId(key), `Physical name of the ${key} table`, table.tableName);
    }
    if (this.failureRecords) {
      output(
        'FailureRecordsBucketName',
        'Bucket holding stream batches that failed for good',
        this.failureRecords.bucket.bucketName,
      );
    }
    if (this.integrationEvents) {
      const { bus, accountEventsLog } = this.integrationEvents;
      output(
        'IntegrationEventBusName',
        'EventBridge bus carrying the public integration events',
        bus.eventBusName,
      );
      output(
        'IntegrationEventBusArn',
        'ARN of the integration event bus, for rules and cross-account access',
        bus.eventBusArn,
      );
      output(
        'AccountEventsLogGroupName',
        'Log group the example rule writes every account event to',
        accountEventsLog.logGroupName,
      );
    }
    output('AlarmTopicArn', 'SNS topic every alarm notifies', this.monitoring.topic.topicArn);
    output(
      'DashboardName',
      'CloudWatch dashboard of the system',
      this.monitoring.dashboard.dashboardName,
    );
  }
}

import { CfnOutput, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { GROUPS_CLAIM_VARIABLE, OPERATOR_GROUP_VARIABLE } from '../http/caller.js';
import type { StreamHostDeclaration } from '../declaration/index.js';
import { archiversOf, validateDeclaration, type SystemDeclaration } from '../declaration/index.js';
import { SystemBuckets } from './buckets.js';
import { FailureRecords } from './failure-records.js';
import { metricsNamespace, SystemFunction } from './functions.js';
import { SystemHttpApi } from './http-api.js';
import { IntegrationBus } from './integration-bus.js';
import { SystemMonitoring } from './monitoring.js';
import {
  bucketOutputId,
  publicKeyOutputId,
  signingKeyOutputId,
  tableOutputId,
} from '../declaration/output-ids.js';
import { scheduleMinutesOf, type DeploymentSettings } from './settings.js';
import { scheduleFunction } from './schedules.js';
import { connectStreamHost } from './stream-hosts.js';
import { PersonalDataKey } from './personal-data-key.js';
import { outputPublicKey, publicKeyReaderDeclaration, SystemSigningKeys } from './signing-keys.js';
import { SystemTables } from './tables.js';
import { connectTimers, type TimerResources } from './timers.js';

export interface EventSourcingStackProps extends StackProps {
  readonly settings: DeploymentSettings;
  /** What to deploy: the system's tables, buckets, signing keys, functions, routes and hosts. */
  readonly declaration: SystemDeclaration;
  /**
   * The directory declared function entries are relative to, holding the lockfile of the
   * dependencies bundled into them (default: the current directory).
   */
  readonly projectRoot?: string;
}

/**
 * The whole system from its declaration: tables, buckets, functions with exact table and bucket
 * permissions, the HTTP API with every route, one event source mapping per stream host with a failure
 * destination, alarms and a dashboard. Environment-agnostic: synthesis needs no credentials.
 */
/** A stream host with its function and the id of its event source mapping. */
interface ConnectedHost {
  readonly host: StreamHostDeclaration;
  readonly fn: SystemFunction;
  readonly mappingId: string;
}

export class EventSourcingStack extends Stack {
  readonly tables: SystemTables;
  readonly buckets: SystemBuckets;
  readonly signingKeys: SystemSigningKeys;
  /** The key wrapping data subjects' data keys, when a function uses personal data. */
  readonly personalDataKey?: PersonalDataKey;
  readonly functions: ReadonlyMap<string, SystemFunction>;
  readonly httpApi?: SystemHttpApi;
  readonly failureRecords?: FailureRecords;
  readonly integrationEvents?: IntegrationBus;
  /** What timers need, when a function receives them (`trigger: 'timers'`). */
  readonly timers?: TimerResources;
  readonly monitoring: SystemMonitoring;

  constructor(scope: Construct, id: string, props: EventSourcingStackProps) {
    const { settings, declaration, projectRoot = process.cwd(), ...stackProps } = props;
    super(scope, id, {
      description: `Event sourcing on DynamoDB, Lambda and API Gateway (${settings.stage})`,
      ...stackProps,
    });
    validateDeclaration(declaration);
    Tags.of(this).add('stage', settings.stage);

    this.tables = new SystemTables(
      this,
      'Tables',
      declaration.tables,
      new Set(archiversOf(declaration.functions).map((archiver) => archiver.table)),
    );
    this.buckets = new SystemBuckets(this, 'Buckets', {
      buckets: declaration.buckets,
      checkpointRetentionDays: settings.checkpointRetentionDays,
    });
    this.signingKeys = new SystemSigningKeys(this, 'SigningKeys', declaration.signingKeys);
    if (Object.values(declaration.functions).some((fn) => fn.personalData)) {
      this.personalDataKey = new PersonalDataKey(this, 'PersonalData');
    }

    if (Object.values(declaration.functions).some((fn) => fn.eventBus)) {
      this.integrationEvents = new IntegrationBus(this, 'IntegrationEvents', {
        stage: settings.stage,
      });
    }

    this.functions = this.createFunctions(declaration, settings, projectRoot);
    this.outputPublicKeys(settings, projectRoot);
    this.timers = connectTimers(this, declaration.functions, this.functions);

    const schedulesScope = new Construct(this, 'Schedules');
    for (const [key, fn] of Object.entries(declaration.functions)) {
      if (fn.trigger === 'schedule' && fn.scheduleMinutes) {
        const minutes = scheduleMinutesOf(this.node, fn.scheduleSetting, fn.scheduleMinutes);
        scheduleFunction(schedulesScope, this.functions.get(key)!, minutes);
      }
    }

    const hosts: ConnectedHost[] = [];
    const hostDeclarations = Object.entries(declaration.streamHosts);
    if (hostDeclarations.length > 0) {
      const failureRecords = new FailureRecords(this, 'FailureRecords');
      this.failureRecords = failureRecords;
      for (const [key, host] of hostDeclarations) {
        const fn = this.functions.get(key)!;
        const mappingId = connectStreamHost(host, fn, this.tables, failureRecords);
        hosts.push({ host, fn, mappingId });
      }
    }

    if (declaration.routes.length > 0) {
      this.httpApi = new SystemHttpApi(this, 'Http', {
        routes: declaration.routes,
        functions: this.functions,
        settings,
      });
    }

    this.monitoring = this.monitor(declaration, settings, hosts);
    this.addOutputs();
  }

  private createFunctions(
    declaration: SystemDeclaration,
    settings: DeploymentSettings,
    projectRoot: string,
  ): Map<string, SystemFunction> {
    const functionsScope = new Construct(this, 'Functions');
    // HTTP functions decide what each caller may do.
    const callerEnvironment = {
      [OPERATOR_GROUP_VARIABLE]: settings.callers.operatorGroup,
      [GROUPS_CLAIM_VARIABLE]: settings.callers.groupsClaim,
    };
    const functions = new Map<string, SystemFunction>();
    for (const [key, fn] of Object.entries(declaration.functions)) {
      const bus = fn.eventBus ? this.integrationEvents?.bus : undefined;
      functions.set(
        key,
        new SystemFunction(functionsScope, key, {
          key,
          declaration: fn,
          projectRoot,
          tables: this.tables,
          buckets: this.buckets,
          signingKeys: this.signingKeys,
          ...(this.personalDataKey ? { personalDataKey: this.personalDataKey } : {}),
          stage: settings.stage,
          logRetention: settings.logRetention,
          ...(fn.trigger === 'http' ? { environment: callerEnvironment } : {}),
          ...(bus ? { eventBus: bus } : {}),
        }),
      );
    }
    return functions;
  }

  /** Each signing key's ARN and public key as outputs, read by a function that may only read it. */
  private outputPublicKeys(settings: DeploymentSettings, projectRoot: string): void {
    for (const declared of this.signingKeys.byKey.values()) {
      const reader = new SystemFunction(this, `${declared.key}PublicKeyReader`, {
        key: `${declared.key}PublicKeyReader`,
        declaration: publicKeyReaderDeclaration(declared.key),
        projectRoot,
        tables: this.tables,
        buckets: this.buckets,
        signingKeys: this.signingKeys,
        stage: settings.stage,
        logRetention: settings.logRetention,
      });
      outputPublicKey(this, declared, reader.function.functionArn, {
        keyArn: signingKeyOutputId(declared.key),
        publicKey: publicKeyOutputId(declared.key),
      });
    }
  }

  private monitor(
    declaration: SystemDeclaration,
    settings: DeploymentSettings,
    hosts: readonly ConnectedHost[],
  ): SystemMonitoring {
    const monitoring = new SystemMonitoring(this, 'Monitoring', {
      stage: settings.stage,
      metricsNamespace: metricsNamespace(settings.stage),
      functions: [...this.functions.values()],
      ...(this.httpApi
        ? {
            httpApi: this.httpApi,
            // Command routes: those served by a function that appends events.
            commandRoutes: declaration.routes
              .filter((route) => declaration.functions[route.function]?.tables.events === 'append')
              .map((route) => `${route.method} ${route.path}`),
          }
        : {}),
      ...(this.tables.byKey.has('events') ? { eventsTable: this.tables.get('events').table } : {}),
      ...(this.failureRecords
        ? {
            streams: {
              hosts: hosts.map(({ host, fn, mappingId }) => ({
                fn,
                mappingId,
                source: this.tables.get(host.source).table,
                consumers: Object.entries(host.consumers).map(([name, consumer]) => ({
                  name,
                  kind: consumer.kind,
                })),
              })),
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
    this.timers?.monitor(monitoring);
    return monitoring;
  }

  private addOutputs(): void {
    const output = (id: string, description: string, value: string) =>
      new CfnOutput(this, id, { description, value });
    if (this.httpApi) output('ApiUrl', 'Base URL of the HTTP API', this.httpApi.url);
    for (const { key, table } of this.tables.byKey.values()) {
      output(tableOutputId(key), `Physical name of the ${key} table`, table.tableName);
    }
    for (const { key, bucket } of this.buckets.byKey.values()) {
      output(bucketOutputId(key), `Physical name of the ${key} bucket`, bucket.bucketName);
    }
    if (this.failureRecords) {
      output(
        'FailureRecordsBucketName',
        'Bucket holding stream batches that failed for good',
        this.failureRecords.bucket.bucketName,
      );
    }
    if (this.integrationEvents) {
      const { bus } = this.integrationEvents;
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
    }
    if (this.timers) {
      output(
        'TimerDeadLettersQueueUrl',
        'SQS queue holding timers whose deliveries kept failing',
        this.timers.deadLetters.queueUrl,
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

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  EVENT_BUS_NAME_VARIABLE,
  bucketNameEnvVar,
  tableNameEnvVar,
} from '../functions/eventsourcing/declaration';
import type { FunctionDeclaration } from '../functions/eventsourcing/declaration';
import { grantBucketAccess } from './bucket-access';
import type { SystemBuckets } from './buckets';
import { grantTableAccess } from './table-access';
import type { SystemTables } from './tables';

/** Repository root: declared entries are relative to it. */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Lambda's credential provider: the environment only (see the module for why). */
const lambdaCredentials = path.join(projectRoot, 'functions/runtime/lambda-credentials.ts');

/** Node.js 24 (newer than the required 22): the current Lambda LTS runtime. */
const functionRuntime = Runtime.NODEJS_24_X;

/**
 * ESM bundles import CommonJS dependencies that call `require`; ESM has no `require`, so the
 * bundle opens by creating one.
 */
const esmRequireBanner =
  "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);";

/** CloudWatch namespace of the functions' own metrics (Powertools), one per stage. */
export const metricsNamespace = (stage: string) => `EventSourcing/${stage}`;

export interface SystemFunctionProps {
  readonly key: string;
  readonly declaration: FunctionDeclaration;
  readonly tables: SystemTables;
  readonly buckets: SystemBuckets;
  readonly stage: string;
  readonly logRetention: RetentionDays;
  /** The bus a function declared with `eventBus` publishes to. */
  readonly eventBus?: IEventBus;
  /** Further environment variables (deployment settings the code reads). */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * One declared function: a Node.js Lambda on arm64 bundled locally by esbuild (no Docker) as
 * minified ESM with source maps, with its own role and log group. The role can write to that
 * log group, send traces, and touch exactly the declared tables and buckets with exactly the
 * declared access; their names reach the code through `tableNameEnvVar` and `bucketNameEnvVar`
 * variables.
 */
export class SystemFunction extends Construct {
  readonly key: string;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SystemFunctionProps) {
    super(scope, id);
    const { key, declaration, tables } = props;
    this.key = key;
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${key} function`,
    });
    this.logGroup.grantWrite(this.role);

    const busEnvironment: Record<string, string> = {};
    if (declaration.eventBus) {
      if (!props.eventBus) throw new Error(`Function ${key} publishes to an event bus; none given`);
      props.eventBus.grantPutEventsTo(this.role);
      busEnvironment[EVENT_BUS_NAME_VARIABLE] = props.eventBus.eventBusName;
    }

    const resourceEnvironment: Record<string, string> = {};
    for (const [tableKey, access] of Object.entries(declaration.tables)) {
      if (!access) continue;
      const table = tables.get(tableKey);
      resourceEnvironment[tableNameEnvVar(tableKey)] = table.table.tableName;
      grantTableAccess(this.role, table, access);
    }
    for (const [bucketKey, access] of Object.entries(declaration.buckets ?? {})) {
      if (!access) continue;
      const bucket = props.buckets.get(bucketKey);
      resourceEnvironment[bucketNameEnvVar(bucketKey)] = bucket.bucket.bucketName;
      grantBucketAccess(this.role, bucket, access);
    }

    this.function = new NodejsFunction(this, 'Function', {
      description: declaration.description,
      entry: path.join(projectRoot, declaration.entry),
      handler: declaration.handler ?? 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      runtime: functionRuntime,
      architecture: Architecture.ARM_64,
      memorySize: declaration.memoryMb,
      timeout: Duration.seconds(declaration.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      tracing: Tracing.ACTIVE,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        STAGE: props.stage,
        POWERTOOLS_SERVICE_NAME: key,
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace(props.stage),
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...resourceEnvironment,
        ...busEnvironment,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The SDK ships in the bundle so Lambda runs the exact versions the tests ran, and a
        // cold start loads one minified file instead of the runtime's copy of the SDK.
        bundleAwsSDK: true,
        esbuildArgs: { '--alias': [`@aws-sdk/credential-provider-node=${lambdaCredentials}`] },
        forceDockerBundling: false,
        logLevel: LogLevel.WARNING,
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords, which accept no resource narrower than "*"; nothing else in this policy uses a wildcard resource.',
    });
  }
}

import path from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  EVENT_BUS_NAME_VARIABLE,
  bucketNameEnvVar,
  effectiveBuckets,
  signingKeyEnvVar,
  tableNameEnvVar,
} from '../declaration/index.js';
import { HISTORY_LOG_VARIABLE } from '../integrity/log-name.js';
import type { FunctionDeclaration } from '../declaration/index.js';
import { grantBucketAccess } from './bucket-access.js';
import type { SystemBuckets } from './buckets.js';
import { entryFile, frameworkModule } from '../declaration/function-modules.js';
import { grantSigningKeyAccess, type SystemSigningKeys } from './signing-keys.js';
import type { PersonalDataKey } from './personal-data-key.js';
import { PERSONAL_DATA_KEY_VARIABLE } from '../declaration/resource-names.js';
import { grantTableAccess } from './table-access.js';
import type { SystemTables } from './tables.js';
import { timerTargetName } from './timers.js';
import { InvalidDeclarationError } from '../declaration/errors.js';

/** Lambda's credential provider: the environment only (see the module for why). */
const lambdaCredentials = frameworkModule('runtime/lambda-credentials');

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
  /** The directory the declared entry is relative to, holding the dependencies' lockfile. */
  readonly projectRoot: string;
  readonly tables: SystemTables;
  readonly buckets: SystemBuckets;
  readonly signingKeys: SystemSigningKeys;
  /** The key wrapping subjects' data keys, for functions declared with `personalData`. */
  readonly personalDataKey?: PersonalDataKey;
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
 * declared access (and read the archives of its tables, `effectiveBuckets`); their names reach
 * the code through `tableNameEnvVar` and `bucketNameEnvVar` variables.
 */
export class SystemFunction extends Construct {
  readonly key: string;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SystemFunctionProps) {
    super(scope, id);
    const { key, declaration } = props;
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

    const busEnvironment = this.grantBus(declaration, props.eventBus);
    const resourceEnvironment = {
      ...this.grantTables(declaration, props.tables),
      ...this.grantBuckets(declaration, props.buckets),
      ...this.grantSigningKeys(declaration, props.signingKeys),
      ...this.grantPersonalData(declaration, props.personalDataKey),
    };

    this.function = new NodejsFunction(this, 'Function', {
      ...(declaration.trigger === 'timers' ? { functionName: timerTargetName(this) } : {}),
      description: declaration.description,
      entry: entryFile(declaration.entry, props.projectRoot),
      handler: declaration.handler ?? 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: path.join(props.projectRoot, 'package-lock.json'),
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

  /** PutEvents on the function's bus, and the bus's name for its code. */
  private grantBus(
    declaration: FunctionDeclaration,
    bus: IEventBus | undefined,
  ): Record<string, string> {
    if (!declaration.eventBus) return {};
    if (!bus)
      throw new InvalidDeclarationError([
        `Function ${this.key} publishes to an event bus; none given`,
      ]);
    bus.grantPutEventsTo(this.role);
    return { [EVENT_BUS_NAME_VARIABLE]: bus.eventBusName };
  }

  private grantTables(declaration: FunctionDeclaration, tables: SystemTables) {
    const environment: Record<string, string> = {};
    for (const [tableKey, access] of Object.entries(declaration.tables)) {
      if (!access) continue;
      const table = tables.get(tableKey);
      environment[tableNameEnvVar(tableKey)] = table.table.tableName;
      grantTableAccess(this.role, table, access);
      if (access === 'archive') tables.letArchiverDelete(tableKey, this.role);
    }
    return environment;
  }

  private grantBuckets(declaration: FunctionDeclaration, buckets: SystemBuckets) {
    const environment: Record<string, string> = {};
    const granted = effectiveBuckets(declaration, buckets.declarations);
    for (const [bucketKey, access] of Object.entries(granted)) {
      if (!access) continue;
      const bucket = buckets.get(bucketKey);
      environment[bucketNameEnvVar(bucketKey)] = bucket.bucket.bucketName;
      grantBucketAccess(this.role, bucket, access);
    }
    return environment;
  }

  private grantPersonalData(
    declaration: FunctionDeclaration,
    key: PersonalDataKey | undefined,
  ): Record<string, string> {
    if (!declaration.personalData) return {};
    if (!key) {
      throw new InvalidDeclarationError([`Function ${this.key} uses personal data; no key given`]);
    }
    key.grant(this.role, declaration.personalData);
    return { [PERSONAL_DATA_KEY_VARIABLE]: key.key.keyArn };
  }

  private grantSigningKeys(declaration: FunctionDeclaration, signingKeys: SystemSigningKeys) {
    const environment: Record<string, string> = {};
    for (const [signingKey, access] of Object.entries(declaration.signingKeys ?? {})) {
      if (!access) continue;
      const declared = signingKeys.get(signingKey);
      environment[signingKeyEnvVar(signingKey)] = declared.kmsKey.keyArn;
      grantSigningKeyAccess(this.role, declared, access);
      // What signs checkpoints names the log they seal: this stack.
      if (access === 'sign') environment[HISTORY_LOG_VARIABLE] = Stack.of(this).stackName;
    }
    return environment;
  }
}

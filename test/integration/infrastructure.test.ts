/* eslint-disable max-lines -- one suite per component; its cases share the fixtures at the top */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ResourcePolicy } from 'aws-cdk-lib/aws-logs';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, NagRuleCompliance, type IApplyRule } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bucketNameEnvVar,
  signingKeyEnvVar,
  tableNameEnvVar,
  type BucketAccess,
  type FunctionDeclaration,
  type TableAccess,
} from '../../functions/eventsourcing/declaration';
import {
  AppendOnlyTablesCheck,
  appendOnlyTables,
  findAppendOnlyViolations,
} from '../../functions/eventsourcing/cdk';
import { BUNDLE_SIZES_FILE, recordBundleSizes } from '../../functions/eventsourcing/cdk';
import { addPolicyChecks } from '../../functions/eventsourcing/cdk';
import {
  validateDeclaration,
  type StreamHostDeclaration,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { systemDeclaration } from '../../lib/declaration';
import { SystemStack } from '../../lib/system-stack';
import { readDeploymentSettings } from '../../functions/eventsourcing/cdk';
import { grantTableAccess } from '../../functions/eventsourcing/cdk';
import { ITEM_CHANGING_ACTIONS } from '../../functions/eventsourcing/cdk';

// ---------------------------------------------------------------------------------------------
// Declarations and synthesis
// ---------------------------------------------------------------------------------------------

const cdkJson = JSON.parse(readFileSync(path.resolve('cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The exact DynamoDB actions each access level must grant, written out independently. */
const expectedActions: Record<TableAccess, string[]> = {
  read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  append: ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'],
  readWrite: [
    'dynamodb:BatchGetItem',
    'dynamodb:DeleteItem',
    'dynamodb:GetItem',
    'dynamodb:PutItem',
    'dynamodb:Query',
    'dynamodb:UpdateItem',
  ],
};

/** The exact S3 actions each bucket access level must grant on the bucket's objects. */
const expectedBucketActions: Record<BucketAccess, string[]> = {
  read: ['s3:GetObject'],
  writeOnce: ['s3:GetObject', 's3:PutObject'],
  readWrite: ['s3:DeleteObject', 's3:GetObject', 's3:PutObject'],
};

const probeHost: Omit<StreamHostDeclaration, 'consumers'> = {
  description: 'Probe host',
  source: 'events',
  entry: 'functions/system.ts',
  memoryMb: 512,
  timeoutSeconds: 60,
  batchSize: 100,
  maxBatchingWindowSeconds: 1,
  maxRetryAttempts: 5,
  maxRecordAgeSeconds: 3600,
  bisectBatchOnError: true,
  parallelizationFactor: 1,
  startingPosition: 'TRIM_HORIZON',
};

/**
 * A declaration with every kind of entry (each access level, indexes, TTL, routes sharing a
 * function, two consumers), so the generic code is exercised whatever the real one holds.
 */
const probeDeclaration: SystemDeclaration = {
  tables: {
    events: systemDeclaration.tables.events!,
    snapshots: systemDeclaration.tables.snapshots!,
    ledger: {
      description: 'A read model with a secondary index',
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalIndexes: [
        {
          indexName: 'byOwner',
          partitionKey: { name: 'owner', type: 'S' },
          sortKey: { name: 'at', type: 'N' },
        },
      ],
      durability: 'derived',
    },
    requests: {
      description: 'Expiring items',
      partitionKey: { name: 'id', type: 'S' },
      timeToLiveAttribute: 'expiresAt',
      durability: 'derived',
    },
    parkedStreams: {
      description: 'Kept with the stack',
      partitionKey: { name: 'projection', type: 'S' },
      sortKey: { name: 'streamId', type: 'S' },
      durability: 'source-of-truth',
    },
  },
  buckets: {
    seals: { description: 'Write-once objects', writeOnce: true },
    exports: { description: 'Objects written and deleted' },
  },
  signingKeys: { probes: { description: 'Signs probes' } },
  functions: {
    probeCommand: {
      description: 'Appends events',
      entry: 'functions/system.ts',
      handler: 'tableNameEnvVar',
      trigger: 'http',
      memoryMb: 1024,
      timeoutSeconds: 10,
      tables: { events: 'append', snapshots: 'readWrite', requests: 'readWrite' },
      buckets: { exports: 'readWrite' },
    },
    probeCheck: {
      description: 'Checks something every minute',
      entry: 'functions/system.ts',
      handler: 'tableNameEnvVar',
      trigger: 'schedule',
      scheduleMinutes: 1,
      alarmMetrics: [{ metric: 'ProbeProblems', description: 'The probe found a problem' }],
      memoryMb: 128,
      timeoutSeconds: 30,
      tables: { ledger: 'read' },
      buckets: { seals: 'writeOnce' },
      signingKeys: { probes: 'sign' },
    },
    probeQuery: {
      description: 'Reads a read model',
      entry: 'functions/system.ts',
      trigger: 'http',
      memoryMb: 256,
      timeoutSeconds: 5,
      tables: { ledger: 'read' },
      buckets: { seals: 'read', exports: 'read' },
      signingKeys: { probes: 'verify' },
    },
    probeProjector: {
      description: 'Projects events',
      entry: 'functions/system.ts',
      trigger: 'stream',
      memoryMb: 512,
      timeoutSeconds: 60,
      tables: { events: 'read', ledger: 'readWrite', parkedStreams: 'readWrite' },
    },
    probePublisher: {
      description: 'Reads events and publishes them',
      entry: 'functions/system.ts',
      trigger: 'stream',
      memoryMb: 256,
      timeoutSeconds: 30,
      tables: { events: 'read' },
      eventBus: 'integration',
    },
  },
  routes: [
    { method: 'POST', path: '/probes/{id}', function: 'probeCommand' },
    { method: 'PUT', path: '/probes/{id}/state', function: 'probeCommand' },
    { method: 'GET', path: '/probes/{id}', function: 'probeQuery' },
  ],
  streamHosts: {
    probeProjector: {
      ...probeHost,
      consumers: {
        ledger: {
          description: 'Keeps the ledger',
          kind: 'projection',
          tables: { ledger: 'readWrite' },
        },
      },
    },
    probePublisher: {
      ...probeHost,
      batchSize: 10,
      maxRetryAttempts: 2,
      maxRecordAgeSeconds: 600,
      consumers: {
        publish: {
          description: 'Publishes',
          kind: 'reaction',
          tables: {},
          eventBus: 'integration',
        },
      },
    },
  },
};

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

interface Synthesized {
  readonly app: App;
  readonly stack: SystemStack;
  readonly template: Template;
  readonly json: TemplateJson;
}

interface BuildOptions {
  readonly context?: Record<string, unknown>;
  readonly bundle?: boolean;
  readonly checks?: boolean;
}

function build(declaration: SystemDeclaration, options: BuildOptions = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...options.context,
    },
  });
  if (options.checks) addPolicyChecks(app);
  const settings = readDeploymentSettings(app.node);
  const stack = new SystemStack(app, `EventSourcing-${settings.stage}`, {
    settings,
    declaration,
  });
  return { app, stack };
}

function synthesize(declaration: SystemDeclaration, options: BuildOptions = {}): Synthesized {
  const { app, stack } = build(declaration, options);
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as TemplateJson };
}

const logicalId = (construct: IConstruct): string => {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
};

// ---------------------------------------------------------------------------------------------
// Template helpers
// ---------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Metadata?: Record<string, Json>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface TemplateJson {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json }>;
}

const resourcesOfType = (json: TemplateJson, type: string) =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);

const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });
const asArray = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const pairs = (actions: readonly string[], resources: readonly Json[]) =>
  actions.flatMap((action) => resources.map((resource) => `${action} ${JSON.stringify(resource)}`));

/** Every (action, resource) an Allow statement attached to the role grants. */
function grantsOf(json: TemplateJson, roleId: string): Set<string> {
  const documents: Json[] = [];
  for (const [, resource] of resourcesOfType(json, 'AWS::IAM::Policy')) {
    const roles = asArray(resource.Properties?.Roles as Json[]);
    if (roles.some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }))) {
      documents.push(resource.Properties!.PolicyDocument!);
    }
  }
  const role = json.Resources[roleId]!;
  for (const policy of asArray(role.Properties?.Policies as Json[])) {
    documents.push((policy as { PolicyDocument: Json }).PolicyDocument);
  }
  const grants = new Set<string>();
  for (const document of documents) {
    for (const statement of asArray((document as { Statement: Json[] }).Statement)) {
      const { Effect, Action, Resource } = statement as Record<string, Json>;
      expect(Effect).toBe('Allow');
      for (const grant of pairs(asArray(Action as string[]), asArray(Resource as Json[]))) {
        grants.add(grant);
      }
    }
  }
  return grants;
}

/** Every consumer has its own lag and parked-streams alarms, on its own dimension. */
function expectConsumerAlarms(
  alarms: readonly Record<string, Json>[],
  declaration: SystemDeclaration,
): void {
  const consumerAlarm = (metricName: string, host: string, consumer: string) =>
    alarms.filter(
      (a) =>
        a.MetricName === metricName &&
        a.Namespace === 'EventSourcing/dev' &&
        JSON.stringify(a.Dimensions) ===
          JSON.stringify([
            { Name: 'consumer', Value: consumer },
            { Name: 'service', Value: host },
          ]),
    );
  for (const [host, { consumers }] of Object.entries(declaration.streamHosts)) {
    for (const consumer of Object.keys(consumers)) {
      expect(consumerAlarm('ConsumerLag', host, consumer), `lag of ${consumer}`).toEqual([
        expect.objectContaining({ Statistic: 'Maximum', Threshold: 60_000 }),
      ]);
      expect(consumerAlarm('ConsumerStreamsParked', host, consumer), consumer).toEqual([
        expect.objectContaining({ Statistic: 'Sum', Threshold: 1 }),
      ]);
    }
  }
}

/** A system with a global log alarms when its indexer is more than a minute behind. */
function expectGlobalLogLagAlarm(
  alarms: readonly Record<string, Json>[],
  declaration: SystemDeclaration,
): void {
  const logLag = alarms.filter((a) => JSON.stringify(a.Metrics ?? '').includes('GlobalLogLag'));
  expect(logLag).toHaveLength('globalLog' in declaration.tables ? 1 : 0);
  if (logLag[0]) {
    expect(logLag[0]).toMatchObject({
      Threshold: 60_000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  }
}

const declarations: [string, SystemDeclaration][] = [
  ['the system declaration', systemDeclaration],
  ['a probe declaration', probeDeclaration],
];

// ---------------------------------------------------------------------------------------------
// Properties of the template, for the real declaration and for the probe
// ---------------------------------------------------------------------------------------------

describe.each(declarations)('stack built from %s', (_name, declaration) => {
  let stack: SystemStack;
  let template: Template;
  let json: TemplateJson;
  beforeAll(() => ({ stack, template, json } = synthesize(declaration)));
  const consumerKeys = new Set(Object.keys(declaration.streamHosts));

  it('is environment-agnostic, so synthesis needs no credentials', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
  });

  it('creates exactly the declared tables, each with its keys, indexes and TTL', () => {
    expect(resourcesOfType(json, 'AWS::DynamoDB::GlobalTable')).toHaveLength(
      Object.keys(declaration.tables).length,
    );
    for (const [key, table] of Object.entries(declaration.tables)) {
      const id = logicalId(stack.tables.get(key).table);
      const properties = json.Resources[id]!.Properties!;
      expect(properties.KeySchema).toEqual([
        { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
        ...(table.sortKey ? [{ AttributeName: table.sortKey.name, KeyType: 'RANGE' }] : []),
      ]);
      const keys = [
        table.partitionKey,
        table.sortKey,
        ...(table.globalIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
      ].filter((k) => k !== undefined);
      expect(properties.AttributeDefinitions).toEqual(
        expect.arrayContaining(keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type }))),
      );
      expect(properties.BillingMode).toBe('PAY_PER_REQUEST');
      expect(properties.GlobalSecondaryIndexes ?? []).toEqual(
        (table.globalIndexes ?? []).map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
            ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }] : []),
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      );
      expect(properties.TimeToLiveSpecification).toEqual(
        table.timeToLiveAttribute
          ? { AttributeName: table.timeToLiveAttribute, Enabled: true }
          : undefined,
      );
      expect(properties.StreamSpecification).toEqual(
        table.stream ? { StreamViewType: table.stream } : undefined,
      );
    }
  });

  it('protects and retains the source of truth; every table has point-in-time recovery', () => {
    for (const [key, table] of Object.entries(declaration.tables)) {
      const resource = json.Resources[logicalId(stack.tables.get(key).table)]!;
      const replica = (resource.Properties!.Replicas as Record<string, Json>[])[0]!;
      expect(replica.PointInTimeRecoverySpecification).toEqual({
        PointInTimeRecoveryEnabled: true,
      });
      const sourceOfTruth = table.durability === 'source-of-truth';
      expect(replica.DeletionProtectionEnabled).toBe(sourceOfTruth);
      expect(resource.DeletionPolicy).toBe(sourceOfTruth ? 'Retain' : 'Delete');
      expect(resource.UpdateReplacePolicy).toBe(sourceOfTruth ? 'Retain' : 'Delete');
      expect(resource.Metadata?.['eventsourcing:appendOnly']).toBe(table.appendOnly);
    }
    const events = json.Resources[logicalId(stack.tables.get('events').table)]!;
    expect(events.DeletionPolicy).toBe('Retain');
    expect(events.Properties!.StreamSpecification).toEqual({ StreamViewType: 'NEW_IMAGE' });
  });

  it('denies every principal changing or deleting an item of an append-only table', () => {
    for (const [key, table] of Object.entries(declaration.tables)) {
      const resource = json.Resources[logicalId(stack.tables.get(key).table)]!;
      const replica = (resource.Properties!.Replicas as Record<string, Json>[])[0]!;
      if (!table.appendOnly) {
        expect(replica.ResourcePolicy, key).toBeUndefined();
        continue;
      }
      expect(replica.ResourcePolicy).toEqual({
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'EventsAreNeverChangedOrDeleted',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: [...ITEM_CHANGING_ACTIONS].sort(),
              Resource: '*',
            },
          ],
        },
      });
    }
  });

  it('outputs every table name', () => {
    for (const key of Object.keys(declaration.tables)) {
      const output = Object.values(json.Outputs ?? {}).find(
        (o) =>
          JSON.stringify(o.Value) ===
          JSON.stringify({ Ref: logicalId(stack.tables.get(key).table) }),
      );
      expect(output, `output for table ${key}`).toBeDefined();
    }
    template.hasOutput('EventsTableName', {});
    template.hasOutput('AlarmTopicArn', {});
    template.hasOutput('DashboardName', {});
  });

  it('creates one arm64 Node.js 22+ function per declaration, sized and configured as declared', () => {
    // Besides the declared functions, one reads each signing key's public key for the outputs.
    expect(resourcesOfType(json, 'AWS::Lambda::Function')).toHaveLength(
      Object.keys(declaration.functions).length + Object.keys(declaration.signingKeys).length,
    );
    for (const [key, fn] of Object.entries(declaration.functions)) {
      const created = stack.functions.get(key)!;
      const properties = json.Resources[logicalId(created.function)]!.Properties!;
      expect(
        Number(/^nodejs(\d+)\.x$/.exec(properties.Runtime as string)?.[1]),
      ).toBeGreaterThanOrEqual(22);
      expect(properties.Architectures).toEqual(['arm64']);
      expect(properties.MemorySize).toBe(fn.memoryMb);
      expect(properties.Timeout).toBe(fn.timeoutSeconds);
      expect(properties.Handler).toBe(`index.${fn.handler ?? 'handler'}`);
      expect(properties.TracingConfig).toEqual({ Mode: 'Active' });
      expect(properties.LoggingConfig).toEqual({ LogGroup: { Ref: logicalId(created.logGroup) } });
      const tableVariables = Object.fromEntries(
        Object.keys(fn.tables).map((table) => [
          tableNameEnvVar(table),
          { Ref: logicalId(stack.tables.get(table).table) },
        ]),
      );
      const bucketVariables = Object.fromEntries(
        Object.keys(fn.buckets ?? {}).map((bucket) => [
          bucketNameEnvVar(bucket),
          { Ref: logicalId(stack.buckets.get(bucket).bucket) },
        ]),
      );
      const signingKeyVariables = Object.fromEntries(
        Object.keys(fn.signingKeys ?? {}).map((signingKey) => [
          signingKeyEnvVar(signingKey),
          getAtt(logicalId(stack.signingKeys.get(signingKey).kmsKey)),
        ]),
      );
      const signs = Object.values(fn.signingKeys ?? {}).includes('sign');
      expect((properties.Environment as { Variables: Json }).Variables).toEqual({
        NODE_OPTIONS: '--enable-source-maps',
        STAGE: 'dev',
        POWERTOOLS_SERVICE_NAME: key,
        POWERTOOLS_METRICS_NAMESPACE: 'EventSourcing/dev',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...tableVariables,
        ...bucketVariables,
        ...signingKeyVariables,
        // What signs checkpoints names the log: the stack.
        ...(signs ? { HISTORY_LOG: stack.stackName } : {}),
        ...(fn.eventBus
          ? { EVENT_BUS_NAME: { Ref: logicalId(stack.integrationEvents!.bus) } }
          : {}),
        // HTTP functions learn who counts as an operator (defaults: no context given).
        ...(fn.trigger === 'http'
          ? { OPERATOR_GROUP: 'operators', GROUPS_CLAIM: 'cognito:groups' }
          : {}),
      });
      const logGroup = json.Resources[logicalId(created.logGroup)]!;
      expect(logGroup.Properties!.RetentionInDays).toBe(30);
    }
  });

  it('grants each role exactly its declared table and bucket access and nothing else', () => {
    for (const [key, fn] of Object.entries(declaration.functions)) {
      const created = stack.functions.get(key)!;
      const roleId = logicalId(created.role);
      expect(json.Resources[roleId]!.Properties!.ManagedPolicyArns).toBeUndefined();
      const tableGrants = Object.entries(fn.tables).flatMap(([table, access]) => {
        const id = logicalId(stack.tables.get(table).table);
        const indexes = (declaration.tables[table]!.globalIndexes ?? []).map((index) => ({
          'Fn::Join': ['', [getAtt(id), `/index/${index.indexName}`]],
        }));
        return pairs(expectedActions[access!], [getAtt(id), ...indexes]);
      });
      const bucketGrants = Object.entries(fn.buckets ?? {}).flatMap(([bucket, access]) => {
        const id = logicalId(stack.buckets.get(bucket).bucket);
        return [
          ...pairs(expectedBucketActions[access!], [{ 'Fn::Join': ['', [getAtt(id), '/*']] }]),
          ...pairs(['s3:ListBucket'], [getAtt(id)]),
        ];
      });
      const signingKeyGrants = Object.entries(fn.signingKeys ?? {}).flatMap(
        ([signingKey, access]) =>
          pairs(access === 'sign' ? ['kms:GetPublicKey', 'kms:Sign'] : ['kms:GetPublicKey'], [
            getAtt(logicalId(stack.signingKeys.get(signingKey).kmsKey)),
          ]),
      );
      const consumerGrants = consumerKeys.has(key)
        ? [
            ...pairs(
              [
                'dynamodb:DescribeStream',
                'dynamodb:GetRecords',
                'dynamodb:GetShardIterator',
                'dynamodb:ListStreams',
              ],
              [getAtt(logicalId(stack.tables.get('events').table), 'StreamArn')],
            ),
            ...pairs(
              ['s3:PutObject'],
              [
                {
                  'Fn::Join': ['', [getAtt(logicalId(stack.failureRecords!.bucket)), '/*']],
                },
              ],
            ),
            ...pairs(['s3:ListBucket'], [getAtt(logicalId(stack.failureRecords!.bucket))]),
          ]
        : [];
      expect([...grantsOf(json, roleId)].sort(), `grants of ${key}`).toEqual(
        [
          ...pairs(
            ['logs:CreateLogStream', 'logs:PutLogEvents'],
            [getAtt(logicalId(created.logGroup))],
          ),
          ...pairs(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
          ...tableGrants,
          ...bucketGrants,
          ...signingKeyGrants,
          ...consumerGrants,
          ...(fn.eventBus
            ? pairs(['events:PutEvents'], [getAtt(logicalId(stack.integrationEvents!.bus))])
            : []),
        ].sort(),
      );
    }
  });

  it('lets a stream host write only what its consumers declare, and its bookkeeping', () => {
    const bookkeeping = ['parkedStreams', 'reactionPositions'];
    for (const [key, host] of Object.entries(declaration.streamHosts)) {
      const declared = new Set(
        Object.values(host.consumers).flatMap((consumer) =>
          Object.entries(consumer.tables)
            .filter(([, access]) => access !== 'read')
            .map(([table]) => table),
        ),
      );
      const written = Object.entries(declaration.functions[key]!.tables)
        .filter(([, access]) => access !== 'read')
        .map(([table]) => table);
      for (const table of written) {
        expect(declared.has(table) || bookkeeping.includes(table), `${key} writes ${table}`).toBe(
          true,
        );
      }
    }
  });

  it('lets no role update or delete events, nor use a wildcard on the events table', () => {
    expect(appendOnlyTables(json)).toEqual([logicalId(stack.tables.get('events').table)]);
    expect(findAppendOnlyViolations(json)).toEqual([]);
  });

  it('maps one event source per stream host, at most two per stream, with the declared, bounded settings', () => {
    const mappings = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping');
    const hosts = Object.entries(declaration.streamHosts);
    expect(mappings).toHaveLength(hosts.length);
    const perStream = new Map<string, number>();
    for (const [, mapping] of mappings) {
      const source = JSON.stringify(mapping.Properties!.EventSourceArn);
      perStream.set(source, (perStream.get(source) ?? 0) + 1);
    }
    expect(Math.max(...perStream.values())).toBeLessThanOrEqual(2);
    for (const [key, consumer] of hosts) {
      const fnId = logicalId(stack.functions.get(key)!.function);
      const matching = mappings.filter(
        ([, m]) => JSON.stringify(m.Properties!.FunctionName) === JSON.stringify({ Ref: fnId }),
      );
      expect(matching).toHaveLength(1);
      const properties = matching[0]![1].Properties!;
      expect(properties).toMatchObject({
        EventSourceArn: getAtt(logicalId(stack.tables.get(consumer.source).table), 'StreamArn'),
        StartingPosition: 'TRIM_HORIZON',
        ParallelizationFactor: 1,
        BisectBatchOnFunctionError: true,
        BatchSize: consumer.batchSize,
        MaximumBatchingWindowInSeconds: consumer.maxBatchingWindowSeconds,
        MaximumRetryAttempts: consumer.maxRetryAttempts,
        MaximumRecordAgeInSeconds: consumer.maxRecordAgeSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: {
          OnFailure: { Destination: getAtt(logicalId(stack.failureRecords!.bucket)) },
        },
      });
      expect(properties.MaximumRetryAttempts).toBeGreaterThanOrEqual(0);
      expect(properties.MaximumRecordAgeInSeconds).toBeGreaterThanOrEqual(60);
      const filters = (properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
      expect(filters.map((filter) => JSON.parse(filter.Pattern) as Json)).toEqual([
        {
          eventName: ['INSERT'],
          dynamodb: {
            NewImage: { eventId: { S: [{ exists: true }] }, type: { S: [{ exists: true }] } },
          },
        },
      ]);
    }
  });

  it('keeps failed stream batches in a private, encrypted, TLS-only, retained bucket', () => {
    if (consumerKeys.size === 0) {
      expect(stack.failureRecords).toBeUndefined();
      return;
    }
    const bucketId = logicalId(stack.failureRecords!.bucket);
    const bucket = json.Resources[bucketId]!;
    expect(bucket.DeletionPolicy).toBe('Retain');
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      MetricsConfigurations: [{ Id: 'FailureRecords' }],
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.any(String) as string } },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasOutput('FailureRecordsBucketName', { Value: { Ref: bucketId } });
  });

  it('serves every declared route through its function, IAM-authorized by default', () => {
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route');
    expect(routes).toHaveLength(declaration.routes.length);
    if (declaration.routes.length === 0) {
      expect(stack.httpApi).toBeUndefined();
      expect(json.Outputs?.ApiUrl).toBeUndefined();
      return;
    }
    const integrations = Object.fromEntries(
      resourcesOfType(json, 'AWS::ApiGatewayV2::Integration').map(([id, integration]) => [
        id,
        integration.Properties!,
      ]),
    );
    for (const route of declaration.routes) {
      const found = routes.find(
        ([, r]) => r.Properties!.RouteKey === `${route.method} ${route.path}`,
      );
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const properties = found![1].Properties!;
      expect(properties.AuthorizationType).toBe('AWS_IAM');
      const target = JSON.stringify(properties.Target);
      const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`))!;
      expect(integrations[integrationId]).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: getAtt(logicalId(stack.functions.get(route.function)!.function)),
      });
    }
    expect(json.Resources[logicalId(stack.httpApi!.api)]!.Properties!.CorsConfiguration).toBe(
      undefined,
    );
    template.hasOutput('ApiUrl', {});
  });

  it('logs every API request and throttles the stage', () => {
    if (!stack.httpApi) return;
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: {
        DestinationArn: getAtt(logicalId(stack.httpApi.accessLogs)),
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('alarms on function errors, consumer lag, parked streams, failure records and 5xx', () => {
    const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    const topic = { Ref: logicalId(stack.monitoring.topic) };
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([topic]);
    const alarmOn = (metricName: string, functionKey?: string) =>
      alarms.filter(
        (a) =>
          a.MetricName === metricName &&
          (functionKey === undefined ||
            JSON.stringify(a.Dimensions).includes(
              logicalId(stack.functions.get(functionKey)!.function),
            )),
      );
    for (const key of Object.keys(declaration.functions)) {
      expect(alarmOn('Errors', key), `errors of ${key}`).toHaveLength(1);
    }
    for (const key of consumerKeys) {
      const [iteratorAge] = alarmOn('IteratorAge', key);
      expect(iteratorAge).toMatchObject({ Statistic: 'Maximum', Threshold: 60_000 });
    }
    expectConsumerAlarms(alarms, declaration);
    const failureRecords = alarmOn('PutRequests');
    const serverErrors = alarmOn('5xx');
    expect(failureRecords).toHaveLength(consumerKeys.size > 0 ? 1 : 0);
    expect(serverErrors).toHaveLength(declaration.routes.length > 0 ? 1 : 0);
    if (consumerKeys.size > 0) {
      expect(failureRecords[0]!.Dimensions).toEqual(
        expect.arrayContaining([{ Name: 'FilterId', Value: 'FailureRecords' }]),
      );
    }
    expectGlobalLogLagAlarm(alarms, declaration);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('routes integration events through one bus, with an example rule logging account events', () => {
    const buses = resourcesOfType(json, 'AWS::Events::EventBus');
    if (!Object.values(declaration.functions).some((fn) => fn.eventBus)) {
      expect(buses).toEqual([]);
      expect(stack.integrationEvents).toBeUndefined();
      return;
    }
    const { bus } = stack.integrationEvents!;
    const { rule: accountEventsRule, logGroup: accountEventsLog } = stack.accountEvents!;
    expect(buses.map(([id]) => id)).toEqual([logicalId(bus)]);
    const rule = json.Resources[logicalId(accountEventsRule)]!.Properties!;
    const logGroupArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':logs:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':log-group:',
          { Ref: logicalId(accountEventsLog) },
        ],
      ],
    };
    expect(rule).toEqual({
      Description: expect.any(String) as string,
      EventBusName: { Ref: logicalId(bus) },
      EventPattern: { source: ['eventsourcing.accounts'] },
      State: 'ENABLED',
      Targets: [{ Id: 'Target0', Arn: logGroupArn }],
      Tags: [{ Key: 'stage', Value: 'dev' }],
    });
    const policy = accountEventsLog.node.findChild('Policy') as ResourcePolicy;
    expect(resourcesOfType(json, 'AWS::Logs::ResourcePolicy').map(([id]) => id)).toEqual([
      logicalId(policy),
    ]);
    expect(stack.resolve(policy.document.toJSON())).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: getAtt(logicalId(accountEventsLog)),
          Condition: { ArnEquals: { 'aws:SourceArn': getAtt(logicalId(accountEventsRule)) } },
        },
      ],
    });
    expect(json.Resources[logicalId(accountEventsLog)]!.Properties!.RetentionInDays).toBe(30);
    expect(json.Outputs!.IntegrationEventBusName!.Value).toEqual({ Ref: logicalId(bus) });
    expect(json.Outputs!.IntegrationEventBusArn!.Value).toEqual(getAtt(logicalId(bus)));
    expect(json.Outputs!.AccountEventsLogGroupName!.Value).toEqual({
      Ref: logicalId(accountEventsLog),
    });
  });

  it('lets only the declared publishers put events, and only on the integration bus', () => {
    const statements = resourcesOfType(json, 'AWS::IAM::Policy').flatMap(([, policy]) =>
      asArray((policy.Properties!.PolicyDocument as { Statement: Json[] }).Statement).map(
        (statement) => ({ roles: policy.Properties!.Roles, ...(statement as object) }),
      ),
    ) as { roles: Json; Action: Json; Resource: Json }[];
    const publishing = statements.filter((statement) =>
      asArray(statement.Action as string[]).some((action) => action.startsWith('events:')),
    );
    const publishers = Object.entries(declaration.functions)
      .filter(([, fn]) => fn.eventBus)
      .map(([key]) => ({ Ref: logicalId(stack.functions.get(key)!.role) }));
    expect(publishing.map((statement) => statement.roles)).toEqual(
      publishers.map((role) => [role]),
    );
    for (const statement of publishing) {
      expect(statement.Action).toBe('events:PutEvents');
      expect(statement.Resource).toEqual(getAtt(logicalId(stack.integrationEvents!.bus)));
    }
  });

  it('invokes every scheduled function on its declared rate', () => {
    const scheduled = Object.entries(declaration.functions).filter(
      ([, fn]) => fn.trigger === 'schedule',
    );
    const rules = resourcesOfType(json, 'AWS::Events::Rule').map(([, r]) => r.Properties!);
    expect(rules.filter((r) => r.ScheduleExpression)).toHaveLength(scheduled.length);
    for (const [key, fn] of scheduled) {
      const target = getAtt(logicalId(stack.functions.get(key)!.function));
      const unit = fn.scheduleMinutes === 1 ? 'minute' : 'minutes';
      expect(rules).toContainEqual(
        expect.objectContaining({
          ScheduleExpression: `rate(${fn.scheduleMinutes} ${unit})`,
          State: 'ENABLED',
          Targets: [expect.objectContaining({ Arn: target })],
        }),
      );
    }
  });

  it('alarms on every metric a function declares as a problem', () => {
    const alarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties!);
    for (const [key, fn] of Object.entries(declaration.functions)) {
      for (const { metric } of fn.alarmMetrics ?? []) {
        expect(alarms, `${metric} of ${key}`).toContainEqual(
          expect.objectContaining({
            MetricName: metric,
            Namespace: 'EventSourcing/dev',
            Dimensions: [{ Name: 'service', Value: key }],
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          }),
        );
      }
    }
  });

  it('notifies alarms through an SNS topic encrypted with a rotating key, TLS only, that CloudWatch alarms of this account may publish to', () => {
    const topic = json.Resources[logicalId(stack.monitoring.topic)]!.Properties!;
    expect(topic.KmsMasterKeyId).toEqual(
      getAtt(Object.keys(json.Resources).find((id) => id.startsWith('MonitoringAlarmTopicKey'))!),
    );
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const topicRef = { Ref: logicalId(stack.monitoring.topic) };
    const policies = resourcesOfType(json, 'AWS::SNS::TopicPolicy').filter(([, policy]) =>
      JSON.stringify(policy.Properties!.Topics).includes(JSON.stringify(topicRef)),
    );
    expect(policies).toHaveLength(1);
    const statements = (
      policies[0]![1].Properties!.PolicyDocument as { Statement: Record<string, Json>[] }
    ).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccountPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: topicRef,
        Condition: {
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudwatch:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':alarm:*',
                ],
              ],
            },
          },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Settings from context
// ---------------------------------------------------------------------------------------------

describe('deployment settings from context', () => {
  it('names the stack, dashboard and metrics namespace after the stage', () => {
    const { stack, json } = synthesize(probeDeclaration, { context: { stage: 'prod' } });
    expect(stack.stackName).toBe('EventSourcing-prod');
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(JSON.stringify(dashboard.Properties!.DashboardName)).toContain('event-sourcing-prod-');
    const fn = json.Resources[logicalId(stack.functions.get('probeQuery')!.function)]!;
    expect(JSON.stringify(fn.Properties!.Environment)).toContain('"EventSourcing/prod"');
  });

  it('switches every route to a JWT authorizer when asked', () => {
    const { template, json } = synthesize(probeDeclaration, {
      context: {
        auth: 'jwt',
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: 'client-a,client-b',
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Issuer: 'https://issuer.example.com/',
        Audience: ['client-a', 'client-b'],
      },
    });
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route');
    expect(routes.map(([, r]) => r.Properties!.AuthorizationType)).toEqual(
      probeDeclaration.routes.map(() => 'JWT'),
    );
  });

  it('keeps routes declared IAM-only on IAM when the API takes JWTs', () => {
    const { json } = synthesize(systemDeclaration, {
      context: {
        auth: 'jwt',
        jwtIssuer: 'https://issuer.example.com/',
        jwtAudience: 'client-a',
      },
    });
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    const iamOnly = systemDeclaration.routes.filter((route) => route.authorization === 'iam');
    expect(iamOnly.map((route) => `${route.method} ${route.path}`)).toContain('GET /events');
    for (const route of routes) {
      const routeKey = route.RouteKey as string;
      const declared = systemDeclaration.routes.find((r) => `${r.method} ${r.path}` === routeKey)!;
      expect(route.AuthorizationType, routeKey).toBe(
        declared.authorization === 'iam' ? 'AWS_IAM' : 'JWT',
      );
    }
  });

  it('tells the HTTP functions which JWT group and claim make an operator', () => {
    const { stack, json } = synthesize(probeDeclaration, {
      context: { operatorGroup: 'ledger-admins', groupsClaim: 'groups' },
    });
    for (const [key, fn] of Object.entries(probeDeclaration.functions)) {
      const created = json.Resources[logicalId(stack.functions.get(key)!.function)]!;
      const variables = (created.Properties!.Environment as { Variables: Json }).Variables;
      if (fn.trigger === 'http') {
        expect(variables).toMatchObject({
          OPERATOR_GROUP: 'ledger-admins',
          GROUPS_CLAIM: 'groups',
        });
      } else {
        expect(variables).not.toHaveProperty('OPERATOR_GROUP');
      }
    }
  });

  it('configures CORS only for the origins given, and honours throttling and log retention', () => {
    const { template } = synthesize(probeDeclaration, {
      context: {
        corsOrigins: 'https://app.example.com',
        throttleRateLimit: '7',
        throttleBurstLimit: '9',
        logRetentionDays: '90',
        alarmEmail: 'ops@example.com',
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com'],
        AllowHeaders: Match.arrayWith(['if-match', 'idempotency-key']),
        ExposeHeaders: [
          'etag',
          'location',
          'retry-after',
          'x-correlation-id',
          'idempotent-replayed',
        ],
      },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 9 },
    });
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('lets CORS preflight requests reach the catch-all routes without authorization', () => {
    const { stack, json } = synthesize(systemDeclaration, {
      context: { corsOrigins: 'https://app.example.com' },
    });
    const routes = resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    const health = logicalId(stack.functions.get('health')!.function);
    const open = routes.filter((route) => route.AuthorizationType === 'NONE');
    expect(open.map((route) => route.RouteKey).sort()).toEqual(['OPTIONS /', 'OPTIONS /{proxy+}']);
    for (const route of open) {
      const integrationId = JSON.stringify(route.Target).match(/"Ref":"(\w+)"/)![1]!;
      expect(JSON.stringify(json.Resources[integrationId]!.Properties)).toContain(health);
    }
    const guarded = routes.filter((route) => route.AuthorizationType !== 'NONE');
    expect(guarded).toHaveLength(systemDeclaration.routes.length);
    expect(guarded.every((route) => route.AuthorizationType === 'AWS_IAM')).toBe(true);

    const withoutCors = synthesize(systemDeclaration).json;
    expect(
      resourcesOfType(withoutCors, 'AWS::ApiGatewayV2::Route').filter(
        ([, route]) => route.Properties!.AuthorizationType === 'NONE',
      ),
    ).toEqual([]);
  });

  it.each([
    [{ stage: 'Prod!' }, /stage/],
    [{ auth: 'basic' }, /auth must be iam or jwt/],
    [{ auth: 'jwt' }, /jwtIssuer/],
    [{ auth: 'jwt', jwtIssuer: 'https://issuer.example.com/' }, /jwtAudience/],
    [{ throttleRateLimit: '-1' }, /throttleRateLimit/],
    [{ logRetentionDays: '17' }, /logRetentionDays/],
  ])('refuses bad context %j', (context, message) => {
    expect(() => build(probeDeclaration, { context })).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------
// Declarations that would break a guarantee
// ---------------------------------------------------------------------------------------------

describe('declaration checks', () => {
  const withHost = (changes: Partial<StreamHostDeclaration>): SystemDeclaration => ({
    ...probeDeclaration,
    streamHosts: {
      ...probeDeclaration.streamHosts,
      probeProjector: { ...probeDeclaration.streamHosts.probeProjector!, ...changes },
    },
  });

  it.each<[string, SystemDeclaration, RegExp]>([
    [
      'readWrite on the events table',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeCommand: {
            ...probeDeclaration.functions.probeCommand!,
            tables: { events: 'readWrite' },
          },
        },
      },
      /readWrite on append-only table events/,
    ],
    [
      'a TTL on the events table',
      {
        ...probeDeclaration,
        tables: {
          ...probeDeclaration.tables,
          events: { ...probeDeclaration.tables.events!, timeToLiveAttribute: 'expiresAt' },
        },
      },
      /cannot have a TTL/,
    ],
    ['a host that does not bisect', withHost({ bisectBatchOnError: false }), /bisect/],
    ['unbounded retries', withHost({ maxRetryAttempts: -1 }), /bounded retries/],
    ['unbounded record age', withHost({ maxRecordAgeSeconds: -1 }), /bounded record age/],
    ['a host of a table without stream', withHost({ source: 'ledger' }), /no stream/],
    [
      'a third reader of one table stream',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeIndexer: {
            ...probeDeclaration.functions.probeProjector!,
            tables: { events: 'read' },
          },
        },
        streamHosts: {
          ...probeDeclaration.streamHosts,
          probeIndexer: {
            ...probeDeclaration.streamHosts.probePublisher!,
            consumers: { index: { description: 'Indexes', kind: 'reaction', tables: {} } },
          },
        },
      },
      /the stream of table events has 3 readers \(probeProjector, probePublisher, probeIndexer\); AWS allows at most 2/,
    ],
    [
      'a stream function that no host declares',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeStray: { ...probeDeclaration.functions.probeProjector! },
        },
      },
      /function probeStray has trigger stream but is no declared stream host/,
    ],
    [
      'a consumer declared in two hosts',
      withHost({ consumers: { publish: { description: 'Again', kind: 'reaction', tables: {} } } }),
      /consumer publish is declared twice/,
    ],
    [
      'a route to an unknown function',
      { ...probeDeclaration, routes: [{ method: 'GET', path: '/x', function: 'nothing' }] },
      /undeclared function nothing/,
    ],
    [
      'a schedule without a rate',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeCheck: { ...probeDeclaration.functions.probeCommand!, trigger: 'schedule' },
        },
      },
      /needs scheduleMinutes/,
    ],
    [
      'a rate on a function that is not scheduled',
      {
        ...probeDeclaration,
        functions: {
          ...probeDeclaration.functions,
          probeCommand: { ...probeDeclaration.functions.probeCommand!, scheduleMinutes: 5 },
        },
      },
      /has scheduleMinutes but its trigger is http/,
    ],
    [
      'a route to a stream function',
      { ...probeDeclaration, routes: [{ method: 'GET', path: '/x', function: 'probeProjector' }] },
      /trigger is stream/,
    ],
  ])('refuses %s', (_name, declaration, message) => {
    expect(() => validateDeclaration(declaration)).toThrow(message);
    expect(() => build(declaration)).toThrow(message);
  });
});

// ---------------------------------------------------------------------------------------------
// The append-only guard catches every way a role could change events
// ---------------------------------------------------------------------------------------------

describe('append-only guard', () => {
  const events = (stack: SystemStack) => stack.tables.get('events').table;
  const queryRole = (stack: SystemStack) => stack.functions.get('probeQuery')!.role;
  const allow = (actions: string[], resources: string[]) =>
    new PolicyStatement({ actions, resources });

  /** A change to the probe stack: a statement for the query role, or a grant it makes itself. */
  type PolicyChange = (stack: SystemStack) => PolicyStatement | void;

  function violationsWith(change: PolicyChange) {
    const { stack } = build(probeDeclaration);
    const statement = change(stack);
    if (statement) queryRole(stack).addToPrincipalPolicy(statement);
    return findAppendOnlyViolations(Template.fromStack(stack).toJSON());
  }

  it.each<[string, PolicyChange]>([
    ['UpdateItem on the events table', (s) => allow(['dynamodb:UpdateItem'], [events(s).tableArn])],
    [
      'DeleteItem on an ARN built from the table name',
      (s) =>
        allow(
          ['dynamodb:DeleteItem'],
          [`arn:${s.partition}:dynamodb:${s.region}:${s.account}:table/${events(s).tableName}`],
        ),
    ],
    ['dynamodb:* on the events table', (s) => void events(s).grantFullAccess(queryRole(s))],
    ['the CDK read-write grant', (s) => void events(s).grantReadWriteData(queryRole(s))],
    [
      'a wildcard action on the events table',
      (s) => allow(['dynamodb:Put*'], [events(s).tableArn]),
    ],
    [
      'BatchWriteItem on every table',
      () => allow(['dynamodb:BatchWriteItem'], ['arn:aws:dynamodb:*:*:table/*']),
    ],
    ['any action on any resource', () => allow(['*'], ['*'])],
    [
      'everything but reads (NotAction)',
      (s) =>
        new PolicyStatement({ notActions: ['dynamodb:GetItem'], resources: [events(s).tableArn] }),
    ],
  ])('fails on %s', (_name, change) => {
    const violations = violationsWith(change);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations[0]!.reason).toMatch(/append-only table/);
  });

  it.each<[string, PolicyChange]>([
    [
      'a Deny of UpdateItem',
      () =>
        new PolicyStatement({
          effect: Effect.DENY,
          actions: ['dynamodb:UpdateItem'],
          resources: ['*'],
        }),
    ],
    [
      'UpdateItem on another table',
      () => allow(['dynamodb:UpdateItem'], ['arn:aws:dynamodb:eu-west-1:123456789012:table/other']),
    ],
    [
      'UpdateItem on the snapshots table',
      (s) => void s.tables.get('snapshots').table.grantReadWriteData(queryRole(s)),
    ],
    ['reading the events stream', (s) => void events(s).grantStreamRead(queryRole(s))],
    ['s3 wildcards', () => allow(['s3:*'], ['*'])],
  ])('accepts %s', (_name, change) => {
    expect(violationsWith(change)).toEqual([]);
  });

  it('refuses to grant readWrite on an append-only table', () => {
    const { stack } = build(probeDeclaration);
    expect(() =>
      grantTableAccess(queryRole(stack), stack.tables.get('events'), 'readWrite'),
    ).toThrow(/append-only/);
  });

  it('stops synthesis when a bad policy reaches the events table', () => {
    const { app, stack } = build(probeDeclaration, { checks: true });
    events(stack).grantWriteData(queryRole(stack));
    expect(() => app.synth()).toThrow(/AppendOnlyTables/);
  });

  it('reports through the CDK validation plugin interface', () => {
    const { app, stack } = build(probeDeclaration);
    events(stack).grantWriteData(queryRole(stack));
    const assembly = app.synth();
    const report = new AppendOnlyTablesCheck().validate({
      templatePaths: [path.join(assembly.directory, stack.templateFile)],
      stackTemplates: [],
      appConstruct: app,
    });
    expect(report.success).toBe(false);
    expect(report.violations[0]!.violatingResources[0]!.resourceLogicalId).toBe(
      logicalId(queryRole(stack).node.findChild('DefaultPolicy')),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// cdk-nag AwsSolutions
// ---------------------------------------------------------------------------------------------

/** The AwsSolutions pack, also recording every finding before acknowledgements apply. */
class RecordingAwsSolutionsChecks extends AwsSolutionsChecks {
  readonly findings: { path: string; id: string }[] = [];

  protected override applyRule(params: IApplyRule): void {
    const ruleId = `${this.readPackName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    const path = params.node.node.path;
    let result: ReturnType<IApplyRule['rule']>;
    try {
      result = params.rule(params.node);
    } catch {
      result = NagRuleCompliance.NON_COMPLIANT;
    }
    if (result === NagRuleCompliance.NON_COMPLIANT) this.findings.push({ path, id: ruleId });
    if (Array.isArray(result)) {
      for (const finding of result) this.findings.push({ path, id: `${ruleId}[${finding}]` });
    }
    super.applyRule(params);
  }
}

function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each<[string, SystemDeclaration, Record<string, unknown>]>([
  ...declarations.map(
    ([name, declaration]): [string, SystemDeclaration, Record<string, unknown>] => [
      name,
      declaration,
      {},
    ],
  ),
  [
    'the system declaration with CORS',
    systemDeclaration,
    { corsOrigins: 'https://app.example.com' },
  ],
])('cdk-nag AwsSolutions on %s', (_name, declaration, context) => {
  it('has no unacknowledged finding, and every acknowledgement is used and explained', () => {
    const { app } = build(declaration, { checks: true, context });
    const assembly = app.synth();
    const report = JSON.parse(
      readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);

    const checks = new RecordingAwsSolutionsChecks();
    expect(checks.validateScope(app).violations).toEqual([]);
    const acks = acknowledgements(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.length, `reason for ${ack.id} at ${ack.path}`).toBeGreaterThan(60);
      const used = checks.findings.some(
        (finding) =>
          finding.id === ack.id &&
          (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`)),
      );
      expect(used, `acknowledgement ${ack.id} at ${ack.path} matches a finding`).toBe(true);
    }
  });
});

describe('cdk-nag is live', () => {
  it('fails synthesis on an unacknowledged finding', () => {
    const { app, stack } = build(probeDeclaration, { checks: true });
    new Bucket(stack, 'CarelessBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});

// ---------------------------------------------------------------------------------------------
// Real bundling: ESM with the require banner, source maps, recorded sizes
// ---------------------------------------------------------------------------------------------

/** A function declaration without its signing keys: a bundle of it alone. */
function unsigned(fn: FunctionDeclaration): FunctionDeclaration {
  const rest = { ...fn };
  delete rest.signingKeys;
  return rest;
}

describe('bundling', () => {
  it('bundles each function locally as ESM with source maps and records its size', () => {
    const declaration: SystemDeclaration = {
      ...probeDeclaration,
      signingKeys: {},
      functions: { probeQuery: unsigned(probeDeclaration.functions.probeQuery!) },
      routes: [{ method: 'GET', path: '/probes/{id}', function: 'probeQuery' }],
      streamHosts: {},
    };
    const { app, stack } = build(declaration, { bundle: true });
    const printed: string[] = [];
    const sizes = recordBundleSizes(stack, stack.functions.values(), app.outdir, (line) =>
      printed.push(line),
    );
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs')))!;
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(
      code.startsWith("import { createRequire as topLevelCreateRequire } from 'node:module';"),
    ).toBe(true);
    expect(code).toContain('//# sourceMappingURL=index.mjs.map');
    expect(existsSync(path.join(assetDir, 'index.mjs.map'))).toBe(true);

    expect(sizes).toEqual([
      {
        function: 'probeQuery',
        asset: path.basename(assetDir),
        codeBytes: statSync(path.join(assetDir, 'index.mjs')).size,
        sourceMapBytes: statSync(path.join(assetDir, 'index.mjs.map')).size,
        compressedBytes: expect.any(Number) as number,
      },
    ]);
    expect(sizes![0]!.compressedBytes).toBeLessThan(
      sizes![0]!.codeBytes + sizes![0]!.sourceMapBytes,
    );
    expect(JSON.parse(readFileSync(path.join(app.outdir, BUNDLE_SIZES_FILE), 'utf8'))).toEqual({
      stack: 'EventSourcing-dev',
      functions: sizes,
    });
    expect(printed).toEqual([expect.stringMatching(/^bundle probeQuery: [\d.]+ KiB code/)]);
  });

  it('bundles the AWS SDK with the environment as its only credential source', () => {
    const declaration: SystemDeclaration = {
      ...probeDeclaration,
      signingKeys: {},
      functions: {
        probeQuery: {
          ...unsigned(probeDeclaration.functions.probeQuery!),
          entry: 'functions/transfers/queries.ts',
        },
      },
      routes: [{ method: 'GET', path: '/probes/{id}', function: 'probeQuery' }],
      streamHosts: {},
    };
    const { app } = build(declaration, { bundle: true });
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs')))!;
    const code = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
    expect(code).toContain('DynamoDB');
    expect(code).toContain('AWS_SESSION_TOKEN');
    // The rest of the SDK's default chain: SSO, web identity, credential processes, containers.
    for (const unused of [
      'sso-oidc',
      'AssumeRoleWithWebIdentity',
      'credential_process',
      'AWS_CONTAINER_CREDENTIALS',
    ]) {
      expect(code).not.toContain(unused);
    }
  });

  it('bundles the health check without the AWS SDK', () => {
    const declaration: SystemDeclaration = {
      tables: probeDeclaration.tables,
      buckets: {},
      signingKeys: {},
      functions: { health: systemDeclaration.functions.health! },
      routes: [{ method: 'GET', path: '/health', function: 'health' }],
      streamHosts: {},
    };
    const { app, stack } = build(declaration, { bundle: true });
    const sizes = recordBundleSizes(stack, stack.functions.values(), app.outdir, () => {});
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs.map')))!;
    const { sources } = JSON.parse(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(
      sources.some((source) => source.includes('functions/eventsourcing/http/health.ts')),
    ).toBe(true);
    expect(sources.filter((source) => /node_modules\/(@aws-sdk|@smithy)\//.test(source))).toEqual(
      [],
    );
    expect(sizes![0]!.codeBytes).toBeLessThan(50 * 1024);
  });

  it('records nothing when bundling is skipped', () => {
    const { app, stack } = build(probeDeclaration);
    expect(
      recordBundleSizes(stack, stack.functions.values(), app.outdir, () => {}),
    ).toBeUndefined();
    expect(existsSync(path.join(app.outdir, BUNDLE_SIZES_FILE))).toBe(false);
  });
});

import { Token } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ResourcePolicy } from 'aws-cdk-lib/aws-logs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  archiversOf,
  bucketNameEnvVar,
  effectiveBuckets,
  signingKeyEnvVar,
  tableNameEnvVar,
  type FunctionDeclaration,
  type SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { appendOnlyTables, findAppendOnlyViolations } from '../../functions/eventsourcing/cdk';
import type { SystemStack } from '../../lib/system-stack';
import { ITEM_CHANGING_ACTIONS } from '../../functions/eventsourcing/cdk';
import { expectedActions, expectedBucketActions } from '../support/expected-grants';
import { timerGrants, timerVariables } from '../support/expected-timers';
import {
  synthesize,
  logicalId,
  type Json,
  type TemplateJson,
  resourcesOfType,
  getAtt,
  asArray,
  declarations,
  pairs,
} from '../support/cdk-synthesis';
import { SECURE_BUCKET } from '../support/secure-bucket';

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

/**
 * Every consumer has its own parked-streams alarm and, unless it is a `batch` consumer (which
 * reports its own lag, as the global-log indexer its `GlobalLogLag`), its own lag alarm, on its
 * own dimension.
 */
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
    for (const [consumer, { kind }] of Object.entries(consumers)) {
      expect(consumerAlarm('ConsumerLag', host, consumer), `lag of ${consumer}`).toEqual(
        kind === 'batch'
          ? []
          : [expect.objectContaining({ Statistic: 'Maximum', Threshold: 60_000 })],
      );
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

// ---------------------------------------------------------------------------------------------
// Properties of the template, for the real declaration and for the probe
// ---------------------------------------------------------------------------------------------

/** The environment a declared function must get: its resources' names and its settings. */
function expectedVariables(
  stack: SystemStack,
  key: string,
  fn: FunctionDeclaration,
): Record<string, Json> {
  const tableVariables = Object.fromEntries(
    Object.keys(fn.tables).map((table) => [
      tableNameEnvVar(table),
      { Ref: logicalId(stack.tables.get(table).table) },
    ]),
  );
  const bucketVariables = Object.fromEntries(
    Object.keys(effectiveBuckets(fn, stack.buckets.declarations)).map((bucket) => [
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
  const personalDataKey: Record<string, Json> = fn.personalData
    ? { PERSONAL_DATA_KEY: getAtt(logicalId(stack.personalDataKey!.key)) }
    : {};
  return {
    NODE_OPTIONS: '--enable-source-maps',
    STAGE: 'dev',
    POWERTOOLS_SERVICE_NAME: key,
    POWERTOOLS_METRICS_NAMESPACE: 'EventSourcing/dev',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    ...tableVariables,
    ...bucketVariables,
    ...signingKeyVariables,
    ...personalDataKey,
    ...timerVariables(stack, fn),
    // What signs checkpoints names the log: the stack.
    ...(signs ? { HISTORY_LOG: stack.stackName } : {}),
    ...(fn.eventBus ? { EVENT_BUS_NAME: { Ref: logicalId(stack.integrationEvents!.bus) } } : {}),
    // HTTP functions learn who counts as an operator (defaults: no context given).
    ...(fn.trigger === 'http'
      ? { OPERATOR_GROUP: 'operators', GROUPS_CLAIM: 'cognito:groups' }
      : {}),
  };
}

/** An EventBridge rate expression, in the largest whole unit (as CDK writes it). */
function rateExpression(minutes: number): string {
  const [amount, unit] =
    minutes % 1440 === 0
      ? [minutes / 1440, 'day']
      : minutes % 60 === 0
        ? [minutes / 60, 'hour']
        : [minutes, 'minute'];
  return `rate(${amount} ${unit}${amount === 1 ? '' : 's'})`;
}

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
        ...(table.recoveryPeriodDays ? { RecoveryPeriodInDays: table.recoveryPeriodDays } : {}),
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

  it('denies every principal changing or deleting an item of an append-only table, but its archiver deleting', () => {
    for (const [key, table] of Object.entries(declaration.tables)) {
      const resource = json.Resources[logicalId(stack.tables.get(key).table)]!;
      const replica = (resource.Properties!.Replicas as Record<string, Json>[])[0]!;
      if (!table.appendOnly) {
        expect(replica.ResourcePolicy, key).toBeUndefined();
        continue;
      }
      const archiver = archiversOf(declaration.functions).find((a) => a.table === key);
      const denied = archiver
        ? ITEM_CHANGING_ACTIONS.filter((action) => action !== 'dynamodb:DeleteItem')
        : ITEM_CHANGING_ACTIONS;
      expect(replica.ResourcePolicy).toEqual({
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'EventsAreNeverChangedOrDeleted',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: [...denied].sort(),
              Resource: '*',
            },
            // Deleting is denied to all but the archiver (its role's own test is beside).
            ...(archiver
              ? [
                  {
                    Sid: 'OnlyTheArchiverDeletesArchivedEvents',
                    Effect: 'Deny',
                    Principal: { AWS: '*' },
                    Action: 'dynamodb:DeleteItem',
                    Resource: '*',
                    Condition: {
                      ArnNotEquals: {
                        'aws:PrincipalArn': getAtt(
                          logicalId(stack.functions.get(archiver.function)!.role),
                        ),
                      },
                    },
                  },
                ]
              : []),
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
      expect((properties.Environment as { Variables: Json }).Variables).toEqual(
        expectedVariables(stack, key, fn),
      );
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
      const buckets = effectiveBuckets(fn, declaration.buckets);
      const bucketGrants = Object.entries(buckets).flatMap(([bucket, access]) => {
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
      const personalDataGrants = fn.personalData
        ? pairs(
            fn.personalData === 'seal' ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
            [getAtt(logicalId(stack.personalDataKey!.key))],
          )
        : [];
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
          ...personalDataGrants,
          ...consumerGrants,
          ...timerGrants(stack, fn),
          ...(fn.eventBus
            ? pairs(['events:PutEvents'], [getAtt(logicalId(stack.integrationEvents!.bus))])
            : []),
        ].sort(),
      );
    }
  });

  it('wraps data keys with one rotating, retained KMS key, usable only under a subject context', () => {
    const users = Object.entries(declaration.functions).filter(([, fn]) => fn.personalData);
    if (!stack.personalDataKey) {
      // The probe declares no personal data: no key, and no function that needs one.
      expect(users).toEqual([]);
      return;
    }
    const keyId = logicalId(stack.personalDataKey.key);
    const key = json.Resources[keyId]!;
    expect(key.Properties!.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(users.map(([name]) => name).sort()).toEqual(
      ['accountCommands', 'accountQueries', 'orderCommands', 'orderQueries'].sort(),
    );
    for (const [name] of users) {
      const statements = Object.values(json.Resources)
        .filter((resource) => resource.Type === 'AWS::IAM::Policy')
        .filter((policy) =>
          asArray(policy.Properties!.Roles).some(
            (role) =>
              JSON.stringify(role) ===
              JSON.stringify({ Ref: logicalId(stack.functions.get(name)!.role) }),
          ),
        )
        .flatMap((policy) =>
          asArray((policy.Properties!.PolicyDocument as { Statement: Json[] }).Statement),
        )
        .filter((statement) => JSON.stringify(statement).includes(keyId)) as Record<string, Json>[];
      expect(statements, name).toHaveLength(1);
      expect(statements[0]!.Condition, name).toEqual({
        'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['subject'] },
        Null: { 'kms:EncryptionContextKeys': 'false' },
      });
    }
    const dataKeys = json.Resources[logicalId(stack.tables.get('dataKeys').table)]!;
    expect(dataKeys.DeletionPolicy).toBe('Retain');
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
      ...SECURE_BUCKET,
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
      expect(rules).toContainEqual(
        expect.objectContaining({
          ScheduleExpression: rateExpression(fn.scheduleMinutes!),
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

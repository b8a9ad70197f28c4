import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  FunctionDeclaration,
  SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { grantBucketAccess } from '../../functions/eventsourcing/cdk';
import { systemDeclaration } from '../../lib/declaration';
import { SystemStack } from '../../lib/system-stack';
import { SECURE_BUCKET } from '../support/secure-bucket';
import { readDeploymentSettings } from '../../functions/eventsourcing/cdk';

const cdkJson = JSON.parse(readFileSync(path.resolve('cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

const sealer: FunctionDeclaration = {
  description: 'Writes checkpoints',
  entry: 'functions/system.ts',
  handler: 'tableNameEnvVar',
  trigger: 'schedule',
  scheduleMinutes: 5,
  memoryMb: 256,
  timeoutSeconds: 30,
  tables: {},
  buckets: { checkpoints: 'writeOnce' },
};

/** The real declaration with a function writing checkpoints and a plain bucket beside. */
const withSealer: SystemDeclaration = {
  ...systemDeclaration,
  buckets: { ...systemDeclaration.buckets, exports: { description: 'Plain objects' } },
  functions: { ...systemDeclaration.functions, sealer },
};

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function build(declaration: SystemDeclaration, context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-buckets-'));
  outdirs.push(outdir);
  const bundle = context.bundle === true;
  const app = new App({
    outdir,
    context: {
      ...cdkJson.context,
      ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const settings = readDeploymentSettings(app.node);
  const stack = new SystemStack(app, 'EventSourcing-dev', { settings, declaration });
  return { app, stack, template: Template.fromStack(stack) };
}

const logicalId = (construct: IConstruct): string => {
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
};

describe('declared buckets in the stack', () => {
  const { stack, template } = build(withSealer);
  const checkpoints = logicalId(stack.buckets.get('checkpoints').bucket);
  const exports = logicalId(stack.buckets.get('exports').bucket);
  const objects = (id: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/*']] });

  it('lock a write-once bucket in compliance mode, versioned, private, encrypted, logged and retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
        ...SECURE_BUCKET,
        LoggingConfiguration: {
          DestinationBucketName: { Ref: Match.anyValue() },
          LogFilePrefix: 'checkpoints/',
        },
      },
    });
    const buckets = template.findResources('AWS::S3::Bucket') as Record<
      string,
      { Properties: { ObjectLockEnabled?: boolean } }
    >;
    expect(buckets[checkpoints]!.Properties.ObjectLockEnabled).toBe(true);
    expect(buckets[exports]!.Properties.ObjectLockEnabled).toBeUndefined();
  });

  it('let no principal delete from a write-once bucket, loosen its locks, or put without If-None-Match', () => {
    const policy = Object.values(
      template.findResources('AWS::S3::BucketPolicy', {
        Properties: { Bucket: { Ref: checkpoints } },
      }),
    )[0] as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } };
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toContainEqual({
      Sid: 'WriteOnceKeepsEveryObject',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        's3:BypassGovernanceRetention',
        's3:DeleteObject',
        's3:DeleteObjectVersion',
        's3:PutBucketObjectLockConfiguration',
        's3:PutObjectLegalHold',
        's3:PutObjectRetention',
      ],
      Resource: [{ 'Fn::GetAtt': [checkpoints, 'Arn'] }, objects(checkpoints)],
    });
    expect(statements).toContainEqual({
      Sid: 'WriteOnceTakesConditionalCreatesOnly',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Resource: objects(checkpoints),
      Condition: { Null: { 's3:if-none-match': 'true' } },
    });
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );
    const plain = template.findResources('AWS::S3::BucketPolicy', {
      Properties: { Bucket: { Ref: exports } },
    });
    expect(JSON.stringify(plain)).not.toContain('WriteOnce');
  });

  it('give a function its bucket by name and exactly its declared access', () => {
    const fn = stack.functions.get('sealer')!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Writes checkpoints',
      Environment: { Variables: Match.objectLike({ BUCKET_CHECKPOINTS: { Ref: checkpoints } }) },
    });
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: logicalId(fn.role) }] },
    });
    const statements = Object.values(policies).flatMap(
      (policy) =>
        (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );
    expect(
      statements.filter((statement) => JSON.stringify(statement.Action).includes('s3:')),
    ).toEqual([
      { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects(checkpoints) },
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: { 'Fn::GetAtt': [checkpoints, 'Arn'] },
      },
    ]);
  });

  it('output each bucket name', () => {
    template.hasOutput('CheckpointsBucketName', { Value: { Ref: checkpoints } });
    template.hasOutput('ExportsBucketName', { Value: { Ref: exports } });
  });

  it('refuse readWrite on a write-once bucket even when asked directly', () => {
    const fn = stack.functions.get('sealer')!;
    expect(() => grantBucketAccess(fn.role, stack.buckets.get('checkpoints'), 'readWrite')).toThrow(
      /write-once: readWrite access cannot be granted/,
    );
  });
});

describe('the checkpointRetentionDays setting', () => {
  it('sets the default retention of write-once buckets', () => {
    const { template } = build(withSealer, { checkpointRetentionDays: '3650' });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 3650 } } },
    });
  });

  it.each(['0', '-1', '1.5', 'year', '36501'])('refuses %s', (days) => {
    expect(() => build(withSealer, { checkpointRetentionDays: days })).toThrow(
      /checkpointRetentionDays/,
    );
  });
});

describe('bundles', () => {
  // Every reader of events may read archived ones: only a function without them goes without S3.
  it('carry the S3 client only when their code imports it', () => {
    const declaration: SystemDeclaration = {
      ...systemDeclaration,
      signingKeys: {},
      functions: { health: systemDeclaration.functions.health! },
      routes: systemDeclaration.routes.filter((route) => route.function === 'health'),
      streamHosts: {},
    };
    const { app } = build(declaration, { bundle: true });
    const assetDir = readdirSync(app.outdir)
      .map((entry) => path.join(app.outdir, entry))
      .find((entry) => entry.includes('asset.') && existsSync(path.join(entry, 'index.mjs.map')))!;
    const { sources } = JSON.parse(readFileSync(path.join(assetDir, 'index.mjs.map'), 'utf8')) as {
      sources: string[];
    };
    expect(sources.some((source) => source.includes('http/health.ts'))).toBe(true);
    expect(sources.filter((source) => /client-s3|s3-client/.test(source))).toEqual([]);
  });
});

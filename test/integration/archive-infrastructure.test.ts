import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { findAppendOnlyViolations } from '../../functions/eventsourcing/cdk';
import { bucketNameEnvVar } from '../../functions/eventsourcing/declaration';
import { systemDeclaration } from '../../lib/declaration';
import type { SystemStack } from '../../lib/system-stack';
import {
  asArray,
  build,
  getAtt,
  logicalId,
  resourcesOfType,
  synthesize,
  type Json,
  type Resource,
  type TemplateJson,
} from '../support/cdk-synthesis';
import { SECURE_BUCKET } from '../support/secure-bucket';

type Statement = Record<string, Json>;

/** The Allow statements of the identity policies attached to a role, by the role's logical id. */
function statementsOf(json: TemplateJson, roleId: string): Statement[] {
  return resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      asArray(policy.Properties!.Roles as Json[]).some(
        (role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap(([, policy]) => policyStatements(policy));
}

const policyStatements = (policy: Resource) =>
  asArray((policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);

const actionsOf = (statement: Statement) => asArray(statement.Action as string | string[]);

/** The real system, synthesized once for the template's properties and the check's cases. */
const real = synthesize(systemDeclaration);

describe('the archive in the template', () => {
  const { stack, json, template } = real;
  const archive = logicalId(stack.buckets.get('archive').bucket);
  const events = logicalId(stack.tables.get('events').table);
  const archiver = stack.functions.get('archiveStreams')!;
  const archiverRole = logicalId(archiver.role);
  const objects = { 'Fn::Join': ['', [getAtt(archive), '/*']] };

  it('is a write-once bucket, versioned, encrypted, locked as long as the checkpoints, aging to Standard-IA then Glacier Instant Retrieval', () => {
    expect(json.Resources[archive]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        ...SECURE_BUCKET,
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } },
        },
        LifecycleConfiguration: {
          Rules: [
            {
              Status: 'Enabled',
              Transitions: [
                { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
                { StorageClass: 'GLACIER_IR', TransitionInDays: 90 },
              ],
            },
          ],
        },
      },
    });
    const policy = resourcesOfType(json, 'AWS::S3::BucketPolicy').find(
      ([, resource]) => JSON.stringify(resource.Properties!.Bucket) === `{"Ref":"${archive}"}`,
    )!;
    expect(policyStatements(policy[1]).map((statement) => statement.Sid)).toEqual(
      expect.arrayContaining(['WriteOnceKeepsEveryObject', 'WriteOnceTakesConditionalCreatesOnly']),
    );
  });

  it('is written by the archiver every hour, which alone may delete events, and only DeleteItem', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Targets: [Match.objectLike({ Arn: getAtt(logicalId(archiver.function)) })],
    });
    expect(statementsOf(json, archiverRole)).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: [
            'dynamodb:DeleteItem',
            'dynamodb:GetItem',
            'dynamodb:PutItem',
            'dynamodb:Query',
            'dynamodb:Scan',
          ],
          Resource: getAtt(events),
        },
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects },
      ]),
    );
    const deleters = resourcesOfType(json, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        policyStatements(policy).some(
          (statement) =>
            actionsOf(statement).some((action) => /^dynamodb:(\*|Delete)/.test(action)) &&
            JSON.stringify(statement.Resource).includes(events),
        ),
      )
      .map(([, policy]) => policy.Properties!.Roles);
    expect(deleters).toEqual([[{ Ref: archiverRole }]]);
    expect(json.Resources[archiverRole]!.Metadata).toMatchObject({
      'eventsourcing:archiverOf': events,
    });
  });

  it("keeps the events table's deny for everyone, with one named exception: the archiver's DeleteItem", () => {
    const replica = (json.Resources[events]!.Properties!.Replicas as Statement[])[0]!;
    const statements = (replica.ResourcePolicy as { PolicyDocument: { Statement: Statement[] } })
      .PolicyDocument.Statement;
    const unconditional = statements.filter((statement) => !statement.Condition);
    expect(unconditional.flatMap(actionsOf)).toEqual(
      expect.arrayContaining([
        'dynamodb:UpdateItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:PartiQLUpdate',
        'dynamodb:PartiQLDelete',
      ]),
    );
    expect(statements.filter((statement) => statement.Condition)).toEqual([
      {
        Sid: 'OnlyTheArchiverDeletesArchivedEvents',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'dynamodb:DeleteItem',
        Resource: '*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': getAtt(archiverRole) } },
      },
    ]);
    expect(statements.every((statement) => statement.Effect === 'Deny')).toBe(true);
  });

  it('is read by every function and stream host with access to the events table, by name', () => {
    const readers = Object.entries(systemDeclaration.functions).filter(
      ([key, fn]) => fn.tables.events && key !== 'archiveStreams',
    );
    expect(readers.length).toBeGreaterThan(5);
    for (const [key, fn] of Object.entries(systemDeclaration.functions)) {
      const created = stack.functions.get(key)!;
      const variables = (
        json.Resources[logicalId(created.function)]!.Properties!.Environment as {
          Variables: Record<string, Json>;
        }
      ).Variables;
      const gets = statementsOf(json, logicalId(created.role)).filter(
        (statement) =>
          asArray(statement.Resource).some(
            (resource) => JSON.stringify(resource) === JSON.stringify(objects),
          ) && actionsOf(statement).includes('s3:GetObject'),
      );
      const reads = fn.tables.events !== undefined;
      expect(gets, key).toHaveLength(reads ? 1 : 0);
      expect(variables[bucketNameEnvVar('archive')], key).toEqual(
        reads ? { Ref: archive } : undefined,
      );
    }
  });
});

describe('the append-only check with an archiver', () => {
  const { stack, json } = real;
  const archiverRole = logicalId(stack.functions.get('archiveStreams')!.role);
  const otherRole = logicalId(stack.functions.get('accountQueries')!.role);
  const events = getAtt(logicalId(stack.tables.get('events').table));

  /** The template with one more statement in a policy of `roleId`. */
  function withStatement(roleId: string, statement: Statement): TemplateJson {
    const changed = structuredClone(json);
    const [, policy] = resourcesOfType(changed, 'AWS::IAM::Policy').find(([, resource]) =>
      JSON.stringify(resource.Properties!.Roles).includes(roleId),
    )!;
    policyStatements(policy).push(statement);
    return changed;
  }
  const allow = (Action: string[]) => ({ Effect: 'Allow', Action, Resource: events });

  it('accepts the archiver deleting events and nothing else', () => {
    expect(findAppendOnlyViolations(json)).toEqual([]);
  });

  it.each([
    ['UpdateItem', ['dynamodb:UpdateItem']],
    ['BatchWriteItem', ['dynamodb:BatchWriteItem']],
    ['PartiQL deletes', ['dynamodb:PartiQLDelete']],
    ['a wildcard over deletes', ['dynamodb:Delete*']],
  ])('fails when the archiver may also use %s', (_name, actions) => {
    expect(findAppendOnlyViolations(withStatement(archiverRole, allow(actions)))).toEqual([
      expect.objectContaining({ actions }),
    ]);
  });

  it('fails when any other role may delete events', () => {
    expect(
      findAppendOnlyViolations(withStatement(otherRole, allow(['dynamodb:DeleteItem']))),
    ).toEqual([expect.objectContaining({ actions: ['dynamodb:DeleteItem'] })]);
  });

  it('fails when the archiver shares its policy with another role', () => {
    const changed = structuredClone(json);
    const [, policy] = resourcesOfType(changed, 'AWS::IAM::Policy').find(([, resource]) =>
      JSON.stringify(resource.Properties!.Roles).includes(archiverRole),
    )!;
    (policy.Properties!.Roles as Json[]).push({ Ref: otherRole });
    expect(findAppendOnlyViolations(changed)).toEqual([
      expect.objectContaining({ actions: ['dynamodb:DeleteItem'] }),
    ]);
  });

  it('fails when a second role is marked archiver of the events table', () => {
    const changed = structuredClone(json);
    changed.Resources[otherRole]!.Metadata = json.Resources[archiverRole]!.Metadata!;
    expect(findAppendOnlyViolations(changed)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: expect.stringMatching(/one role at most/) as string }),
      ]),
    );
  });
});

describe('the archive settings', () => {
  const archiveBucket = (stack: SystemStack, json: TemplateJson) =>
    json.Resources[logicalId(stack.buckets.get('archive').bucket)]!.Properties!;
  const retention = (days: number) => ({
    ObjectLockConfiguration: {
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: days } },
    },
  });

  it('lock the archive as long as the checkpoints unless archiveRetentionDays says otherwise', () => {
    const following = synthesize(systemDeclaration, {
      context: { checkpointRetentionDays: '730', archiveMinutes: '30' },
    });
    expect(archiveBucket(following.stack, following.json)).toMatchObject(retention(730));
    following.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      Targets: [
        Match.objectLike({
          Arn: getAtt(logicalId(following.stack.functions.get('archiveStreams')!.function)),
        }),
      ],
    });
    const own = synthesize(systemDeclaration, { context: { archiveRetentionDays: '3650' } });
    expect(archiveBucket(own.stack, own.json)).toMatchObject(retention(3650));
    const checkpoints = own.json.Resources[logicalId(own.stack.buckets.get('checkpoints').bucket)]!;
    expect(checkpoints.Properties).toMatchObject(retention(365));
  });

  it.each(['0', 'decade', '36501'])('refuse archiveRetentionDays=%s', (days) => {
    expect(() => build(systemDeclaration, { context: { archiveRetentionDays: days } })).toThrow(
      /archiveRetentionDays/,
    );
  });
});

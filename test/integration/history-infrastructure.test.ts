import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, describe, expect, it } from 'vitest';
import { declarationProblems } from '../../functions/eventsourcing/declaration';
import { systemDeclaration } from '../../lib/declaration';
import { SystemStack } from '../../lib/system-stack';
import { readDeploymentSettings } from '../../functions/eventsourcing/cdk';

const cdkJson = JSON.parse(readFileSync(path.resolve('cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function build(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-history-'));
  outdirs.push(outdir);
  const app = new App({
    outdir,
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [], ...context },
  });
  const settings = readDeploymentSettings(app.node);
  const stack = new SystemStack(app, 'EventSourcing-dev', { settings });
  return { stack, template: Template.fromStack(stack) };
}

const logicalId = (construct: IConstruct): string => {
  const stack = Stack.of(construct);
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return String(stack.resolve(stack.getLogicalId(element)));
};

describe('verifiable history in the template', () => {
  const { stack, template } = build();
  const key = stack.signingKeys.get('checkpoints').kmsKey;
  const sealer = stack.functions.get('sealCheckpoints')!;

  it('signs checkpoints with a retained asymmetric P-256 KMS key', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('outputs the key ARN and the public key read at deployment', () => {
    template.hasOutput('CheckpointsSigningKeyArn', {
      Value: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
    });
    const resources = template.findResources('Custom::SigningPublicKey');
    const [id, resource] = Object.entries(resources)[0]!;
    expect(resource.Properties).toMatchObject({
      SigningKey: 'checkpoints',
      KeyArn: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
    });
    template.hasOutput('CheckpointsPublicKey', { Value: { 'Fn::GetAtt': [id, 'PublicKeyPem'] } });
  });

  it('lets the public key reader only read the public key', () => {
    const reader = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes('kms:GetPublicKey'),
    );
    const kmsStatements = reader.flatMap((policy) =>
      (
        policy.Properties as { PolicyDocument: { Statement: { Action: unknown }[] } }
      ).PolicyDocument.Statement.filter((statement) =>
        JSON.stringify(statement.Action).includes('kms:'),
      ),
    );
    expect(kmsStatements.map((statement) => statement.Action).sort()).toEqual([
      'kms:GetPublicKey',
      ['kms:GetPublicKey', 'kms:Sign'],
    ]);
  });

  it('runs the sealer every 5 minutes, with the stack as the name of the log', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(sealer.function), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          HISTORY_LOG: 'EventSourcing-dev',
          SIGNING_KEY_CHECKPOINTS: { 'Fn::GetAtt': [logicalId(key), 'Arn'] },
        }),
      },
    });
  });

  it('takes another sealing interval from checkpointMinutes, and refuses a bad one', () => {
    const rebuilt = build({ checkpointMinutes: '15' });
    const sealerArn = {
      'Fn::GetAtt': [logicalId(rebuilt.stack.functions.get('sealCheckpoints')!.function), 'Arn'],
    };
    rebuilt.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [Match.objectLike({ Arn: sealerArn })],
    });
    for (const bad of ['0', 'often', '1441']) {
      expect(() => build({ checkpointMinutes: bad })).toThrow(/checkpointMinutes/);
    }
  });

  it('refuses a function using a signing key nobody declared', () => {
    expect(
      declarationProblems({
        ...systemDeclaration,
        signingKeys: {},
      }),
    ).toContain('function sealCheckpoints uses undeclared signing key checkpoints');
  });
});

import path from 'node:path';
import { schedulesArn } from '../support/expected-timers';
import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type {
  FunctionDeclaration,
  SystemDeclaration,
} from '../../functions/eventsourcing/declaration';
import { TIMER_VARIABLES } from '../../functions/eventsourcing/timers';
import {
  asArray,
  build,
  getAtt,
  logicalId,
  probeDeclaration,
  resourcesOfType,
  synthesize,
  type Json,
  type TemplateJson,
} from '../support/cdk-synthesis';

/** The probe system with a timer target that sets timers itself, and a command that does. */
const timersDeclaration: SystemDeclaration = {
  ...probeDeclaration,
  functions: {
    ...probeDeclaration.functions,
    probeCommand: { ...probeDeclaration.functions.probeCommand!, timers: 'schedule' },
    probeTimers: {
      description: 'Receives timers',
      entry: 'functions/system.ts',
      handler: 'tableNameEnvVar',
      trigger: 'timers',
      timers: 'schedule',
      memoryMb: 256,
      timeoutSeconds: 30,
      tables: { events: 'append' },
    } satisfies FunctionDeclaration,
  },
};

/** The roles given `action` by some policy of the template, sorted. */
const rolesAllowed = (json: TemplateJson, action: string): Json[] =>
  resourcesOfType(json, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      JSON.stringify(policy.Properties!.PolicyDocument).includes(`"${action}`),
    )
    .flatMap(([, policy]) => asArray(policy.Properties!.Roles as Json[]))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe('timers in the template', () => {
  const { stack, json, template } = synthesize(timersDeclaration);
  const timers = stack.timers!;
  const group = stack.resolve(stack.getLogicalId(timers.group)) as string;
  const queue = logicalId(timers.deadLetters);
  const schedulerRole = logicalId(timers.role);
  const target = stack.functions.get('probeTimers')!;
  const targetFunction = logicalId(target.function);
  const targetName = json.Resources[targetFunction]!.Properties!.FunctionName as string;
  const targetArn = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':lambda:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:function:${targetName}`,
      ],
    ],
  };

  it('has one schedule group and a dead-letter queue, encrypted, TLS only, kept 14 days, alarmed on', () => {
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    expect(json.Resources[queue]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: getAtt(queue, 'QueueName') }],
      Threshold: 1,
      AlarmActions: Match.anyValue(),
    });
  });

  it('lets Scheduler, from this account only, invoke the timer target and send to the queue, nothing else', () => {
    expect(json.Resources[schedulerRole]!.Properties!.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
        },
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: schedulerRole }],
      PolicyDocument: {
        Statement: [
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: targetArn },
          { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: getAtt(queue) },
        ],
      },
    });
    expect(rolesAllowed(json, 'lambda:InvokeFunction')).toEqual([{ Ref: schedulerRole }]);
    expect(targetName).toMatch(/^[A-Za-z0-9-_]{1,64}$/);
  });

  it('lets each function that sets timers manage the schedules of its group and pass the role to Scheduler alone', () => {
    const schedules = schedulesArn(group);

    const schedulingRoles = ['probeCommand', 'probeTimers'].map((key) => ({
      Ref: logicalId(stack.functions.get(key)!.role),
    }));
    for (const role of schedulingRoles) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [role],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: [
                'scheduler:CreateSchedule',
                'scheduler:DeleteSchedule',
                'scheduler:GetSchedule',
                'scheduler:UpdateSchedule',
              ],
              Effect: 'Allow',
              Resource: schedules,
            },
            {
              Action: 'iam:PassRole',
              Effect: 'Allow',
              Resource: getAtt(schedulerRole),
              Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
            },
          ]),
        },
      });
    }
    const sorted = [...schedulingRoles].sort((a, b) => a.Ref.localeCompare(b.Ref));
    expect(rolesAllowed(json, 'scheduler:')).toEqual(sorted);
    expect(rolesAllowed(json, 'iam:PassRole')).toEqual(sorted);
    for (const key of ['probeCommand', 'probeTimers']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            [TIMER_VARIABLES.group]: { Ref: group },
            [TIMER_VARIABLES.targetArn]: targetArn,
            [TIMER_VARIABLES.roleArn]: getAtt(schedulerRole),
            [TIMER_VARIABLES.deadLetterArn]: getAtt(queue),
          }),
        },
        Description: timersDeclaration.functions[key]!.description,
      });
    }
  });

  it('names the timer target, which refers to itself nowhere (no circular dependency)', () => {
    const properties = JSON.stringify(json.Resources[targetFunction]!.Properties);
    expect(properties).not.toContain(`"${targetFunction}"`);
  });

  it('is clean under cdk-nag', () => {
    const { app } = build(timersDeclaration, { checks: true });
    const assembly = app.synth();
    const report = JSON.parse(
      readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'),
    ) as { pluginReports: unknown[] };
    expect(report.pluginReports).toEqual([]);
  });

  it('is not there when no function receives timers', () => {
    const plain = synthesize(probeDeclaration);
    expect(plain.stack.timers).toBeUndefined();
    plain.template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 0);
    plain.template.resourceCountIs('AWS::SQS::Queue', 0);
  });
});

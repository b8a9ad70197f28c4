import type { FunctionDeclaration } from '../../functions/eventsourcing/declaration';
import { TIMER_VARIABLES } from '../../functions/eventsourcing/timers';
import type { SystemStack } from '../../lib/system-stack';
import { getAtt, logicalId, pairs, type Json } from './cdk-synthesis';

/** The ARN pattern of every schedule in the group `group` (a logical id). */
export const schedulesArn = (group: string): Json => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':scheduler:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':schedule/',
      { Ref: group },
      '/*',
    ],
  ],
});

/** What a function that sets timers learns: where schedules go and what they invoke. */
export function timerVariables(stack: SystemStack, fn: FunctionDeclaration): Record<string, Json> {
  if (!fn.timers) return {};
  const timers = stack.timers!;
  return {
    [TIMER_VARIABLES.group]: { Ref: stack.resolve(stack.getLogicalId(timers.group)) as string },
    [TIMER_VARIABLES.targetArn]: stack.resolve(timers.targetArn) as Json,
    [TIMER_VARIABLES.roleArn]: getAtt(logicalId(timers.role)),
    [TIMER_VARIABLES.deadLetterArn]: getAtt(logicalId(timers.deadLetters)),
  };
}

/** A function that sets timers manages the schedules of the group, handing them the role. */
export function timerGrants(stack: SystemStack, fn: FunctionDeclaration): string[] {
  if (!fn.timers) return [];
  const timers = stack.timers!;
  const schedules = schedulesArn(stack.resolve(stack.getLogicalId(timers.group)) as string);

  return [
    ...pairs(['iam:PassRole'], [getAtt(logicalId(timers.role))]),
    ...pairs(
      [
        'scheduler:CreateSchedule',
        'scheduler:DeleteSchedule',
        'scheduler:GetSchedule',
        'scheduler:UpdateSchedule',
      ],
      [schedules],
    ),
  ];
}

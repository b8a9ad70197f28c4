import { Aws, Duration, Names, RemovalPolicy, Stack, Validations, ArnFormat } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { TIMER_VARIABLES } from '../timers/timer-environment.js';
import type { FunctionDeclaration } from '../declaration/index.js';
import type { SystemFunction } from './functions.js';
import { FIVE_MINUTES } from './monitoring-widgets.js';
import type { SystemMonitoring } from './monitoring.js';

const SCHEDULER_SERVICE = 'scheduler.amazonaws.com';

/**
 * The physical name of the timer target function. Named, not generated: schedules address it by
 * ARN, and a target that schedules timers itself could not otherwise learn its own ARN (a
 * function whose environment refers to itself is a circular dependency).
 */
export const timerTargetName = (fn: IConstruct): string =>
  Names.uniqueResourceName(fn, { maxLength: 64 });

/**
 * What timers need in AWS: a schedule group holding every timer, a role EventBridge Scheduler
 * assumes (only from this account) that may invoke the timer target and nothing else, and a
 * dead-letter queue (encrypted, TLS only, messages kept 14 days) for timers whose deliveries kept
 * failing, with the reason in each message's attributes.
 */
export class TimerResources extends Construct {
  readonly group: CfnScheduleGroup;
  readonly deadLetters: Queue;
  readonly role: Role;
  readonly targetArn: string;

  constructor(scope: Construct, id: string, props: { readonly target: SystemFunction }) {
    super(scope, id);
    const stack = Stack.of(this);
    this.group = new CfnScheduleGroup(this, 'Group');
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.deadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter queue of the timer schedules: what lands here stays 14 days for an operator, and an alarm fires on any message.',
    });
    this.targetArn = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: timerTargetName(props.target),
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal(SCHEDULER_SERVICE, {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `Lets EventBridge Scheduler deliver timers to ${props.target.key}`,
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.targetArn] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.queueArn] }),
    );
  }

  /** Alarms when any timer waits in the dead-letter queue. */
  monitor(monitoring: SystemMonitoring): void {
    monitoring.alarm(
      'TimerDeadLetters',
      'A timer could not be delivered after its retries: it waits in the timer dead-letter queue',
      this.deadLetters.metricApproximateNumberOfMessagesVisible({
        period: FIVE_MINUTES,
        statistic: 'Maximum',
      }),
    );
  }

  /**
   * Lets a function create, replace, read and delete the schedules of the timers' group, and
   * hand Scheduler the timers' role (to Scheduler only), and tells it where timers go.
   */
  grantScheduling(fn: SystemFunction): void {
    const stack = Stack.of(this);
    const groupName = this.group.ref;
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:GetSchedule',
        ],
        resources: [schedules],
      }),
    );
    fn.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': SCHEDULER_SERVICE } },
      }),
    );
    const groupId = String(stack.resolve(stack.getLogicalId(this.group)));
    Validations.of(fn.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${groupId}>/*]`,
      reason:
        'Each timer is a schedule named when it is set; the wildcard covers only the schedules of the timers group, which holds nothing else.',
    });
    fn.function.addEnvironment(TIMER_VARIABLES.group, groupName);
    fn.function.addEnvironment(TIMER_VARIABLES.targetArn, this.targetArn);
    fn.function.addEnvironment(TIMER_VARIABLES.roleArn, this.role.roleArn);
    fn.function.addEnvironment(TIMER_VARIABLES.deadLetterArn, this.deadLetters.queueArn);
  }
}

/**
 * The timers' resources when a function receives timers, with the right to set them for each
 * function declared to; nothing when no function receives them.
 */
export function connectTimers(
  scope: Construct,
  declared: Readonly<Record<string, FunctionDeclaration>>,
  functions: ReadonlyMap<string, SystemFunction>,
): TimerResources | undefined {
  const entries = Object.entries(declared);
  const target = entries.find(([, fn]) => fn.trigger === 'timers');
  if (!target) return undefined;
  const timers = new TimerResources(scope, 'Timers', { target: functions.get(target[0])! });
  for (const [key, fn] of entries) {
    if (fn.timers === 'schedule') timers.grantScheduling(functions.get(key)!);
  }
  return timers;
}

import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { EventBus, Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { integrationSources } from '../functions/integration/contract';

export interface IntegrationEventsProps {
  readonly stage: string;
  readonly logRetention: RetentionDays;
}

/**
 * The EventBridge bus other systems subscribe to for this system's public integration events
 * (`functions/integration/contract.ts`), with an example subscription: a rule keeping every
 * account event in a log group. Only functions declared with `eventBus: 'integration'` may put
 * events on it.
 */
export class IntegrationEvents extends Construct {
  readonly bus: EventBus;
  readonly accountEventsRule: Rule;
  readonly accountEventsLog: LogGroup;

  constructor(scope: Construct, id: string, props: IntegrationEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      description: `Public integration events of the event-sourcing system (${props.stage})`,
    });

    this.accountEventsLog = new LogGroup(this, 'AccountEventsLog', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.accountEventsRule = new Rule(this, 'AccountEventsRule', {
      eventBus: this.bus,
      description: 'Example subscription: every account event, kept in a log group',
      eventPattern: { source: [integrationSources.accounts] },
      targets: [logGroupTarget(this.accountEventsLog)],
    });
    // EventBridge writes to a log group under the log group's resource policy (a native
    // AWS::Logs::ResourcePolicy), limited here to this rule.
    this.accountEventsLog.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.accountEventsLog.logGroupArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.accountEventsRule.ruleArn } },
      }),
    );
  }
}

/**
 * A rule target delivering whole events to a log group. `aws-events-targets.CloudWatchLogGroup`
 * would install the same resource policy through a custom-resource Lambda; the policy is
 * declared natively above instead.
 */
function logGroupTarget(logGroup: LogGroup): IRuleTarget {
  return {
    bind: () => ({
      arn: Stack.of(logGroup).formatArn({
        service: 'logs',
        resource: 'log-group',
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        resourceName: logGroup.logGroupName,
      }),
    }),
  };
}

import { ArnFormat, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IntegrationBus } from '../functions/eventsourcing/cdk';
import { integrationSources } from '../functions/integration/contract';

/** The example subscription to the integration bus: every account event, kept in a log group. */
export interface AccountEventsLog {
  readonly rule: Rule;
  readonly logGroup: LogGroup;
}

/**
 * A rule target delivering whole events to a log group. `aws-events-targets.CloudWatchLogGroup`
 * would install the same resource policy through a custom-resource Lambda; the policy is
 * declared natively below instead.
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

/**
 * Subscribes a log group to every account event on the integration bus (`contract.ts`), as an
 * example of a subscription, and outputs its name.
 */
export function logAccountEvents(
  integration: IntegrationBus,
  logRetention: RetentionDays,
): AccountEventsLog {
  const logGroup = new LogGroup(integration, 'AccountEventsLog', {
    retention: logRetention,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const rule = new Rule(integration, 'AccountEventsRule', {
    eventBus: integration.bus,
    description: 'Example subscription: every account event, kept in a log group',
    eventPattern: { source: [integrationSources.accounts] },
    targets: [logGroupTarget(logGroup)],
  });
  // EventBridge writes to a log group under the log group's resource policy (a native
  // AWS::Logs::ResourcePolicy), limited here to this rule.
  logGroup.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
      conditions: { ArnEquals: { 'aws:SourceArn': rule.ruleArn } },
    }),
  );
  new CfnOutput(Stack.of(integration), 'AccountEventsLogGroupName', {
    description: 'Log group the example rule writes every account event to',
    value: logGroup.logGroupName,
  });
  return { rule, logGroup };
}

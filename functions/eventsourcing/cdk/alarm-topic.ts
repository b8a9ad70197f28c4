import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

/**
 * The SNS topic every alarm notifies, encrypted with a rotating key CloudWatch may use, with
 * the optional e-mail subscription. Created in `scope` (the monitoring construct), so the ids
 * `AlarmTopicKey` and `AlarmTopic` stay where they are in the template.
 */
export function createAlarmTopic(
  scope: Construct,
  { stage, alarmEmail }: { readonly stage: string; readonly alarmEmail?: string },
): Topic {
  const key = new Key(scope, 'AlarmTopicKey', {
    description: `Encrypts alarm notifications (${stage})`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  key.grant(
    new ServicePrincipal('cloudwatch.amazonaws.com'),
    'kms:Decrypt',
    'kms:GenerateDataKey*',
  );
  const topic = new Topic(scope, 'AlarmTopic', {
    displayName: `Event sourcing alarms (${stage})`,
    masterKey: key,
    enforceSSL: true,
  });
  // The topic policy `enforceSSL` creates replaces SNS's default one, which let the account
  // publish: without this statement no alarm could notify anyone.
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'CloudWatchAlarmsOfThisAccountPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
        },
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      },
    }),
  );
  if (alarmEmail) topic.addSubscription(new EmailSubscription(alarmEmail));
  return topic;
}

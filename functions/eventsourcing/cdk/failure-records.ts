import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { DlqDestinationConfig, IEventSourceDlq, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { secureBucketDefaults } from './secure-buckets.js';

/** Id of the bucket's request-metrics filter: `AWS/S3` `PutRequests` count failure records. */
export const failureRecordsMetricsFilter = 'FailureRecords';

/**
 * The on-failure destination of every stream host: an S3 bucket. Unlike SQS or SNS, which
 * receive only a pointer to the failed batch (shard and sequence numbers that DynamoDB Streams
 * forgets after 24 hours), S3 receives the full invocation record, batch payload included,
 * and keeps it until an operator has re-driven it. Encrypted, private, TLS only, versioned,
 * kept when the stack is deleted, and its access is logged to a second bucket.
 */
export class FailureRecords extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const accessLogs = new Bucket(this, 'AccessLogs', {
      ...secureBucketDefaults,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ expiration: Duration.days(365) }],
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...secureBucketDefaults,
      versioned: true,
      removalPolicy: RemovalPolicy.RETAIN,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'failure-records/',
      metrics: [{ id: failureRecordsMetricsFilter }],
    });
  }

  /** The destination for one event source mapping; its function may only add records. */
  destination(): IEventSourceDlq {
    const bucket = this.bucket;
    const stack = Stack.of(bucket);
    const bucketId: unknown = stack.resolve(
      stack.getLogicalId(bucket.node.defaultChild as CfnBucket),
    );
    return {
      bind(_mapping, handler: IFunction): DlqDestinationConfig {
        handler.addToRolePolicy(
          new PolicyStatement({
            actions: ['s3:PutObject'],
            resources: [bucket.arnForObjects('*')],
          }),
        );
        handler.addToRolePolicy(
          new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        );
        if (handler.role) {
          Validations.of(handler.role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${String(bucketId)}.Arn>/*]`,
            reason:
              'Lambda chooses the key of each failure record itself; the bucket holds nothing but failure records, and the role may only add objects to it (no read, no delete; versioning keeps any overwritten record).',
          });
        }
        return { destination: bucket.bucketArn };
      },
    };
  }
}

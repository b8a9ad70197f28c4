import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Bucket, ObjectLockRetention, StorageClass } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { BucketDeclaration, BucketTransition } from '../declaration/index.js';
import { secureBucketDefaults } from './secure-buckets.js';
import { InvalidDeclarationError } from '../declaration/errors.js';
import { retentionDaysOf } from './settings.js';

export interface DeclaredBucket {
  readonly key: string;
  readonly declaration: BucketDeclaration;
  readonly bucket: Bucket;
}

export interface SystemBucketsProps {
  readonly buckets: Readonly<Record<string, BucketDeclaration>>;
  /**
   * Default retention, in compliance mode, of every object in a write-once bucket without a
   * `retentionSetting` of its own given in the context.
   */
  readonly checkpointRetentionDays: number;
}

/** What no principal may do to a write-once bucket: delete, or loosen its locks. */
export const WRITE_ONCE_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
  's3:PutBucketObjectLockConfiguration',
];

/**
 * Object Lock in compliance mode keeps every version of an object for the retention period,
 * even from the root user; versioning alone would still let a put hide the object behind a new
 * version, or a delete behind a marker. So the bucket policy also refuses deletes, changes to the
 * locks, and any put that is not a conditional create (S3 condition key `s3:if-none-match`,
 * absent from a put without `If-None-Match: *`): what is written stays the current version.
 */
function makeWriteOnce(bucket: Bucket): void {
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'WriteOnceKeepsEveryObject',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: WRITE_ONCE_DENIED_ACTIONS,
      resources: [bucket.bucketArn, bucket.arnForObjects('*')],
    }),
  );
  bucket.addToResourcePolicy(
    new PolicyStatement({
      sid: 'WriteOnceTakesConditionalCreatesOnly',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: ['s3:PutObject'],
      resources: [bucket.arnForObjects('*')],
      conditions: { Null: { 's3:if-none-match': 'true' } },
    }),
  );
}

const storageClasses: Readonly<Record<BucketTransition['storageClass'], StorageClass>> = {
  STANDARD_IA: StorageClass.INFREQUENT_ACCESS,
  GLACIER_IR: StorageClass.GLACIER_INSTANT_RETRIEVAL,
};

/** The declared storage-class steps as one lifecycle rule, if there are any. */
const lifecycleOf = (declaration: BucketDeclaration) =>
  declaration.transitions?.length
    ? {
        lifecycleRules: [
          {
            transitions: declaration.transitions.map(({ days, storageClass }) => ({
              storageClass: storageClasses[storageClass],
              transitionAfter: Duration.days(days),
            })),
          },
        ],
      }
    : {};

/**
 * Every declared bucket: encrypted, private, TLS only, versioned, access-logged to one log
 * bucket, and retained when the stack is deleted (see `BucketDeclaration`). A write-once bucket
 * has Object Lock with a default retention in compliance mode and a policy that keeps every
 * object as first written. Declared transitions move aging objects to cheaper storage classes.
 */
export class SystemBuckets extends Construct {
  readonly byKey: ReadonlyMap<string, DeclaredBucket>;
  readonly declarations: Readonly<Record<string, BucketDeclaration>>;

  constructor(scope: Construct, id: string, props: SystemBucketsProps) {
    super(scope, id);
    this.declarations = props.buckets;
    const declared = Object.entries(props.buckets);
    const accessLogs =
      declared.length === 0
        ? undefined
        : new Bucket(this, 'AccessLogs', {
            ...secureBucketDefaults,
            removalPolicy: RemovalPolicy.RETAIN,
            lifecycleRules: [{ expiration: Duration.days(365) }],
          });
    const byKey = new Map<string, DeclaredBucket>();
    for (const [key, declaration] of declared) {
      const bucket = new Bucket(this, key, {
        ...secureBucketDefaults,
        versioned: true,
        removalPolicy: RemovalPolicy.RETAIN,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${key}/`,
        ...(declaration.writeOnce
          ? {
              objectLockEnabled: true,
              objectLockDefaultRetention: ObjectLockRetention.compliance(
                Duration.days(
                  retentionDaysOf(
                    this.node,
                    declaration.retentionSetting,
                    props.checkpointRetentionDays,
                  ),
                ),
              ),
            }
          : {}),
        ...lifecycleOf(declaration),
      });
      if (declaration.writeOnce) makeWriteOnce(bucket);
      byKey.set(key, { key, declaration, bucket });
    }
    this.byKey = byKey;
  }

  get(key: string): DeclaredBucket {
    const bucket = this.byKey.get(key);
    if (!bucket) throw new InvalidDeclarationError([`Bucket ${key} is not declared`]);
    return bucket;
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DeadLetterBucketProps {
  /** Days a dead letter is kept before it expires; it moves to Standard-IA after 30 days. */
  readonly retentionDays: number;
}

/**
 * Holds records the function could not apply (`<topic>/<partition>/<offset>.json`, written by the
 * handler) and whole batches the event source mapping gave up on (written by Lambda itself).
 */
export class DeadLetterBucket extends Construct {
  public readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: DeadLetterBucketProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Bucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'age-out-dead-letters',
          transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }],
          expiration: Duration.days(props.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      // Dead letters are the only copy of events that never reached the table: keep them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Writes come only from this stack’s role (DLQWrites metric, CloudTrail); an access-log bucket adds cost, not insight.',
    });
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';

export interface DeadLetterBucketProps {
  /** Days a dead letter is kept before it expires; it moves to Standard-IA after 30 days. Its access logs too. */
  readonly retentionDays: number;
}

/** S3 server access logs of the dead-letter bucket land under this prefix of the log bucket. */
export const ACCESS_LOG_PREFIX = 'dead-letters/';

/**
 * Holds records the function could not apply (`<topic>/<partition>/<offset>.json`, written by the
 * handler) and whole batches the event source mapping gave up on (written by Lambda itself).
 */
export class DeadLetterBucket extends Construct {
  public readonly bucket: Bucket;
  /** Who read, wrote or deleted which dead letter: S3 server access logs, kept as long as the letters. */
  public readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: DeadLetterBucketProps) {
    super(scope, id);
    // Grant S3 log delivery through the log bucket's policy (scoped to the source bucket and account) rather
    // than the LogDeliveryWrite ACL, which BUCKET_OWNER_ENFORCED forbids; set here, before the buckets exist.
    this.node.setContext(cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // S3 log delivery writes with SSE-S3 only; a KMS key would leave the logs undelivered.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [
        {
          id: 'age-out-access-logs',
          expiration: Duration.days(props.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log bucket of the dead-letter bucket; logging it into itself or a third bucket would log the logs.',
    });
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
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: ACCESS_LOG_PREFIX,
    });
  }
}

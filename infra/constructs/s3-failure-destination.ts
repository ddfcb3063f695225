import type {
  DlqDestinationConfig,
  IEventSourceDlq,
  IEventSourceMapping,
  IFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

/**
 * Points an event source mapping's on-failure destination at a bucket and grants nothing.
 *
 * aws-cdk-lib's S3OnFailureDestination calls `bucket.grantReadWrite`, which would give the function
 * s3:GetObject*, s3:DeleteObject* and more; KafkaEventSources grants the two actions Lambda documents
 * for an S3 destination (s3:PutObject, s3:ListBucket) in its own, separate policy instead.
 */
export class UngrantedS3FailureDestination implements IEventSourceDlq {
  constructor(private readonly bucket: IBucket) {}

  public bind(_target: IEventSourceMapping, _targetHandler: IFunction): DlqDestinationConfig {
    return { destination: this.bucket.bucketArn };
  }
}

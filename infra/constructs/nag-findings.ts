import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { IBucket } from 'aws-cdk-lib/aws-s3';

/**
 * The cdk-nag finding id for a `<bucket ARN>/*` resource, which names the bucket by logical id.
 * cdk-nag 3 acknowledges each finding separately, so suppressions must spell it exactly.
 */
export const bucketObjectsWildcardFinding = (bucket: IBucket): string => {
  const child = bucket.node.defaultChild;
  if (child === undefined) throw new Error('the bucket must be defined in this app, not imported');
  return `AwsSolutions-IAM5[Resource::<${Stack.of(bucket).getLogicalId(child as CfnElement)}.Arn>/*]`;
};

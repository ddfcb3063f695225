import type {
  DlqDestinationConfig,
  IEventSourceDlq,
  IEventSourceMapping,
  IFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/**
 * Points an event source mapping's on-failure destination at a queue and grants nothing.
 *
 * aws-cdk-lib's SqsDlq calls `queue.grantSendMessages`, which adds sqs:GetQueueAttributes and
 * sqs:GetQueueUrl to the function's default policy; LedgerStreamSource grants the one action Lambda
 * documents for an SQS destination (sqs:SendMessage) in its own, separate policy instead.
 */
export class UngrantedSqsFailureDestination implements IEventSourceDlq {
  constructor(private readonly queue: IQueue) {}

  public bind(_target: IEventSourceMapping, _targetHandler: IFunction): DlqDestinationConfig {
    return { destination: this.queue.queueArn };
  }
}

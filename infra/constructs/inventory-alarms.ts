import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type IMetric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { functionOffsetLag, handlerMetric } from './inventory-metrics.js';

export interface InventoryAlarmsProps {
  readonly function: IFunction;
  /** The ledger stream's consumer (ExpiryFunction). */
  readonly expiryFunction: IFunction;
  /** Where the ledger stream mapping describes the batches it gave up on. */
  readonly expiryFailureQueue: IQueue;
  /** Alarm when the consumer groups fall this many records behind for 15 minutes. */
  readonly offsetLagThreshold: number;
  /** When set, alarms notify an encrypted SNS topic with this email subscribed. */
  readonly alarmEmail?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms for the states an operator must act on. Count alarms fire on the first occurrence and treat
 * silence as healthy, because these metrics are only emitted when something happens.
 */
export class InventoryAlarms extends Construct {
  public readonly alarms: readonly IAlarm[];
  public readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: InventoryAlarmsProps) {
    super(scope, id);
    const anyOccurrence = (alarmId: string, metric: IMetric, description: string): Alarm =>
      new Alarm(this, alarmId, {
        metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });

    const alarms: Alarm[] = [
      anyOccurrence(
        'DeadLetterWrites',
        handlerMetric('DLQWrites', FIVE_MINUTES),
        'Records were written to the dead-letter bucket: inspect and replay them.',
      ),
      anyOccurrence(
        'ProcessingErrors',
        handlerMetric('ProcessingErrors', FIVE_MINUTES),
        'The handler failed to apply records (the batch is retried, then bisected, then sent to S3).',
      ),
      anyOccurrence(
        'FunctionErrors',
        props.function.metricErrors({ period: FIVE_MINUTES }),
        'Invocations failed; the Kafka mapping is retrying the batch.',
      ),
      anyOccurrence(
        'ChangesBeyondLagBound',
        handlerMetric('ChangesBeyondLagBound', FIVE_MINUTES),
        'Changes older than the lag bound arrived: the products the function log names may be off; check them against the database.',
      ),
      anyOccurrence(
        'LowStock',
        handlerMetric('LowStockAlerts', FIVE_MINUTES),
        'At least one product fell below the low-stock threshold.',
      ),
      new Alarm(this, 'OffsetLag', {
        metric: functionOffsetLag(props.function, FIVE_MINUTES),
        threshold: props.offsetLagThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `A consumer group is more than ${props.offsetLagThreshold} records behind for 15 minutes.`,
      }),
      anyOccurrence(
        'ExpiredOrderLinesDeadLettered',
        handlerMetric('ExpiredOrderLinesDeadLettered', FIVE_MINUTES),
        'Order lines of products that never arrived within the lag bound were dead-lettered UNKNOWN_PRODUCT: find out why the product is missing, then replay them.',
      ),
      anyOccurrence(
        'ExpiryFunctionErrors',
        props.expiryFunction.metricErrors({ period: FIVE_MINUTES }),
        'The expiry function failed; the ledger stream mapping is retrying the batch (the stream keeps records 24 hours).',
      ),
      anyOccurrence(
        'ExpiryFailureQueueNotEmpty',
        props.expiryFailureQueue.metricApproximateNumberOfMessagesVisible({
          period: FIVE_MINUTES,
          statistic: Stats.MAXIMUM,
        }),
        'The ledger stream mapping gave up on a batch of expired order lines: its message names the shard and sequence numbers; settle those lines before the stream drops them (24 hours).',
      ),
    ];
    this.alarms = alarms;

    if (props.alarmEmail !== undefined) {
      this.topic = this.notificationTopic(props.alarmEmail);
      const action = new SnsAction(this.topic);
      for (const alarm of alarms) alarm.addAlarmAction(action);
    }
  }

  /** SNS encryption needs a customer key: CloudWatch cannot use the AWS-managed aws/sns key. */
  private notificationTopic(email: string): Topic {
    const key = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts inventory-cdc alarm notifications',
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'Topic', { masterKey: key, enforceSSL: true });
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }
}

import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type IMetric,
  MathExpression,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { EventSourceMapping, IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  ESM_ERROR_METRICS,
  functionOffsetLag,
  handlerMetric,
  type MetricsIdentity,
  mappingMetric,
} from './inventory-metrics.js';

export interface InventoryAlarmsProps {
  /** This deployment's handler metrics (the functions' POWERTOOLS_* variables). */
  readonly telemetry: MetricsIdentity;
  readonly function: IFunction;
  /** The ledger stream's consumer (ExpiryFunction). */
  readonly expiryFunction: IFunction;
  /** Where the ledger stream mapping describes the batches it gave up on. */
  readonly expiryFailureQueue: IQueue;
  /** Alarm when the consumer groups fall this many records behind for 15 minutes. */
  readonly offsetLagThreshold: number;
  /** The batch function's timeout: its duration alarm fires at DURATION_ALARM_SHARE of it. */
  readonly timeout: Duration;
  /** Kafka mappings by subscription name; each gets its own error, drop and on-failure alarms. */
  readonly mappings: ReadonlyMap<string, EventSourceMapping>;
  /** When set, the operational alarms notify an encrypted SNS topic with this email subscribed. */
  readonly alarmEmail?: string;
  /** When set, the low-stock alarm (a business signal) notifies a topic of its own with this email. */
  readonly lowStockEmail?: string;
}

/** A p99 duration above this share of the timeout means batches are close to being cut off and retried. */
export const DURATION_ALARM_SHARE = 0.8;

/**
 * The ledger stream keeps a record 24 hours; the expiry mapping's oldest unprocessed record older than this
 * leaves most of that day to settle the lines before the stream drops them.
 */
export const EXPIRY_ITERATOR_AGE_ALARM = Duration.hours(1);

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms for the states an operator must act on. Count alarms fire on the first occurrence and treat
 * silence as healthy, because these metrics are only emitted when something happens.
 */
export class InventoryAlarms extends Construct {
  /** Every alarm, the low-stock one included. */
  public readonly alarms: readonly IAlarm[];
  /** The business alarm, kept off the operational topic. */
  public readonly lowStock: Alarm;
  public readonly topic?: Topic;
  public readonly lowStockTopic?: Topic;
  private topicKey?: Key;

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
        handlerMetric(props.telemetry, 'DLQWrites', FIVE_MINUTES),
        'Records were written to the dead-letter bucket: inspect and replay them.',
      ),
      anyOccurrence(
        'ProcessingErrors',
        handlerMetric(props.telemetry, 'ProcessingErrors', FIVE_MINUTES),
        'The handler failed to apply records (the batch is retried, then bisected, then sent to S3).',
      ),
      anyOccurrence(
        'FunctionErrors',
        props.function.metricErrors({ period: FIVE_MINUTES }),
        'Invocations failed; the Kafka mapping is retrying the batch.',
      ),
      anyOccurrence(
        'ChangesBeyondLagBound',
        handlerMetric(props.telemetry, 'ChangesBeyondLagBound', FIVE_MINUTES),
        'Changes older than the lag bound arrived: the products the function log names may be off; check them against the database.',
      ),
      new Alarm(this, 'OffsetLag', {
        metric: functionOffsetLag(props.function, FIVE_MINUTES),
        threshold: props.offsetLagThreshold,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // No lag report is no lag: Lambda documents OffsetLag for records behind, not a report on an idle topic,
        // so silence here would page on every quiet night. A mapping that stopped polling is caught by its
        // MappingNotPolling alarm instead, whose metric Lambda sends on every poll, empty ones included.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `A consumer group is more than ${props.offsetLagThreshold} records behind for 15 minutes.`,
      }),
      anyOccurrence(
        'ExpiredOrderLinesDeadLettered',
        handlerMetric(props.telemetry, 'ExpiredOrderLinesDeadLettered', FIVE_MINUTES),
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
      anyOccurrence(
        'ExpiryDeliveryFailures',
        props.expiryFunction.metric('DestinationDeliveryFailures', {
          period: FIVE_MINUTES,
          statistic: Stats.SUM,
        }),
        'The ledger stream mapping gave up on a batch and could not describe it in the failure queue: those expired order lines are lost to the mapping; check the queue and the role, then settle the lines from the ledger table within 24 hours.',
      ),
      new Alarm(this, 'ExpiryIteratorAge', {
        metric: props.expiryFunction.metric('IteratorAge', {
          period: FIVE_MINUTES,
          statistic: Stats.MAXIMUM,
        }),
        threshold: EXPIRY_ITERATOR_AGE_ALARM.toMilliseconds(),
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        // Sent only when the mapping invokes the function: no batch, no age.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `The ledger stream mapping is more than ${EXPIRY_ITERATOR_AGE_ALARM.toHumanString()} behind (the stream keeps records 24 hours): the expiry function is failing or throttled; fix it before its records expire.`,
      }),
      anyOccurrence(
        'FunctionThrottles',
        props.function.metricThrottles({ period: FIVE_MINUTES }),
        'Invocations were throttled (reserved or account concurrency): the mappings slow down and lag grows; raise reservedConcurrency or lower maximumPollers.',
      ),
      new Alarm(this, 'DurationNearTimeout', {
        metric: props.function.metricDuration({ period: FIVE_MINUTES, statistic: Stats.percentile(99) }),
        threshold: props.timeout.toMilliseconds() * DURATION_ALARM_SHARE,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `p99 duration above ${DURATION_ALARM_SHARE * 100} % of the ${props.timeout.toSeconds()} s timeout for 15 minutes: batches are close to being cut off and retried; lower batchSize or raise timeoutSeconds.`,
      }),
      anyOccurrence(
        'OnFailureDeliveryFailures',
        props.function.metric('DestinationDeliveryFailures', { period: FIVE_MINUTES, statistic: Stats.SUM }),
        'Lambda could not write a batch it gave up on to the S3 on-failure destination: those records are lost from Kafka’s point of view; check the bucket and the role.',
      ),
      ...[...props.mappings].flatMap(([name, mapping]) => this.mappingAlarms(name, mapping, anyOccurrence)),
    ];

    this.lowStock = anyOccurrence(
      'LowStock',
      handlerMetric(props.telemetry, 'LowStockAlerts', FIVE_MINUTES),
      'At least one product fell below the low-stock threshold.',
    );
    this.alarms = [...alarms, this.lowStock];

    if (props.alarmEmail !== undefined) {
      this.topic = this.notificationTopic('Topic', props.alarmEmail);
      const action = new SnsAction(this.topic);
      for (const alarm of alarms) alarm.addAlarmAction(action);
    }
    if (props.lowStockEmail !== undefined) {
      this.lowStockTopic = this.notificationTopic('LowStockTopic', props.lowStockEmail);
      this.lowStock.addAlarmAction(new SnsAction(this.lowStockTopic));
    }
  }

  /** What the mapping itself reports: its errors, records it dropped, batches it sent to S3. */
  private mappingAlarms(
    name: string,
    mapping: EventSourceMapping,
    anyOccurrence: (alarmId: string, metric: IMetric, description: string) => Alarm,
  ): Alarm[] {
    const id = name.replace(/(^|-)(\w)/g, (_match, _dash, letter: string) => letter.toUpperCase());
    const errors = new MathExpression({
      expression: ESM_ERROR_METRICS.map((_metric, index) => `FILL(e${index}, 0)`).join(' + '),
      usingMetrics: Object.fromEntries(
        ESM_ERROR_METRICS.map((metric, index) => [
          `e${index}`,
          mappingMetric(mapping, metric, { period: FIVE_MINUTES }),
        ]),
      ),
      period: FIVE_MINUTES,
      label: `ESM errors ${name}`,
    });
    return [
      new Alarm(this, `MappingNotPolling${id}`, {
        metric: mappingMetric(mapping, 'PolledEventCount', {
          period: FIVE_MINUTES,
          statistic: Stats.SAMPLE_COUNT,
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        // Lambda sends PolledEventCount on every poll, 0 for an empty one: no data points for 15 minutes means
        // the mapping is not polling (disabled, cannot reach or authenticate to the brokers, deleted).
        treatMissingData: TreatMissingData.BREACHING,
        alarmDescription: `The ${name} mapping has reported no poll for 15 minutes: it is stuck, disabled or cannot reach Kafka; check its state (aws lambda get-event-source-mapping) and its system logs.`,
      }),
      anyOccurrence(
        `MappingErrors${id}`,
        errors,
        `The ${name} mapping reported polling, invoke, commit, schema registry or on-failure delivery errors: read its system logs (esmLogLevel) in the function's log group.`,
      ),
      anyOccurrence(
        `MappingDroppedEvents${id}`,
        mappingMetric(mapping, 'DroppedEventCount', { period: FIVE_MINUTES }),
        `The ${name} mapping dropped records after retries or record age without delivering them to the on-failure destination.`,
      ),
      anyOccurrence(
        `MappingOnFailureDeliveries${id}`,
        mappingMetric(mapping, 'OnFailureDestinationDeliveredEventCount', { period: FIVE_MINUTES }),
        `The ${name} mapping gave up on a batch and wrote it to the S3 on-failure destination: redrive it (npm run redrive).`,
      ),
    ];
  }

  /** SNS encryption needs a customer key: CloudWatch cannot use the AWS-managed aws/sns key. Both topics share it. */
  private notificationTopic(id: string, email: string): Topic {
    const topic = new Topic(this, id, { masterKey: this.notificationKey(), enforceSSL: true });
    topic.addSubscription(new EmailSubscription(email));
    return topic;
  }

  private notificationKey(): Key {
    if (this.topicKey !== undefined) return this.topicKey;
    const key = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'Encrypts inventory-cdc alarm notifications',
    });
    const stack = Stack.of(this);
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        effect: Effect.ALLOW,
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        // Only on behalf of this account's alarms in this region: CloudWatch acting for anyone else (the
        // confused deputy) is not let in.
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: {
            'aws:SourceArn': stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    this.topicKey = key;
    return key;
  }
}

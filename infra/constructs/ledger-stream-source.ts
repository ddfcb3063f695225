import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  EventSourceMapping,
  FilterCriteria,
  FilterRule,
  type IFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LEDGER_ATTRIBUTES } from './ledger-table.js';
import { UngrantedSqsFailureDestination } from './sqs-failure-destination.js';

/**
 * The record-level stream actions Lambda's poller calls on the ledger table's stream (Lambda developer guide,
 * "Process DynamoDB records with Lambda", execution role permissions), scoped to that stream.
 */
export const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
] as const;

/**
 * dynamodb:ListStreams is the fourth action Lambda documents, but it has no resource type (Service
 * Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html):
 * a statement naming the stream ARN would grant nothing, so it gets a statement of its own on `*`.
 * It returns stream ARNs, no data.
 */
export const STREAM_LIST_ACTIONS = ['dynamodb:ListStreams'] as const;

/**
 * Only TTL's removals of entries recorded while their product was absent reach the function.
 *
 * - TTL deletions are REMOVE records whose `userIdentity` is `{ type: 'Service', principalId:
 *   'dynamodb.amazonaws.com' }`; the DynamoDB developer guide gives this very filter pattern for them:
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/time-to-live-ttl-streams.html
 * - Item attributes are matched in their DynamoDB JSON under `dynamodb.OldImage`, a Boolean as
 *   `{ "BOOL": [true] }`: https://docs.aws.amazon.com/lambda/latest/dg/with-ddb-filtering.html
 *
 * The handler checks the same three conditions again (lambda/expiry/expired-entries.ts), so the filter only
 * saves invocations: a record it lets through by mistake is ignored, not mis-settled.
 */
export const LEDGER_EXPIRY_FILTER = {
  userIdentity: {
    type: FilterRule.isEqual('Service'),
    principalId: FilterRule.isEqual('dynamodb.amazonaws.com'),
  },
  eventName: FilterRule.isEqual('REMOVE'),
  dynamodb: { OldImage: { [LEDGER_ATTRIBUTES.pending]: { BOOL: FilterRule.isEqual(true) } } },
} as const;

/** The on-failure queue keeps a message as long as SQS allows; the stream itself keeps records 24 hours. */
const FAILURE_RETENTION = Duration.days(14);

export interface LedgerStreamSourceProps {
  /** The ledger table, with its stream enabled. */
  readonly table: ITable;
  readonly function: IFunction;
  readonly batchSize: number;
  /** Retries after the first failed invocation before the batch's metadata goes to the failure queue. */
  readonly retryAttempts: number;
  readonly bisectBatchOnError: boolean;
}

/**
 * The ledger table's stream, filtered to expired pending order lines, invoking the expiry function.
 *
 * A batch the mapping gives up on is described (shard, sequence numbers; not the records) in an encrypted
 * SQS queue: DynamoDB stream mappings cannot send to S3. The mapping reads the stream and writes that
 * queue with the function's role; those permissions live in a separate `StreamAccess` policy, like the
 * Kafka mappings' `EventSourceAccess`.
 */
export class LedgerStreamSource extends Construct {
  public readonly mapping: EventSourceMapping;
  public readonly failureQueue: Queue;

  constructor(scope: Construct, id: string, props: LedgerStreamSourceProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (streamArn === undefined) throw new Error('LedgerStreamSource needs a table with its stream enabled');
    const role = props.function.role;
    if (role === undefined) throw new Error('LedgerStreamSource needs a function with an execution role');

    this.failureQueue = new Queue(this, 'FailureQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: FAILURE_RETENTION,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of the ledger stream mapping, a dead-letter queue itself.',
    });

    const access = new Policy(this, 'StreamAccess', {
      statements: [
        new PolicyStatement({
          sid: 'ReadLedgerStream',
          actions: [...STREAM_READ_ACTIONS],
          resources: [streamArn],
        }),
        new PolicyStatement({ sid: 'ListStreams', actions: [...STREAM_LIST_ACTIONS], resources: ['*'] }),
        new PolicyStatement({
          sid: 'OnFailureDestination',
          actions: ['sqs:SendMessage'],
          resources: [this.failureQueue.queueArn],
        }),
      ],
    });
    access.attachToRole(role);
    Validations.of(access).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams has no resource type, so it cannot be scoped; it lists stream ARNs, no data.',
    });

    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: props.function,
      eventSourceArn: streamArn,
      startingPosition: StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize,
      bisectBatchOnError: props.bisectBatchOnError,
      retryAttempts: props.retryAttempts,
      onFailure: new UngrantedSqsFailureDestination(this.failureQueue),
      filters: [FilterCriteria.filter(LEDGER_EXPIRY_FILTER)],
    });
    // Lambda checks the role when it first polls; the policy has to be there by then.
    this.mapping.node.addDependency(access);
  }
}

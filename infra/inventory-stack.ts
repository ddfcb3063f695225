import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DeadLetterBucket } from './constructs/dead-letter-bucket.js';
import { ExpiryFunction } from './constructs/expiry-function.js';
import { InventoryAlarms } from './constructs/inventory-alarms.js';
import { InventoryDashboard } from './constructs/inventory-dashboard.js';
import { InventoryFunction } from './constructs/inventory-function.js';
import { METRICS_NAMESPACE, type MetricsIdentity } from './constructs/inventory-metrics.js';
import { InventoryTable } from './constructs/inventory-table.js';
import { KafkaEventSources } from './constructs/kafka-event-sources.js';
import { LedgerStreamSource } from './constructs/ledger-stream-source.js';
import { LedgerTable } from './constructs/ledger-table.js';
import type { InventoryStackConfig } from './stack-config.js';

export interface InventoryStackProps extends StackProps {
  readonly config: InventoryStackConfig;
  /** Absolute path of lambda/handler.ts; infra refers to the Lambda code by path only. */
  readonly handlerEntry: string;
  /** Absolute path of lambda/expiry-handler.ts, the ledger stream's consumer. */
  readonly expiryHandlerEntry: string;
  readonly depsLockFilePath: string;
}

/** Handler defaults that are tuning knobs of the code, not of the deployment. */
const HANDLER_TUNING = { priceScale: 2, writeConcurrency: 16, timeBudgetMarginMs: 10_000 } as const;

/**
 * The expiry function reads two items and may write one object per expired line; 100 lines take seconds.
 * Its mapping retries a failed batch 10 times, bisecting it, before describing it in the failure queue.
 */
const EXPIRY_TUNING = {
  memorySizeMb: 256,
  timeout: Duration.seconds(60),
  batchSize: 100,
  retryAttempts: 10,
  bisectBatchOnError: true,
} as const;

export class InventoryStack extends Stack {
  public readonly table: InventoryTable;
  public readonly ledger: LedgerTable;
  public readonly deadLetters: DeadLetterBucket;
  public readonly consumer: InventoryFunction;
  public readonly kafka: KafkaEventSources;
  public readonly expiry: ExpiryFunction;
  public readonly ledgerStream: LedgerStreamSource;
  public readonly alarms: InventoryAlarms;
  public readonly dashboard: InventoryDashboard;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const { config } = props;
    const telemetry: MetricsIdentity = { namespace: METRICS_NAMESPACE, serviceName: config.serviceName };

    this.table = new InventoryTable(this, 'Inventory', { tableName: config.tableName });
    this.ledger = new LedgerTable(this, 'Ledger', { tableName: config.ledgerTableName });
    this.deadLetters = new DeadLetterBucket(this, 'DeadLetters', { retentionDays: config.dlqRetentionDays });

    this.consumer = new InventoryFunction(this, 'Consumer', {
      entry: props.handlerEntry,
      depsLockFilePath: props.depsLockFilePath,
      table: this.table.table,
      ledgerTable: this.ledger.table,
      deadLetterBucket: this.deadLetters.bucket,
      productsTopic: config.productsTopic,
      orderItemsTopic: config.orderItemsTopic,
      lowStockThreshold: config.lowStockThreshold,
      stockModel: config.stockModel,
      sourceEpoch: config.sourceEpoch,
      epochHeader: config.epochHeader,
      lagBoundHours: config.lagBoundHours,
      logLevel: config.logLevel,
      telemetry,
      memorySizeMb: config.memorySizeMb,
      timeout: Duration.seconds(config.timeoutSeconds),
      ...HANDLER_TUNING,
      registryValues: config.schemaRegistry !== undefined,
      ...(config.reservedConcurrency === undefined
        ? {}
        : { reservedConcurrency: config.reservedConcurrency }),
      logRetention: config.logRetentionDays as RetentionDays,
      localEndpoints: config.localEndpoints,
    });

    this.kafka = new KafkaEventSources(this, 'Kafka', {
      source: config.kafka,
      function: this.consumer.function,
      subscriptions: [
        { name: 'products', topic: config.productsTopic },
        { name: 'order-items', topic: config.orderItemsTopic },
      ],
      consumerGroupPrefix: config.consumerGroupPrefix,
      batchSize: config.batchSize,
      maxBatchingWindow: Duration.seconds(config.batchingWindowSeconds),
      failureHandling: {
        retryAttempts: config.retryAttempts,
        ...(config.maxRecordAgeSeconds === undefined
          ? {}
          : { maxRecordAge: Duration.seconds(config.maxRecordAgeSeconds) }),
        bisectBatchOnError: config.bisectBatchOnError,
        pollerMode: config.pollerMode,
        minimumPollers: config.minimumPollers,
        maximumPollers: config.maximumPollers,
        ...(config.pollerGroupName === undefined ? {} : { pollerGroupName: config.pollerGroupName }),
        ...(config.esmLogLevel === undefined ? {} : { esmLogLevel: config.esmLogLevel }),
      },
      startingPoint: {
        position: config.startingPosition,
        ...(config.startingPositionTimestamp === undefined
          ? {}
          : { timestamp: config.startingPositionTimestamp }),
      },
      detached: config.detachMappings,
      ...(config.schemaRegistry === undefined ? {} : { schemaRegistry: config.schemaRegistry }),
      ...(config.secretKmsKeyArn === undefined ? {} : { secretKmsKeyArn: config.secretKmsKeyArn }),
      failureBucket: this.deadLetters.bucket,
    });

    this.expiry = new ExpiryFunction(this, 'Expiry', {
      entry: props.expiryHandlerEntry,
      depsLockFilePath: props.depsLockFilePath,
      table: this.table.table,
      ledgerTable: this.ledger.table,
      deadLetterBucket: this.deadLetters.bucket,
      environment: this.consumer.environment,
      memorySizeMb: EXPIRY_TUNING.memorySizeMb,
      timeout: EXPIRY_TUNING.timeout,
      logRetention: config.logRetentionDays as RetentionDays,
    });
    this.ledgerStream = new LedgerStreamSource(this, 'LedgerStream', {
      table: this.ledger.table,
      function: this.expiry.function,
      batchSize: EXPIRY_TUNING.batchSize,
      retryAttempts: EXPIRY_TUNING.retryAttempts,
      bisectBatchOnError: EXPIRY_TUNING.bisectBatchOnError,
    });

    this.alarms = new InventoryAlarms(this, 'Alarms', {
      telemetry,
      function: this.consumer.function,
      expiryFunction: this.expiry.function,
      expiryFailureQueue: this.ledgerStream.failureQueue,
      offsetLagThreshold: config.offsetLagThreshold,
      timeout: Duration.seconds(config.timeoutSeconds),
      mappings: this.kafka.mappings,
      ...(config.alarmEmail === undefined ? {} : { alarmEmail: config.alarmEmail }),
      ...(config.lowStockEmail === undefined ? {} : { lowStockEmail: config.lowStockEmail }),
    });
    this.dashboard = new InventoryDashboard(this, 'Dashboard', {
      telemetry,
      function: this.consumer.function,
      expiryFunction: this.expiry.function,
      expiryFailureQueue: this.ledgerStream.failureQueue,
      mappings: this.kafka.mappings,
      alarms: this.alarms.alarms,
    });

    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledger.table.tableName });
    new CfnOutput(this, 'DeadLetterBucketName', { value: this.deadLetters.bucket.bucketName });
    new CfnOutput(this, 'FunctionName', { value: this.consumer.function.functionName });
    new CfnOutput(this, 'ExpiryFunctionName', { value: this.expiry.function.functionName });
    new CfnOutput(this, 'ExpiryFailureQueueUrl', { value: this.ledgerStream.failureQueue.queueUrl });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
  }
}

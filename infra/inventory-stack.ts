import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DeadLetterBucket } from './constructs/dead-letter-bucket.js';
import { InventoryAlarms } from './constructs/inventory-alarms.js';
import { InventoryDashboard } from './constructs/inventory-dashboard.js';
import { InventoryFunction } from './constructs/inventory-function.js';
import { InventoryTable } from './constructs/inventory-table.js';
import { KafkaEventSources } from './constructs/kafka-event-sources.js';
import { LedgerTable } from './constructs/ledger-table.js';
import type { InventoryStackConfig } from './stack-config.js';

export interface InventoryStackProps extends StackProps {
  readonly config: InventoryStackConfig;
  /** Absolute path of lambda/handler.ts; infra refers to the Lambda code by path only. */
  readonly handlerEntry: string;
  readonly depsLockFilePath: string;
}

/** Handler defaults that are tuning knobs of the code, not of the deployment. */
const HANDLER_TUNING = { priceScale: 2, writeConcurrency: 16, timeBudgetMarginMs: 10_000 } as const;

export class InventoryStack extends Stack {
  public readonly table: InventoryTable;
  public readonly ledger: LedgerTable;
  public readonly deadLetters: DeadLetterBucket;
  public readonly consumer: InventoryFunction;
  public readonly kafka: KafkaEventSources;
  public readonly alarms: InventoryAlarms;
  public readonly dashboard: InventoryDashboard;

  constructor(scope: Construct, id: string, props: InventoryStackProps) {
    super(scope, id, props);
    const { config } = props;

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
      lagBoundHours: config.lagBoundHours,
      logLevel: config.logLevel,
      memorySizeMb: config.memorySizeMb,
      timeout: Duration.seconds(config.timeoutSeconds),
      ...HANDLER_TUNING,
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
      },
      failureBucket: this.deadLetters.bucket,
    });

    this.alarms = new InventoryAlarms(this, 'Alarms', {
      function: this.consumer.function,
      offsetLagThreshold: config.offsetLagThreshold,
      ...(config.alarmEmail === undefined ? {} : { alarmEmail: config.alarmEmail }),
    });
    this.dashboard = new InventoryDashboard(this, 'Dashboard', {
      function: this.consumer.function,
      mappings: this.kafka.mappings,
      alarms: this.alarms.alarms,
    });

    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'LedgerTableName', { value: this.ledger.table.tableName });
    new CfnOutput(this, 'DeadLetterBucketName', { value: this.deadLetters.bucket.bucketName });
    new CfnOutput(this, 'FunctionName', { value: this.consumer.function.functionName });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
  }
}

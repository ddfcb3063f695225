import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StockModel } from '../stack-config.js';
import { handlerFunction } from './handler-function.js';
import type { MetricsIdentity } from './inventory-metrics.js';
import { bucketObjectsWildcardFinding } from './nag-findings.js';

/**
 * What the handler does to the inventory table: consistent single-item reads, conditional updates, and
 * deletes and condition checks inside TransactWriteItems (authorized per action; it has no action of its own).
 * It never puts an item there: creates are updates too.
 */
export const INVENTORY_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/**
 * What the handler does to the ledger table: reads of a head or an entry, a consistent Query of one
 * product's entries, and the puts, updates and condition checks of its transactions. It never deletes there:
 * TTL removes expired entries.
 */
export const LEDGER_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** Logical id kept stable so `sam local invoke` and events/sam-env.json can name the function. */
export const FUNCTION_LOGICAL_ID = 'InventoryFunction';

export interface InventoryFunctionProps {
  /** Absolute path of the handler module (lambda/handler.ts). */
  readonly entry: string;
  /** Absolute path of the lockfile esbuild resolves dependencies against. */
  readonly depsLockFilePath: string;
  readonly table: ITable;
  readonly ledgerTable: ITable;
  readonly deadLetterBucket: IBucket;
  readonly productsTopic: string;
  readonly orderItemsTopic: string;
  readonly lowStockThreshold: number;
  readonly stockModel: StockModel;
  /** 0..65535, raised when the source's LSNs start again. */
  readonly sourceEpoch: number;
  readonly epochHeader: string;
  /** How long order-line identities are kept, and how late a change may be and still be ordered exactly. */
  readonly lagBoundHours: number;
  readonly logLevel: string;
  /** Where the handler publishes its metrics; the alarms and dashboard read the same identity. */
  readonly telemetry: MetricsIdentity;
  readonly memorySizeMb: number;
  readonly timeout: Duration;
  /** Milliseconds before the timeout at which the handler stops starting writes and fails the batch. */
  readonly timeBudgetMarginMs: number;
  readonly priceScale: number;
  /** The mappings convert values through a schema registry: REGISTRY_VALUES tells replays and redrives too. */
  readonly registryValues: boolean;
  readonly writeConcurrency: number;
  readonly reservedConcurrency?: number;
  readonly logRetention: RetentionDays;
  /** Declares empty AWS_ENDPOINT_URL_* variables so SAM's --env-vars file can override them. */
  readonly localEndpoints: boolean;
}

/**
 * The CDC consumer: Node.js 22 on arm64, bundled by the local esbuild as minified ESM with source maps
 * (handler-function.ts).
 *
 * Its role is built here rather than by `grant*` helpers so the policy holds exactly the actions the
 * handler calls, on exactly the tables and bucket it uses.
 */
export class InventoryFunction extends Construct {
  public readonly function: NodejsFunction;
  public readonly role: Role;
  public readonly logGroup: LogGroup;
  /** What the handler reads through lambda/config.ts; other handlers of the same config get the same. */
  public readonly environment: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: InventoryFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'inventory-cdc function: its own log group, the inventory and ledger tables, dead letters',
    });
    const runtimeAccess = new Policy(this, 'RuntimeAccess', {
      statements: [
        new PolicyStatement({
          sid: 'WriteOwnLogs',
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        new PolicyStatement({
          sid: 'InventoryTable',
          actions: [...INVENTORY_TABLE_ACTIONS],
          resources: [props.table.tableArn],
        }),
        new PolicyStatement({
          sid: 'LedgerTable',
          actions: [...LEDGER_TABLE_ACTIONS],
          resources: [props.ledgerTable.tableArn],
        }),
        new PolicyStatement({
          sid: 'DeadLetters',
          // GetObject: a letter's conditional PUT refused (412) is read back to append its error history or
          // to tell another record's letter apart (lambda/store/dead-letter.ts).
          actions: ['s3:PutObject', 's3:GetObject'],
          resources: [props.deadLetterBucket.arnForObjects('*')],
        }),
      ],
    });
    runtimeAccess.attachToRole(this.role);
    Validations.of(runtimeAccess).acknowledge({
      id: bucketObjectsWildcardFinding(props.deadLetterBucket),
      reason:
        'Dead-letter keys are <topic>/<partition>/<offset>.json, known only per record; the bucket is dedicated.',
    });

    this.environment = {
      DYNAMODB_TABLE: props.table.tableName,
      LEDGER_TABLE: props.ledgerTable.tableName,
      DLQ_S3_BUCKET: props.deadLetterBucket.bucketName,
      STOCK_MODEL: props.stockModel,
      SOURCE_EPOCH: String(props.sourceEpoch),
      EPOCH_HEADER: props.epochHeader,
      LAG_BOUND_HOURS: String(props.lagBoundHours),
      LOW_STOCK_THRESHOLD: String(props.lowStockThreshold),
      PRODUCTS_TOPIC: props.productsTopic,
      ORDER_ITEMS_TOPIC: props.orderItemsTopic,
      PRICE_SCALE: String(props.priceScale),
      REGISTRY_VALUES: String(props.registryValues),
      WRITE_CONCURRENCY: String(props.writeConcurrency),
      TIME_BUDGET_MARGIN_MS: String(props.timeBudgetMarginMs),
      POWERTOOLS_SERVICE_NAME: props.telemetry.serviceName,
      POWERTOOLS_METRICS_NAMESPACE: props.telemetry.namespace,
      POWERTOOLS_LOG_LEVEL: props.logLevel,
      NODE_OPTIONS: '--enable-source-maps',
      ...(props.localEndpoints ? { AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL_S3: '' } : {}),
    };
    this.function = handlerFunction(this, 'Handler', {
      entry: props.entry,
      depsLockFilePath: props.depsLockFilePath,
      description: 'Applies Debezium CDC events from Kafka to the inventory table',
      memorySizeMb: props.memorySizeMb,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment: this.environment,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrency: props.reservedConcurrency }),
      logicalId: FUNCTION_LOGICAL_ID,
    });
    // The role's policy must exist before Lambda first assumes it.
    this.function.node.addDependency(runtimeAccess);
  }
}

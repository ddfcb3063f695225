/**
 * Turns CDK context (`-c key=value` or cdk.json) into the typed props of the inventory stack.
 * Everything the constructs need arrives through these props; nothing below reads context or env.
 */
import { CONTEXT_KEYS, type ContextKey, StackConfigError } from './context-keys.js';
import {
  CONSUMER_GROUP,
  flag,
  integer,
  LOG_RETENTION_DAYS,
  oneOf,
  type ReadContext,
  TABLE_NAME,
  text,
} from './context-readers.js';
import {
  type KafkaConfig,
  type ProvisionedOnly,
  readKafkaConfig,
  readProvisionedOnly,
} from './kafka-config.js';
import { BASE_NAMES, STAGE_PATTERN, stageNames } from './stage-names.js';
import { unknownContextKeys, unknownKeyMessage } from './unknown-context.js';

export { CONTEXT_KEYS, type ContextKey, StackConfigError } from './context-keys.js';
export {
  type KafkaSource,
  MSK_AUTH_METHODS,
  type MskAuthMethod,
  SELF_MANAGED_AUTH_METHODS,
  type SelfManagedAuthMethod,
} from './kafka-config.js';

export const POLLER_MODES = ['provisioned', 'on-demand'] as const;
export type PollerMode = (typeof POLLER_MODES)[number];

/** How the shop writes stock; mirrors lambda/inventory/stock-model.ts (STOCK_MODEL). */
export const STOCK_MODELS = ['orders', 'products', 'ledger'] as const;
export type StockModel = (typeof STOCK_MODELS)[number];

/** The ledger table's default name: the inventory table's with this suffix (lambda/store/ledger-attributes.ts). */
export const LEDGER_TABLE_SUFFIX = '-ledger';

/** Both mappings read one topic each; the poller group holds both. */
const KAFKA_MAPPINGS = 2;

export interface InventoryStackConfig extends KafkaConfig, ProvisionedOnly {
  /** `-c stage=dev`: carried by every name below that is not given explicitly; unset keeps the original names. */
  readonly stage?: string;
  readonly stackName: string;
  /** POWERTOOLS_SERVICE_NAME of both functions, the `service` dimension their alarms and dashboard read. */
  readonly serviceName: string;
  readonly tableName: string;
  /** The function's bookkeeping next to the inventory table: deletes and order-line identities. */
  readonly ledgerTableName: string;
  readonly productsTopic: string;
  readonly orderItemsTopic: string;
  readonly consumerGroupPrefix: string;
  readonly batchSize: number;
  readonly batchingWindowSeconds: number;
  /** Retries after the first failed invocation before the batch goes to the on-failure destination. */
  readonly retryAttempts: number;
  /** Unset keeps Lambda's default (-1, never discard by age); see README, Deploy, for why. */
  readonly maxRecordAgeSeconds?: number;
  readonly bisectBatchOnError: boolean;
  readonly pollerMode: PollerMode;
  readonly minimumPollers: number;
  readonly maximumPollers: number;
  readonly lowStockThreshold: number;
  /** How the shop writes stock; the handler reads it as STOCK_MODEL. */
  readonly stockModel: StockModel;
  /** The epoch of records without an epoch header (connectors set up before it); SOURCE_EPOCH. */
  readonly sourceEpoch: number;
  /** The record header in which connectors stamp their epoch (InsertHeader); EPOCH_HEADER. */
  readonly epochHeader: string;
  /** How late a change may arrive and still be ordered exactly; at least the topics' retention. */
  readonly lagBoundHours: number;
  readonly logLevel: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  readonly dlqRetentionDays: number;
  readonly offsetLagThreshold: number;
  /** Operational alarms notify this address (their own SNS topic). */
  readonly alarmEmail?: string;
  /** Low-stock alerts, a business signal, notify this address on a topic of their own. */
  readonly lowStockEmail?: string;
  /** Declares empty AWS_ENDPOINT_URL_* variables so `sam local invoke --env-vars` can point them at emulators. */
  readonly localEndpoints: boolean;
}

export const CONFIG_DEFAULTS = {
  tableName: BASE_NAMES.tableName,
  productsTopic: 'dbserver1.public.products',
  orderItemsTopic: 'dbserver1.public.order_items',
  consumerGroupPrefix: BASE_NAMES.consumerGroupPrefix,
  batchSize: 1_000,
  batchingWindowSeconds: 1,
  retryAttempts: 10,
  bisectBatchOnError: true,
  pollerMode: 'provisioned',
  minimumPollers: 1,
  maximumPollers: 2,
  lowStockThreshold: 10,
  stockModel: 'orders',
  sourceEpoch: 0,
  epochHeader: 'cdc.epoch',
  /** Kafka's and MSK's default retention is 7 days (168 h); a day more covers a redelivery at its edge. */
  lagBoundHours: 192,
  logLevel: 'INFO',
  memorySizeMb: 1_769,
  timeoutSeconds: 120,
  logRetentionDays: 30,
  dlqRetentionDays: 365,
  offsetLagThreshold: 1000,
  localEndpoints: false,
} as const satisfies Partial<InventoryStackConfig>;

const email = (read: ReadContext, key: 'alarmEmail' | 'lowStockEmail'): string | undefined => {
  const address = text(read, key);
  if (address !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
    throw new StackConfigError(key, `is not an email address: "${address}"`);
  }
  return address;
};

/** The same rule as the function's EPOCH_HEADER (lambda/config.ts): printable ASCII, no spaces. */
const headerName = (read: ReadContext, key: ContextKey): string | undefined => {
  const name = text(read, key);
  if (name !== undefined && !/^[\x21-\x7e]{1,255}$/.test(name)) {
    throw new StackConfigError(
      key,
      `must be a Kafka header name (printable ASCII, no spaces), got "${name}"`,
    );
  }
  return name;
};

const tableName = (read: ReadContext, key: ContextKey, fallback: string): string => {
  const name = text(read, key) ?? fallback;
  if (!TABLE_NAME.test(name)) {
    throw new StackConfigError(
      key,
      `must be 3..255 of a-z, A-Z, 0-9, _ . - (a DynamoDB table name), got "${name}"`,
    );
  }
  return name;
};

/**
 * The whole context as the App holds it (`-c`, cdk.json, ~/.cdk.json): refuses a key this app does not read,
 * then reads the rest. infra/app.ts and the tests build the stack through this.
 */
export const readStackConfigFromContext = (
  context: Readonly<Record<string, unknown>>,
): InventoryStackConfig => {
  const [unknown] = unknownContextKeys(Object.keys(context), CONTEXT_KEYS);
  if (unknown !== undefined) throw new StackConfigError(unknown, unknownKeyMessage(unknown, CONTEXT_KEYS));
  return readStackConfig((key) => context[key]);
};

/** Reads and validates every context key once; an invalid value throws a StackConfigError naming it. */
export const readStackConfig = (read: ReadContext): InventoryStackConfig => {
  const d = CONFIG_DEFAULTS;
  const stage = text(read, 'stage');
  if (stage !== undefined && !STAGE_PATTERN.test(stage)) {
    throw new StackConfigError(
      'stage',
      `must be 1..12 of a-z, 0-9 and inner hyphens (it goes into every name), got "${stage}"`,
    );
  }
  const names = stageNames(stage);
  const inventoryTableName = tableName(read, 'tableName', names.tableName);
  const ledgerTableName = tableName(read, 'ledgerTableName', `${inventoryTableName}${LEDGER_TABLE_SUFFIX}`);
  if (ledgerTableName === inventoryTableName) {
    throw new StackConfigError('ledgerTableName', 'must differ from tableName');
  }
  const productsTopic = text(read, 'productsTopic') ?? d.productsTopic;
  const orderItemsTopic = text(read, 'orderItemsTopic') ?? d.orderItemsTopic;
  if (productsTopic === orderItemsTopic) {
    throw new StackConfigError('orderItemsTopic', 'must differ from productsTopic');
  }
  const consumerGroupPrefix = text(read, 'consumerGroupPrefix') ?? names.consumerGroupPrefix;
  if (!CONSUMER_GROUP.test(consumerGroupPrefix)) {
    throw new StackConfigError(
      'consumerGroupPrefix',
      `has characters Kafka group ids cannot use: "${consumerGroupPrefix}"`,
    );
  }
  const minimumPollers = integer(read, 'minimumPollers', 1, 200) ?? d.minimumPollers;
  const maximumPollers =
    integer(read, 'maximumPollers', 1, 2000) ?? Math.max(d.maximumPollers, minimumPollers);
  if (minimumPollers > maximumPollers) {
    throw new StackConfigError(
      'minimumPollers',
      `(${minimumPollers}) must not exceed maximumPollers (${maximumPollers})`,
    );
  }
  const maxRecordAgeSeconds = integer(read, 'maxRecordAgeSeconds', 60, 604_800);
  const reservedConcurrency = integer(read, 'reservedConcurrency', 1, 10_000);
  const logRetentionDays = integer(read, 'logRetentionDays', 1, 3653) ?? d.logRetentionDays;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new StackConfigError('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
  }
  const alarmEmail = email(read, 'alarmEmail');
  const lowStockEmail = email(read, 'lowStockEmail');
  const pollerMode = oneOf(read, 'pollerMode', POLLER_MODES) ?? d.pollerMode;
  const kafka = readKafkaConfig(read);
  const provisionedOnly = readProvisionedOnly(
    read,
    { provisioned: pollerMode === 'provisioned', maximumPollers, mappings: KAFKA_MAPPINGS },
    names.pollerGroupName,
    kafka.schemaRegistry,
  );

  return {
    ...(stage === undefined ? {} : { stage }),
    stackName: names.stackName,
    serviceName: names.serviceName,
    tableName: inventoryTableName,
    ledgerTableName,
    ...kafka,
    ...provisionedOnly,
    productsTopic,
    orderItemsTopic,
    consumerGroupPrefix,
    batchSize: integer(read, 'batchSize', 1, 10_000) ?? d.batchSize,
    batchingWindowSeconds: integer(read, 'batchingWindowSeconds', 0, 300) ?? d.batchingWindowSeconds,
    retryAttempts: integer(read, 'retryAttempts', 0, 10_000) ?? d.retryAttempts,
    ...(maxRecordAgeSeconds === undefined ? {} : { maxRecordAgeSeconds }),
    bisectBatchOnError: flag(read, 'bisectBatchOnError') ?? d.bisectBatchOnError,
    pollerMode,
    minimumPollers,
    maximumPollers,
    lowStockThreshold: integer(read, 'lowStockThreshold', 0, 2 ** 31 - 1) ?? d.lowStockThreshold,
    stockModel: oneOf(read, 'stockModel', STOCK_MODELS) ?? d.stockModel,
    sourceEpoch: integer(read, 'sourceEpoch', 0, 0xffff) ?? d.sourceEpoch,
    epochHeader: headerName(read, 'epochHeader') ?? d.epochHeader,
    lagBoundHours: integer(read, 'lagBoundHours', 1, 87_600) ?? d.lagBoundHours,
    logLevel: oneOf(read, 'logLevel', ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const) ?? d.logLevel,
    memorySizeMb: integer(read, 'memorySizeMb', 128, 10_240) ?? d.memorySizeMb,
    timeoutSeconds: integer(read, 'timeoutSeconds', 30, 840) ?? d.timeoutSeconds,
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    logRetentionDays,
    dlqRetentionDays: integer(read, 'dlqRetentionDays', 31, 36_500) ?? d.dlqRetentionDays,
    offsetLagThreshold: integer(read, 'offsetLagThreshold', 1, 1_000_000_000) ?? d.offsetLagThreshold,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    ...(lowStockEmail === undefined ? {} : { lowStockEmail }),
    localEndpoints: flag(read, 'localEndpoints') ?? d.localEndpoints,
  };
};

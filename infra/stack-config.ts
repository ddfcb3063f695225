/**
 * Turns CDK context (`-c key=value` or cdk.json) into the typed props of the inventory stack.
 * Everything the constructs need arrives through these props; nothing below reads context or env.
 */
import { BASE_NAMES, STAGE_PATTERN, stageNames } from './stage-names.js';
import { unknownContextKeys, unknownKeyMessage } from './unknown-context.js';

/** How the stack reaches Kafka. `none` still deploys table, bucket, function and dashboard. */
export type KafkaSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'msk'; readonly clusterArn: string }
  | {
      readonly kind: 'self-managed';
      readonly bootstrapServers: readonly string[];
      /** Secrets Manager ARN holding SASL/SCRAM credentials or the mTLS client certificate. */
      readonly secretArn?: string;
      readonly authMethod: SelfManagedAuthMethod;
      /** Subnets and security group the event poller uses to reach brokers inside a VPC. */
      readonly subnetIds: readonly string[];
      readonly securityGroupId?: string;
    };

export const SELF_MANAGED_AUTH_METHODS = ['SASL_SCRAM_512', 'SASL_SCRAM_256', 'MTLS'] as const;
export type SelfManagedAuthMethod = (typeof SELF_MANAGED_AUTH_METHODS)[number];

export const POLLER_MODES = ['provisioned', 'on-demand'] as const;
export type PollerMode = (typeof POLLER_MODES)[number];

/** How the shop writes stock; mirrors lambda/inventory/stock-model.ts (STOCK_MODEL). */
export const STOCK_MODELS = ['orders', 'products', 'ledger'] as const;
export type StockModel = (typeof STOCK_MODELS)[number];

/** The ledger table's default name: the inventory table's with this suffix (lambda/store/ledger-attributes.ts). */
export const LEDGER_TABLE_SUFFIX = '-ledger';

export interface InventoryStackConfig {
  /** `-c stage=dev`: carried by every name below that is not given explicitly; unset keeps the original names. */
  readonly stage?: string;
  readonly stackName: string;
  readonly tableName: string;
  /** The function's bookkeeping next to the inventory table: deletes and order-line identities. */
  readonly ledgerTableName: string;
  readonly kafka: KafkaSource;
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
  /** Raised by the operator when LSNs start again (database moved, new slot); SOURCE_EPOCH. */
  readonly sourceEpoch: number;
  /** How late a change may arrive and still be ordered exactly; at least the topics' retention. */
  readonly lagBoundHours: number;
  readonly logLevel: string;
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly reservedConcurrency?: number;
  readonly logRetentionDays: number;
  readonly dlqRetentionDays: number;
  readonly offsetLagThreshold: number;
  readonly alarmEmail?: string;
  /** Declares empty AWS_ENDPOINT_URL_* variables so `sam local invoke --env-vars` can point them at emulators. */
  readonly localEndpoints: boolean;
}

export const CONFIG_DEFAULTS = {
  tableName: BASE_NAMES.tableName,
  productsTopic: 'dbserver1.public.products',
  orderItemsTopic: 'dbserver1.public.order_items',
  consumerGroupPrefix: BASE_NAMES.consumerGroupPrefix,
  batchSize: 100,
  batchingWindowSeconds: 1,
  retryAttempts: 10,
  bisectBatchOnError: true,
  pollerMode: 'provisioned',
  minimumPollers: 1,
  maximumPollers: 2,
  lowStockThreshold: 10,
  stockModel: 'orders',
  sourceEpoch: 0,
  /** Kafka's and MSK's default retention is 7 days (168 h); a day more covers a redelivery at its edge. */
  lagBoundHours: 192,
  logLevel: 'INFO',
  memorySizeMb: 512,
  timeoutSeconds: 120,
  logRetentionDays: 30,
  dlqRetentionDays: 365,
  offsetLagThreshold: 1000,
  localEndpoints: false,
} as const satisfies Partial<InventoryStackConfig>;

/** The context keys this app understands; any other key (bar the CDK's own) is refused (unknown-context.ts). */
export const CONTEXT_KEYS = [
  'stage',
  'tableName',
  'ledgerTableName',
  'mskClusterArn',
  'bootstrapServers',
  'kafkaSecretArn',
  'kafkaAuthMethod',
  'kafkaSubnetIds',
  'kafkaSecurityGroupId',
  'productsTopic',
  'orderItemsTopic',
  'consumerGroupPrefix',
  'batchSize',
  'batchingWindowSeconds',
  'retryAttempts',
  'maxRecordAgeSeconds',
  'bisectBatchOnError',
  'pollerMode',
  'minimumPollers',
  'maximumPollers',
  'lowStockThreshold',
  'stockModel',
  'sourceEpoch',
  'lagBoundHours',
  'logLevel',
  'memorySizeMb',
  'timeoutSeconds',
  'reservedConcurrency',
  'logRetentionDays',
  'dlqRetentionDays',
  'offsetLagThreshold',
  'alarmEmail',
  'localEndpoints',
] as const;
export type ContextKey = (typeof CONTEXT_KEYS)[number];

/** Raised for context that cannot produce a deployable stack; the message names the key. */
export class StackConfigError extends Error {
  /** A ContextKey, or the unknown key that was refused. */
  public readonly key: string;

  constructor(key: ContextKey | (string & {}), message: string) {
    super(`context "${key}" ${message}`);
    this.name = 'StackConfigError';
    this.key = key;
  }
}

type ReadContext = (key: ContextKey) => unknown;

/** The retention periods CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const MSK_CLUSTER_ARN = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;
const CONSUMER_GROUP = /^[a-zA-Z0-9\-/*:_+=.@]{1,190}$/;
/** The names DynamoDB accepts for a table. */
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;

const text = (read: ReadContext, key: ContextKey): string | undefined => {
  const value = read(key);
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
};

const list = (read: ReadContext, key: ContextKey): string[] => {
  const value = read(key);
  const items = Array.isArray(value) ? value.map(String) : (text(read, key)?.split(',') ?? []);
  return items.map((item) => item.trim()).filter((item) => item !== '');
};

const integer = (read: ReadContext, key: ContextKey, min: number, max: number): number | undefined => {
  const raw = text(read, key);
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw)) throw new StackConfigError(key, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new StackConfigError(key, `must be within ${min}..${max}, got ${value}`);
  return value;
};

const flag = (read: ReadContext, key: ContextKey): boolean | undefined => {
  const raw = text(read, key)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new StackConfigError(key, `must be true or false, got "${raw}"`);
};

const oneOf = <T extends string>(
  read: ReadContext,
  key: ContextKey,
  allowed: readonly T[],
): T | undefined => {
  const raw = text(read, key);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new StackConfigError(key, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
};

const readKafkaSource = (read: ReadContext): KafkaSource => {
  const clusterArn = text(read, 'mskClusterArn');
  const bootstrapServers = list(read, 'bootstrapServers');
  if (clusterArn !== undefined && bootstrapServers.length > 0) {
    throw new StackConfigError(
      'bootstrapServers',
      'cannot be combined with mskClusterArn; choose one source',
    );
  }
  if (clusterArn !== undefined) {
    if (!MSK_CLUSTER_ARN.test(clusterArn)) {
      throw new StackConfigError(
        'mskClusterArn',
        `must look like arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>, got "${clusterArn}"`,
      );
    }
    return { kind: 'msk', clusterArn };
  }
  if (bootstrapServers.length === 0) return { kind: 'none' };

  const secretArn = text(read, 'kafkaSecretArn');
  const subnetIds = list(read, 'kafkaSubnetIds');
  const securityGroupId = text(read, 'kafkaSecurityGroupId');
  if (subnetIds.length > 0 !== (securityGroupId !== undefined)) {
    throw new StackConfigError('kafkaSubnetIds', 'and kafkaSecurityGroupId must be set together');
  }
  if (secretArn === undefined && subnetIds.length === 0) {
    // Lambda would reach the brokers over the internet with no authentication at all.
    throw new StackConfigError(
      'kafkaSecretArn',
      'is required when brokers are reached over the internet (no kafkaSubnetIds given)',
    );
  }
  return {
    kind: 'self-managed',
    bootstrapServers,
    ...(secretArn === undefined ? {} : { secretArn }),
    authMethod: oneOf(read, 'kafkaAuthMethod', SELF_MANAGED_AUTH_METHODS) ?? 'SASL_SCRAM_512',
    subnetIds,
    ...(securityGroupId === undefined ? {} : { securityGroupId }),
  };
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
  const alarmEmail = text(read, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new StackConfigError('alarmEmail', `is not an email address: "${alarmEmail}"`);
  }

  return {
    ...(stage === undefined ? {} : { stage }),
    stackName: names.stackName,
    tableName: inventoryTableName,
    ledgerTableName,
    kafka: readKafkaSource(read),
    productsTopic,
    orderItemsTopic,
    consumerGroupPrefix,
    batchSize: integer(read, 'batchSize', 1, 10_000) ?? d.batchSize,
    batchingWindowSeconds: integer(read, 'batchingWindowSeconds', 0, 300) ?? d.batchingWindowSeconds,
    retryAttempts: integer(read, 'retryAttempts', 0, 10_000) ?? d.retryAttempts,
    ...(maxRecordAgeSeconds === undefined ? {} : { maxRecordAgeSeconds }),
    bisectBatchOnError: flag(read, 'bisectBatchOnError') ?? d.bisectBatchOnError,
    pollerMode: oneOf(read, 'pollerMode', POLLER_MODES) ?? d.pollerMode,
    minimumPollers,
    maximumPollers,
    lowStockThreshold: integer(read, 'lowStockThreshold', 0, 2 ** 31 - 1) ?? d.lowStockThreshold,
    stockModel: oneOf(read, 'stockModel', STOCK_MODELS) ?? d.stockModel,
    sourceEpoch: integer(read, 'sourceEpoch', 0, 0xffff) ?? d.sourceEpoch,
    lagBoundHours: integer(read, 'lagBoundHours', 1, 87_600) ?? d.lagBoundHours,
    logLevel: oneOf(read, 'logLevel', ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const) ?? d.logLevel,
    memorySizeMb: integer(read, 'memorySizeMb', 128, 10_240) ?? d.memorySizeMb,
    timeoutSeconds: integer(read, 'timeoutSeconds', 30, 840) ?? d.timeoutSeconds,
    ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
    logRetentionDays,
    dlqRetentionDays: integer(read, 'dlqRetentionDays', 31, 36_500) ?? d.dlqRetentionDays,
    offsetLagThreshold: integer(read, 'offsetLagThreshold', 1, 1_000_000_000) ?? d.offsetLagThreshold,
    ...(alarmEmail === undefined ? {} : { alarmEmail }),
    localEndpoints: flag(read, 'localEndpoints') ?? d.localEndpoints,
  };
};

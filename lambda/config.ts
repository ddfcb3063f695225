import { DEFAULT_EPOCH_HEADER, MAX_EPOCH } from './decode/record-epoch.js';
import { ConfigError } from './errors.js';
import { STOCK_MODELS, StockModel } from './inventory/stock-model.js';
import { LEDGER_TABLE_SUFFIX } from './store/ledger-attributes.js';

export interface Config {
  readonly tableName: string;
  /** Bookkeeping next to the inventory table: deletes and order-line identities (ledger-attributes.ts). */
  readonly ledgerTableName: string;
  readonly deadLetterBucket: string;
  /** How the shop writes stock (SOURCE_SCHEMA.md, "Stock models"). */
  readonly stockModel: StockModel;
  /**
   * The epoch of records that carry no epoch header. Connectors stamp their epoch at produce time
   * (`epochHeader`), so a database move needs no change here; this covers connectors set up without it.
   */
  readonly sourceEpoch: number;
  /** The record header holding the epoch the connector stamped (Kafka Connect's InsertHeader transform). */
  readonly epochHeader: string;
  /**
   * How late a change may arrive relative to the other topic and still be ordered exactly; order-line
   * identities are kept this long. At least the topics' retention, so nothing Kafka can still deliver is
   * older than the memory of it.
   */
  readonly lagBoundHours: number;
  readonly region: string;
  readonly lowStockThreshold: number;
  readonly productsTopic: string;
  readonly orderItemsTopic: string;
  /** Scale used for a schemaless price that is not already a decimal string. */
  readonly priceScale: number;
  /**
   * The mappings convert values through a schema registry (EventRecordFormat JSON): records rebuilt without
   * Lambda's valueSchemaMetadata (dead letters, replays, redrives) are still read as registry renderings.
   */
  readonly registryValues: boolean;
  /** Independent products written in parallel. */
  readonly writeConcurrency: number;
  /** Below this many ms left, no new write starts and the invocation fails for redelivery. */
  readonly timeBudgetMarginMs: number;
  readonly dynamoDbEndpoint: string | undefined;
  readonly s3Endpoint: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULTS = {
  tableName: 'inventory-realtime',
  stockModel: StockModel.ORDERS,
  sourceEpoch: 0,
  epochHeader: DEFAULT_EPOCH_HEADER,
  /** Kafka's and MSK's default retention is 7 days (168 h); a day more covers a redelivery at its edge. */
  lagBoundHours: 192,
  region: 'us-east-1',
  lowStockThreshold: 10,
  productsTopic: 'dbserver1.public.products',
  orderItemsTopic: 'dbserver1.public.order_items',
  priceScale: 2,
  registryValues: false,
  writeConcurrency: 16,
  timeBudgetMarginMs: 10_000,
} as const;

const text = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
};

const integer = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
  return value;
};

/**
 * A Kafka header name as an operator types it into a connector's configuration: printable ASCII without
 * spaces. Anything else is far more likely a copy-paste slip than a header a connector writes.
 */
const headerName = (env: Env, name: string, fallback: string): string => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^[\x21-\x7e]{1,255}$/.test(raw)) {
    throw new ConfigError(name, `expected a header name (printable ASCII, no spaces), got "${raw}"`);
  }
  return raw;
};

const flag = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
};

const required = (env: Env, name: string, why: string): string => {
  const value = text(env, name);
  if (value === undefined) throw new ConfigError(name, `is required (${why})`);
  return value;
};

const oneOf = <T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
};

export const MAX_LAG_BOUND_HOURS = 87_600;

/** Reads and validates the environment once; any problem names the variable at fault. */
export const loadConfig = (env: Env = process.env): Config => {
  const productsTopic = text(env, 'PRODUCTS_TOPIC') ?? DEFAULTS.productsTopic;
  const orderItemsTopic = text(env, 'ORDER_ITEMS_TOPIC') ?? DEFAULTS.orderItemsTopic;
  if (productsTopic === orderItemsTopic) {
    throw new ConfigError('ORDER_ITEMS_TOPIC', 'must differ from PRODUCTS_TOPIC');
  }
  const tableName = text(env, 'DYNAMODB_TABLE') ?? DEFAULTS.tableName;
  const ledgerTableName = text(env, 'LEDGER_TABLE') ?? `${tableName}${LEDGER_TABLE_SUFFIX}`;
  if (ledgerTableName === tableName) throw new ConfigError('LEDGER_TABLE', 'must differ from DYNAMODB_TABLE');
  return {
    tableName,
    ledgerTableName,
    stockModel: oneOf(env, 'STOCK_MODEL', STOCK_MODELS, DEFAULTS.stockModel),
    sourceEpoch: integer(env, 'SOURCE_EPOCH', DEFAULTS.sourceEpoch, 0, MAX_EPOCH),
    epochHeader: headerName(env, 'EPOCH_HEADER', DEFAULTS.epochHeader),
    // Up to ten years: replaying an old history (the samples in events/ are from 2025) is a legitimate use.
    lagBoundHours: integer(env, 'LAG_BOUND_HOURS', DEFAULTS.lagBoundHours, 1, MAX_LAG_BOUND_HOURS),
    deadLetterBucket: required(env, 'DLQ_S3_BUCKET', 'a dead letter must have a home'),
    region: text(env, 'AWS_REGION') ?? text(env, 'AWS_DEFAULT_REGION') ?? DEFAULTS.region,
    lowStockThreshold: integer(env, 'LOW_STOCK_THRESHOLD', DEFAULTS.lowStockThreshold, 0, 2 ** 31 - 1),
    productsTopic,
    orderItemsTopic,
    priceScale: integer(env, 'PRICE_SCALE', DEFAULTS.priceScale, 0, 38),
    registryValues: flag(env, 'REGISTRY_VALUES', DEFAULTS.registryValues),
    writeConcurrency: integer(env, 'WRITE_CONCURRENCY', DEFAULTS.writeConcurrency, 1, 256),
    timeBudgetMarginMs: integer(env, 'TIME_BUDGET_MARGIN_MS', DEFAULTS.timeBudgetMarginMs, 0, 900_000),
    dynamoDbEndpoint: text(env, 'AWS_ENDPOINT_URL_DYNAMODB') ?? text(env, 'AWS_ENDPOINT_URL'),
    s3Endpoint: text(env, 'AWS_ENDPOINT_URL_S3') ?? text(env, 'AWS_ENDPOINT_URL'),
  };
};

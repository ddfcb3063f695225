import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadConfig } from '../../lambda/config.js';
import { ConfigError, ErrorCode, InventoryError } from '../../lambda/errors.js';
import { captureError } from './support/errors.js';

const MINIMAL_ENV = { DLQ_S3_BUCKET: 'inventory-dlq' };

const expectConfigError = (error: unknown, variable: string): void => {
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toBeInstanceOf(InventoryError);
  expect((error as ConfigError).code).toBe(ErrorCode.CONFIG_INVALID);
  expect((error as ConfigError).variable).toBe(variable);
  expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
};

describe('loadConfig', () => {
  it('applies every default when only the dead-letter bucket is set', () => {
    // Prepare
    const env = { ...MINIMAL_ENV };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config).toEqual({
      tableName: 'inventory-realtime',
      ledgerTableName: 'inventory-realtime-ledger',
      stockModel: 'orders',
      sourceEpoch: 0,
      epochHeader: 'cdc.epoch',
      lagBoundHours: 192,
      deadLetterBucket: 'inventory-dlq',
      region: 'us-east-1',
      lowStockThreshold: 10,
      productsTopic: 'dbserver1.public.products',
      orderItemsTopic: 'dbserver1.public.order_items',
      priceScale: 2,
      registryValues: false,
      writeConcurrency: 16,
      timeBudgetMarginMs: 10_000,
      dynamoDbEndpoint: undefined,
      s3Endpoint: undefined,
    });
    expect(DEFAULTS.tableName).toBe('inventory-realtime');
  });

  it('reads every variable, trimming surrounding whitespace', () => {
    // Prepare
    const env = {
      DYNAMODB_TABLE: ' inventory-test ',
      DLQ_S3_BUCKET: 'dlq-bucket',
      AWS_REGION: 'eu-west-1',
      LOW_STOCK_THRESHOLD: ' 25 ',
      PRODUCTS_TOPIC: 'shop.public.products',
      ORDER_ITEMS_TOPIC: 'shop.public.order_items',
      PRICE_SCALE: '4',
      WRITE_CONCURRENCY: '8',
      TIME_BUDGET_MARGIN_MS: '5000',
      LEDGER_TABLE: ' inventory-test-bookkeeping ',
      STOCK_MODEL: 'ledger',
      SOURCE_EPOCH: '2',
      EPOCH_HEADER: ' shop.epoch ',
      LAG_BOUND_HOURS: '336',
      REGISTRY_VALUES: ' true ',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:4567',
      AWS_ENDPOINT_URL_S3: 'http://localhost:4568',
    };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config).toEqual({
      tableName: 'inventory-test',
      ledgerTableName: 'inventory-test-bookkeeping',
      stockModel: 'ledger',
      sourceEpoch: 2,
      epochHeader: 'shop.epoch',
      lagBoundHours: 336,
      deadLetterBucket: 'dlq-bucket',
      region: 'eu-west-1',
      lowStockThreshold: 25,
      productsTopic: 'shop.public.products',
      orderItemsTopic: 'shop.public.order_items',
      priceScale: 4,
      registryValues: true,
      writeConcurrency: 8,
      timeBudgetMarginMs: 5000,
      dynamoDbEndpoint: 'http://localhost:4567',
      s3Endpoint: 'http://localhost:4568',
    });
  });

  it('falls back to AWS_DEFAULT_REGION and the shared AWS_ENDPOINT_URL', () => {
    // Prepare
    const env = {
      ...MINIMAL_ENV,
      AWS_DEFAULT_REGION: 'ap-southeast-2',
      AWS_ENDPOINT_URL: 'http://localhost:9000',
    };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.region).toBe('ap-southeast-2');
    expect(config.dynamoDbEndpoint).toBe('http://localhost:9000');
    expect(config.s3Endpoint).toBe('http://localhost:9000');
  });

  it('prefers the service-specific endpoint over the shared one', () => {
    // Prepare
    const env = {
      ...MINIMAL_ENV,
      AWS_ENDPOINT_URL: 'http://shared:9000',
      AWS_ENDPOINT_URL_S3: 'http://s3:9000',
    };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.s3Endpoint).toBe('http://s3:9000');
    expect(config.dynamoDbEndpoint).toBe('http://shared:9000');
  });

  it.each([
    ['absent', {}],
    ['empty', { DLQ_S3_BUCKET: '' }],
    ['blank', { DLQ_S3_BUCKET: '   ' }],
  ])('refuses to start when DLQ_S3_BUCKET is %s', (_label, env) => {
    // Prepare
    const input: Record<string, string> = env;

    // Act
    const error = captureError(() => loadConfig(input));

    // Assess
    expectConfigError(error, 'DLQ_S3_BUCKET');
  });

  it('treats blank optional variables as unset', () => {
    // Prepare
    const env = { ...MINIMAL_ENV, DYNAMODB_TABLE: '', LOW_STOCK_THRESHOLD: '  ' };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config.tableName).toBe('inventory-realtime');
    expect(config.lowStockThreshold).toBe(10);
  });

  it.each([
    ['LOW_STOCK_THRESHOLD', 'ten'],
    ['LOW_STOCK_THRESHOLD', '1.5'],
    ['LOW_STOCK_THRESHOLD', '1e3'],
    ['LOW_STOCK_THRESHOLD', '-1'],
    ['LOW_STOCK_THRESHOLD', '2147483648'],
    ['PRICE_SCALE', '39'],
    ['PRICE_SCALE', '-1'],
    ['PRICE_SCALE', '0x2'],
    ['WRITE_CONCURRENCY', '0'],
    ['WRITE_CONCURRENCY', '257'],
    ['TIME_BUDGET_MARGIN_MS', '900001'],
    ['TIME_BUDGET_MARGIN_MS', '10s'],
    ['STOCK_MODEL', 'Orders'],
    ['STOCK_MODEL', 'inventory'],
    ['SOURCE_EPOCH', '-1'],
    ['SOURCE_EPOCH', '65536'],
    ['SOURCE_EPOCH', 'next'],
    ['EPOCH_HEADER', 'cdc epoch'],
    ['EPOCH_HEADER', 'époque'],
    ['EPOCH_HEADER', 'x'.repeat(256)],
    ['LAG_BOUND_HOURS', '0'],
    ['LAG_BOUND_HOURS', '87601'],
    ['LEDGER_TABLE', 'inventory-realtime'],
    ['REGISTRY_VALUES', 'yes'],
    ['REGISTRY_VALUES', '1'],
  ])('rejects %s=%s naming the variable', (variable, value) => {
    // Prepare
    const env = { ...MINIMAL_ENV, [variable]: value };

    // Act
    const error = captureError(() => loadConfig(env));

    // Assess
    expectConfigError(error, variable);
  });

  it.each([
    ['LOW_STOCK_THRESHOLD', '0', 'lowStockThreshold', 0],
    ['PRICE_SCALE', '0', 'priceScale', 0],
    ['PRICE_SCALE', '38', 'priceScale', 38],
    ['WRITE_CONCURRENCY', '1', 'writeConcurrency', 1],
    ['WRITE_CONCURRENCY', '256', 'writeConcurrency', 256],
    ['TIME_BUDGET_MARGIN_MS', '0', 'timeBudgetMarginMs', 0],
    ['SOURCE_EPOCH', '65535', 'sourceEpoch', 65535],
    ['EPOCH_HEADER', '__cdc.epoch-v2', 'epochHeader', '__cdc.epoch-v2'],
    ['LAG_BOUND_HOURS', '1', 'lagBoundHours', 1],
    ['LAG_BOUND_HOURS', '87600', 'lagBoundHours', 87600],
    ['STOCK_MODEL', 'products', 'stockModel', 'products'],
    ['REGISTRY_VALUES', 'true', 'registryValues', true],
    ['REGISTRY_VALUES', ' TRUE ', 'registryValues', true],
    ['REGISTRY_VALUES', 'false', 'registryValues', false],
  ] as const)('accepts the boundary %s=%s', (variable, value, property, expected) => {
    // Prepare
    const env = { ...MINIMAL_ENV, [variable]: value };

    // Act
    const config = loadConfig(env);

    // Assess
    expect(config[property]).toBe(expected);
  });

  it('rejects equal topics, naming ORDER_ITEMS_TOPIC', () => {
    // Prepare
    const env = { ...MINIMAL_ENV, PRODUCTS_TOPIC: 'shop.changes', ORDER_ITEMS_TOPIC: 'shop.changes' };

    // Act
    const error = captureError(() => loadConfig(env));

    // Assess
    expectConfigError(error, 'ORDER_ITEMS_TOPIC');
  });

  it('rejects a products topic set to the default order items topic', () => {
    // Prepare
    const env = { ...MINIMAL_ENV, PRODUCTS_TOPIC: 'dbserver1.public.order_items' };

    // Act
    const error = captureError(() => loadConfig(env));

    // Assess
    expectConfigError(error, 'ORDER_ITEMS_TOPIC');
  });
});

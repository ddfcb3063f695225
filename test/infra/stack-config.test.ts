import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, readStackConfig, StackConfigError } from '../../infra/stack-config.js';
import {
  KAFKA_SECRET_ARN,
  MSK_CLUSTER_ARN,
  SELF_MANAGED_CONTEXT,
  type StackContext,
} from './stack-fixture.js';

const read = (context: StackContext) => readStackConfig((key) => context[key]);
const MSK = { mskClusterArn: MSK_CLUSTER_ARN } as const;
const GLUE = 'arn:aws:glue:us-east-1:123456789012:registry/cdc-registry';

describe('readStackConfig', () => {
  it('falls back to the seed defaults and no Kafka source when no context is set', () => {
    // Act
    const config = read({});

    // Assess
    expect(config).toMatchObject({
      tableName: 'inventory-realtime',
      ledgerTableName: 'inventory-realtime-ledger',
      kafka: { kind: 'none' },
      consumerGroupPrefix: 'inventory-service-group',
      productsTopic: 'dbserver1.public.products',
      orderItemsTopic: 'dbserver1.public.order_items',
      batchSize: CONFIG_DEFAULTS.batchSize,
      retryAttempts: CONFIG_DEFAULTS.retryAttempts,
      pollerMode: 'provisioned',
      stockModel: 'orders',
      sourceEpoch: 0,
      epochHeader: 'cdc.epoch',
      lagBoundHours: 192,
    });
    expect(config.maxRecordAgeSeconds).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('names the ledger table after the inventory table unless ledgerTableName is given', () => {
    // Act
    const derived = read({ tableName: 'stock-eu' });
    const explicit = read({ tableName: 'stock-eu', ledgerTableName: 'stock-eu-bookkeeping' });

    // Assess
    expect(derived).toMatchObject({ tableName: 'stock-eu', ledgerTableName: 'stock-eu-ledger' });
    expect(explicit).toMatchObject({ tableName: 'stock-eu', ledgerTableName: 'stock-eu-bookkeeping' });
  });

  it('reads the stock model, source epoch and lag bound, up to their limits', () => {
    // Act
    const low = read({ stockModel: 'products', sourceEpoch: '0', lagBoundHours: '1' });
    const high = read({ stockModel: 'ledger', sourceEpoch: '65535', lagBoundHours: '87600' });

    // Assess
    expect(low).toMatchObject({ stockModel: 'products', sourceEpoch: 0, lagBoundHours: 1 });
    expect(high).toMatchObject({ stockModel: 'ledger', sourceEpoch: 65_535, lagBoundHours: 87_600 });
  });

  it('reads an MSK cluster ARN', () => {
    // Act
    const config = read({ mskClusterArn: MSK_CLUSTER_ARN });

    // Assess
    expect(config.kafka).toEqual({ kind: 'msk', clusterArn: MSK_CLUSTER_ARN, authMethod: 'IAM' });
  });

  it('reads self-managed brokers with credentials and VPC placement', () => {
    // Act
    const config = read({ ...SELF_MANAGED_CONTEXT, kafkaAuthMethod: 'MTLS' });

    // Assess
    expect(config.kafka).toEqual({
      kind: 'self-managed',
      bootstrapServers: ['b-1.kafka.example.com:9096', 'b-2.kafka.example.com:9096'],
      secretArn: KAFKA_SECRET_ARN,
      authMethod: 'MTLS',
      subnetIds: ['subnet-0aaa', 'subnet-0bbb'],
      securityGroupId: 'sg-0ccc',
    });
  });

  it('parses numbers and flags given as strings on the command line', () => {
    // Act
    const config = read({
      batchSize: '500',
      maxRecordAgeSeconds: '3600',
      bisectBatchOnError: 'false',
      reservedConcurrency: '4',
      alarmEmail: 'ops@example.com',
    });

    // Assess
    expect(config).toMatchObject({
      batchSize: 500,
      maxRecordAgeSeconds: 3600,
      bisectBatchOnError: false,
      reservedConcurrency: 4,
      alarmEmail: 'ops@example.com',
    });
  });

  it.each<[string, StackContext, string]>([
    ['both sources', { mskClusterArn: MSK_CLUSTER_ARN, bootstrapServers: 'b:9092' }, 'bootstrapServers'],
    ['a malformed cluster ARN', { mskClusterArn: 'arn:aws:kafka:us-east-1:1:cluster/x' }, 'mskClusterArn'],
    ['internet brokers without a secret', { bootstrapServers: 'b:9092' }, 'kafkaSecretArn'],
    [
      'subnets without a security group',
      { bootstrapServers: 'b:9092', kafkaSubnetIds: 'subnet-1' },
      'kafkaSubnetIds',
    ],
    ['an unknown auth method', { ...SELF_MANAGED_CONTEXT, kafkaAuthMethod: 'PLAIN' }, 'kafkaAuthMethod'],
    ['a batch size over 10,000', { batchSize: '10001' }, 'batchSize'],
    ['a record age under a minute', { maxRecordAgeSeconds: '30' }, 'maxRecordAgeSeconds'],
    ['a log retention CloudWatch rejects', { logRetentionDays: '10' }, 'logRetentionDays'],
    ['the same topic twice', { orderItemsTopic: 'dbserver1.public.products' }, 'orderItemsTopic'],
    ['more minimum than maximum pollers', { minimumPollers: '5', maximumPollers: '2' }, 'minimumPollers'],
    ['a non-boolean flag', { bisectBatchOnError: 'yes' }, 'bisectBatchOnError'],
    [
      'a ledger table named like the inventory table',
      { ledgerTableName: 'inventory-realtime' },
      'ledgerTableName',
    ],
    ['a ledger table name DynamoDB refuses', { ledgerTableName: 'ledger/eu' }, 'ledgerTableName'],
    ['a table name DynamoDB refuses', { tableName: 'ab' }, 'tableName'],
    ['an unknown stock model', { stockModel: 'warehouse' }, 'stockModel'],
    ['a stock model in the wrong case', { stockModel: 'Orders' }, 'stockModel'],
    ['a source epoch over 65535', { sourceEpoch: '65536' }, 'sourceEpoch'],
    ['a negative source epoch', { sourceEpoch: '-1' }, 'sourceEpoch'],
    ['a fractional source epoch', { sourceEpoch: '1.5' }, 'sourceEpoch'],
    ['an epoch header with a space', { epochHeader: 'cdc epoch' }, 'epochHeader'],
    ['a lag bound of 0 hours', { lagBoundHours: '0' }, 'lagBoundHours'],
    ['a lag bound over ten years', { lagBoundHours: '87601' }, 'lagBoundHours'],
    ['a lag bound that is not a number', { lagBoundHours: '7d' }, 'lagBoundHours'],
    ['a stage with capitals', { stage: 'Prod' }, 'stage'],
    ['a stage too long for names', { stage: 'integration-eu' }, 'stage'],
    ['a low-stock address that is not one', { lowStockEmail: 'buyers' }, 'lowStockEmail'],
    ['a secret with MSK IAM auth', { ...MSK, kafkaSecretArn: KAFKA_SECRET_ARN }, 'kafkaSecretArn'],
    ['MSK SCRAM without a secret', { ...MSK, kafkaAuthMethod: 'SASL_SCRAM_512' }, 'kafkaSecretArn'],
    [
      'MSK SCRAM without the key of its secret',
      { ...MSK, kafkaAuthMethod: 'SASL_SCRAM_512', kafkaSecretArn: KAFKA_SECRET_ARN },
      'kafkaSecretKmsKeyArn',
    ],
    ['SASL/PLAIN on MSK', { ...MSK, kafkaAuthMethod: 'BASIC_AUTH' }, 'kafkaAuthMethod'],
    ['a root CA on MSK', { ...MSK, kafkaRootCaSecretArn: KAFKA_SECRET_ARN }, 'kafkaRootCaSecretArn'],
    [
      'an auth method without a secret',
      {
        bootstrapServers: 'b:9092',
        kafkaSubnetIds: 'subnet-1',
        kafkaSecurityGroupId: 'sg-1',
        kafkaAuthMethod: 'BASIC_AUTH',
      },
      'kafkaSecretArn',
    ],
    [
      'a secret that is not an ARN',
      { ...SELF_MANAGED_CONTEXT, kafkaSecretArn: 'kafka-scram' },
      'kafkaSecretArn',
    ],
    // A partial ARN (no random suffix) names the secret for Lambda, but as an IAM Resource it matches nothing.
    [
      'a partial secret ARN, without its 6-character suffix',
      {
        ...SELF_MANAGED_CONTEXT,
        kafkaSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-scram',
      },
      'kafkaSecretArn',
    ],
    [
      'a partial root CA secret ARN',
      {
        ...SELF_MANAGED_CONTEXT,
        kafkaRootCaSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/kafka/root-ca',
      },
      'kafkaRootCaSecretArn',
    ],
    [
      'a partial registry secret ARN',
      {
        ...MSK,
        schemaRegistryUri: 'https://registry.example.com',
        schemaRegistrySecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:registry',
      },
      'schemaRegistrySecretArn',
    ],
    ['an auth method without a source', { kafkaAuthMethod: 'IAM' }, 'kafkaAuthMethod'],
    [
      'a key that is not a KMS key ARN',
      { ...MSK, kafkaSecretKmsKeyArn: 'alias/kafka' },
      'kafkaSecretKmsKeyArn',
    ],
    [
      'AT_TIMESTAMP without a timestamp',
      { ...MSK, startingPosition: 'AT_TIMESTAMP' },
      'startingPositionTimestamp',
    ],
    [
      'a timestamp without AT_TIMESTAMP',
      { ...MSK, startingPositionTimestamp: '1735689600' },
      'startingPositionTimestamp',
    ],
    [
      'a timestamp in milliseconds',
      { ...MSK, startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: '1735689600000' },
      'startingPositionTimestamp',
    ],
    ['an unknown starting position', { ...MSK, startingPosition: 'EARLIEST' }, 'startingPosition'],
    [
      'a registry in on-demand mode',
      { ...MSK, schemaRegistryUri: GLUE, pollerMode: 'on-demand' },
      'schemaRegistryUri',
    ],
    [
      'a registry over plain http',
      { ...MSK, schemaRegistryUri: 'http://registry:8081' },
      'schemaRegistryUri',
    ],
    [
      'a secret for a Glue registry',
      { ...MSK, schemaRegistryUri: GLUE, schemaRegistrySecretArn: KAFKA_SECRET_ARN },
      'schemaRegistrySecretArn',
    ],
    [
      'a registry secret without a registry',
      { ...MSK, schemaRegistrySecretArn: KAFKA_SECRET_ARN },
      'schemaRegistrySecretArn',
    ],
    ['a registry without a source', { schemaRegistryUri: GLUE }, 'schemaRegistryUri'],
    [
      'poller logs in on-demand mode',
      { ...MSK, pollerMode: 'on-demand', esmLogLevel: 'INFO' },
      'esmLogLevel',
    ],
    ['a poller log level Lambda lacks', { ...MSK, esmLogLevel: 'ERROR' }, 'esmLogLevel'],
    [
      'a poller group in on-demand mode',
      { ...MSK, pollerMode: 'on-demand', pollerGroupName: 'g' },
      'pollerGroupName',
    ],
    ['a poller group name with spaces', { ...MSK, pollerGroupName: 'cdc pollers' }, 'pollerGroupName'],
    ['more pollers than a group holds', { ...MSK, maximumPollers: '1500' }, 'maximumPollers'],
  ])('rejects %s, naming the context key in one line', (_case, context, key) => {
    // Act
    const act = () => read(context);

    // Assess
    expect(act).toThrow(StackConfigError);
    expect(act).toThrow(expect.objectContaining({ key }));
    expect(act).toThrow(`context "${key}"`);
    expect(act).not.toThrow(/\n/);
  });

  it('reads the mapping settings of issue 13 for a Glue registry in provisioned mode', () => {
    // Act
    const config = read({
      ...MSK,
      stage: 'qa',
      esmLogLevel: 'INFO',
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: '1735689600',
      schemaRegistryUri: GLUE,
      schemaRegistryKeys: 'true',
      lowStockEmail: 'buyers@example.com',
    });

    // Assess
    expect(config).toMatchObject({
      stage: 'qa',
      stackName: 'InventoryService-qa',
      tableName: 'inventory-realtime-qa',
      consumerGroupPrefix: 'inventory-service-group-qa',
      esmLogLevel: 'INFO',
      pollerGroupName: 'InventoryService-qa-kafka',
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: 1_735_689_600,
      schemaRegistry: { kind: 'glue', registryArn: GLUE, validateKeys: true },
      lowStockEmail: 'buyers@example.com',
    });
  });

  it.each<[StackContext, string]>([
    [
      { stockModel: 'warehouse' },
      'context "stockModel" must be one of orders, products, ledger, got "warehouse"',
    ],
    [{ sourceEpoch: '65536' }, 'context "sourceEpoch" must be within 0..65535, got 65536'],
    [{ lagBoundHours: 'week' }, 'context "lagBoundHours" must be an integer, got "week"'],
  ])('explains what is wrong with %o', (context, message) => {
    // Act
    const act = () => read(context);

    // Assess
    expect(act).toThrow(message);
  });
});

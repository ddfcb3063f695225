import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, readStackConfig, StackConfigError } from '../../infra/stack-config.js';
import {
  KAFKA_SECRET_ARN,
  MSK_CLUSTER_ARN,
  SELF_MANAGED_CONTEXT,
  type StackContext,
} from './stack-fixture.js';

const read = (context: StackContext) => readStackConfig((key) => context[key]);

describe('readStackConfig', () => {
  it('falls back to the seed defaults and no Kafka source when no context is set', () => {
    // Act
    const config = read({});

    // Assess
    expect(config).toMatchObject({
      tableName: 'inventory-realtime',
      kafka: { kind: 'none' },
      consumerGroupPrefix: 'inventory-service-group',
      productsTopic: 'dbserver1.public.products',
      orderItemsTopic: 'dbserver1.public.order_items',
      batchSize: CONFIG_DEFAULTS.batchSize,
      retryAttempts: CONFIG_DEFAULTS.retryAttempts,
      pollerMode: 'provisioned',
    });
    expect(config.maxRecordAgeSeconds).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('reads an MSK cluster ARN', () => {
    // Act
    const config = read({ mskClusterArn: MSK_CLUSTER_ARN });

    // Assess
    expect(config.kafka).toEqual({ kind: 'msk', clusterArn: MSK_CLUSTER_ARN });
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
  ])('rejects %s, naming the context key', (_case, context, key) => {
    // Act
    const act = () => read(context);

    // Assess
    expect(act).toThrow(StackConfigError);
    expect(act).toThrow(expect.objectContaining({ key }));
  });
});

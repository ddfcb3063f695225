import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MSK_CLUSTER_ACTIONS,
  MSK_CONTROL_ACTIONS,
  MSK_GROUP_ACTIONS,
  MSK_TOPIC_ACTIONS,
  mskResourceArns,
  VPC_ACCESS_ACTIONS,
} from '../../infra/constructs/kafka-event-sources.js';
import {
  allPolicyActions,
  KAFKA_SECRET_ARN,
  MSK_CLUSTER_ARN,
  MSK_CONTEXT,
  SELF_MANAGED_CONTEXT,
  templateFor,
} from './stack-fixture.js';

const TOPIC_PREFIX =
  'arn:aws:kafka:us-east-1:123456789012:topic/cdc-platform/abcd1234-abcd-cafe-abab-9876543210ab-4';
const GROUP_PREFIX =
  'arn:aws:kafka:us-east-1:123456789012:group/cdc-platform/abcd1234-abcd-cafe-abab-9876543210ab-4';
const bucketArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeadLettersBucket'), 'Arn'] };

/** What both kinds of source share: one mapping per topic, own group, oldest offset, bounded failure. */
const expectTwoBoundedMappings = (template: Template) => {
  // The third mapping is the ledger stream's (ledger-expiry.test.ts).
  template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
  expect(
    Object.keys(
      template.findResources('AWS::Lambda::EventSourceMapping', { Properties: { Topics: Match.anyValue() } }),
    ),
  ).toHaveLength(2);
  for (const topic of ['dbserver1.public.products', 'dbserver1.public.order_items']) {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: 'InventoryFunction' },
      Topics: [topic],
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      MaximumRecordAgeInSeconds: Match.absent(),
      FunctionResponseTypes: Match.absent(),
      ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
      DestinationConfig: { OnFailure: { Destination: bucketArn } },
    });
  }
};

describe('KafkaEventSources on Amazon MSK', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare
    template = templateFor(MSK_CONTEXT);
  });

  it('maps each topic to the function from the cluster, in its own consumer group', () => {
    // Assess
    expectTwoBoundedMappings(template);
    for (const [topic, group] of [
      ['dbserver1.public.products', 'inventory-service-group-products'],
      ['dbserver1.public.order_items', 'inventory-service-group-order-items'],
    ]) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: MSK_CLUSTER_ARN,
        Topics: [topic],
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: group },
        SelfManagedEventSource: Match.absent(),
      });
    }
  });

  it('grants exactly the kafka-cluster data-plane actions on that cluster, its two topics and two groups', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^KafkaEventSourceAccess'),
      PolicyDocument: {
        Statement: [
          {
            Sid: 'OnFailureDestinationWrite',
            Effect: 'Allow',
            Action: 's3:PutObject',
            Resource: Match.anyValue(),
          },
          { Sid: 'OnFailureDestinationList', Effect: 'Allow', Action: 's3:ListBucket', Resource: bucketArn },
          {
            Sid: 'MskDiscoverBrokers',
            Effect: 'Allow',
            Action: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
            Resource: MSK_CLUSTER_ARN,
          },
          {
            Sid: 'MskConnect',
            Effect: 'Allow',
            Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
            Resource: MSK_CLUSTER_ARN,
          },
          {
            Sid: 'MskReadTopics',
            Effect: 'Allow',
            Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
            Resource: [
              `${TOPIC_PREFIX}/dbserver1.public.products`,
              `${TOPIC_PREFIX}/dbserver1.public.order_items`,
            ],
          },
          {
            Sid: 'MskConsumerGroups',
            Effect: 'Allow',
            Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
            Resource: [
              `${GROUP_PREFIX}/inventory-service-group-products`,
              `${GROUP_PREFIX}/inventory-service-group-order-items`,
            ],
          },
          { Sid: 'PollerNetworkInterfaces', Effect: 'Allow', Action: [...VPC_ACCESS_ACTIONS], Resource: '*' },
        ],
      },
    });
    expect([...MSK_CLUSTER_ACTIONS, ...MSK_TOPIC_ACTIONS, ...MSK_GROUP_ACTIONS].sort()).toEqual([
      'kafka-cluster:AlterGroup',
      'kafka-cluster:Connect',
      'kafka-cluster:DescribeClusterDynamicConfiguration',
      'kafka-cluster:DescribeGroup',
      'kafka-cluster:DescribeTopic',
      'kafka-cluster:ReadData',
    ]);
    expect(MSK_CONTROL_ACTIONS).toEqual(['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers']);
  });

  it('creates each mapping only after its access policy, and attaches no managed policy', () => {
    // Assess
    template.hasResource('AWS::Lambda::EventSourceMapping', {
      DependsOn: [Match.stringLikeRegexp('^KafkaEventSourceAccess')],
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    expect(allPolicyActions(template).filter((action) => action.includes('*'))).toEqual([]);
  });

  it('derives topic and group ARNs from the cluster ARN', () => {
    // Act
    const arns = mskResourceArns(MSK_CLUSTER_ARN, ['t'], ['g']);

    // Assess
    expect(arns).toEqual({ topics: [`${TOPIC_PREFIX}/t`], groups: [`${GROUP_PREFIX}/g`] });
  });

  it('honours a custom consumer group prefix, batch size and batching window', () => {
    // Prepare
    const custom = templateFor({
      ...MSK_CONTEXT,
      consumerGroupPrefix: 'inventory-v2',
      batchSize: '1000',
      batchingWindowSeconds: '5',
      maxRecordAgeSeconds: '86400',
    });

    // Assess
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'inventory-v2-order-items' },
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 5,
      MaximumRecordAgeInSeconds: 86400,
    });
    custom.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'MskConsumerGroups',
            Resource: Match.arrayWith([`${GROUP_PREFIX}/inventory-v2-products`]),
          }),
        ]),
      },
    });
  });
});

describe('KafkaEventSources on self-managed Kafka', () => {
  let template: Template;

  beforeAll(() => {
    // Prepare
    template = templateFor(SELF_MANAGED_CONTEXT);
  });

  it('maps each topic from the bootstrap brokers with SASL/SCRAM and the poller VPC placement', () => {
    // Assess
    expectTwoBoundedMappings(template);
    for (const group of ['inventory-service-group-products', 'inventory-service-group-order-items']) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: Match.absent(),
        SelfManagedEventSource: {
          Endpoints: { KafkaBootstrapServers: ['b-1.kafka.example.com:9096', 'b-2.kafka.example.com:9096'] },
        },
        SelfManagedKafkaEventSourceConfig: { ConsumerGroupId: group },
        SourceAccessConfigurations: [
          { Type: 'SASL_SCRAM_512_AUTH', URI: KAFKA_SECRET_ARN },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0aaa' },
          { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0bbb' },
          { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-0ccc' },
        ],
      });
    }
  });

  it('lets the mapping read only that secret and manage poller network interfaces, and nothing on MSK', () => {
    // Assess
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('^KafkaEventSourceAccess'),
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Sid: 'OnFailureDestinationWrite' }),
          Match.objectLike({ Sid: 'OnFailureDestinationList' }),
          {
            Sid: 'KafkaCredentials',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: KAFKA_SECRET_ARN,
          },
          { Sid: 'PollerNetworkInterfaces', Effect: 'Allow', Action: [...VPC_ACCESS_ACTIONS], Resource: '*' },
        ],
      },
    });
    expect(allPolicyActions(template).filter((action) => action.startsWith('kafka'))).toEqual([]);
  });

  it('uses the mTLS client certificate type and no VPC statement for internet brokers', () => {
    // Prepare
    const mtls = templateFor({
      bootstrapServers: 'broker.example.com:9094',
      kafkaSecretArn: KAFKA_SECRET_ARN,
      kafkaAuthMethod: 'MTLS',
    });

    // Assess
    mtls.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: KAFKA_SECRET_ARN }],
    });
    expect(allPolicyActions(mtls).filter((action) => action.startsWith('ec2:'))).toEqual([]);
  });

  it('drops provisioned-mode-only retry settings in on-demand mode but keeps the S3 destination', () => {
    // Prepare
    const onDemand = templateFor({ ...SELF_MANAGED_CONTEXT, pollerMode: 'on-demand' });

    // Assess
    onDemand.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: Match.absent(),
      MaximumRetryAttempts: Match.absent(),
      BisectBatchOnFunctionError: Match.absent(),
      DestinationConfig: { OnFailure: { Destination: bucketArn } },
    });
  });
});
